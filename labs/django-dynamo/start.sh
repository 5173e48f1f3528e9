#!/usr/bin/env bash
# Start the django-dynamo lab: dynalite + Django runserver, both on 127.0.0.1.
# Env: LAB_PORT (8701), DYNALITE_PORT (8702), LAB_VARIANT (vulnerable|fixed),
#      LAB_RUN_DIR (labs/django-dynamo/.run), LAB_START_TIMEOUT (30 s).
# Idempotent: processes whose recorded PIDs are alive are left alone.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PORT=${LAB_PORT:-8701}
DYNALITE_PORT=${DYNALITE_PORT:-8702}
LAB_VARIANT=${LAB_VARIANT:-vulnerable}
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
TIMEOUT=${LAB_START_TIMEOUT:-30}
PYTHON=/usr/bin/python3

case "$LAB_VARIANT" in vulnerable|fixed) ;; *) echo "start.sh: LAB_VARIANT must be vulnerable or fixed" >&2; exit 2 ;; esac
mkdir -p "$LAB_RUN_DIR"
LAB_RUN_DIR=$(cd "$LAB_RUN_DIR" && pwd)
export AWS_EC2_METADATA_DISABLED=true
# The servers get a small, fixed environment: nothing of the caller's leaks into DEBUG pages,
# and no AWS config, profile or credentials file is ever read.
NODE=$(command -v node) || { echo "start.sh: node (Node.js 20) is required" >&2; exit 1; }
CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$LAB_RUN_DIR" AWS_EC2_METADATA_DISABLED=true
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
  DJANGO_SETTINGS_MODULE=dynamo_lab.settings "LAB_VARIANT=$LAB_VARIANT" "DYNALITE_PORT=$DYNALITE_PORT")
for v in LAB_TABLE_PREFIX LAB_CORS_ORIGIN; do [[ -n "${!v:-}" ]] && CLEAN_ENV+=("$v=${!v}"); done

# alive PIDFILE PATTERN: the recorded PID runs and its command line matches (guards against PID reuse).
alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

fail() { # fail MESSAGE LOG
  echo "start.sh: $1" >&2
  [[ -f "$2" ]] && { echo "--- last lines of $2 ---" >&2; tail -n 30 "$2" >&2; }
  exit 1
}

http_up() { # any HTTP answer at all
  local code
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null) || true
  [[ -n "$code" && "$code" != 000 ]]
}

port_free() { # nothing accepts connections on 127.0.0.1:PORT
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_up() { # wait_up PIDFILE PATTERN URL LOG NAME
  local deadline=$((SECONDS + TIMEOUT))
  until http_up "$3"; do
    alive "$1" "$2" || fail "$5 exited during start-up" "$4"
    (( SECONDS < deadline )) || fail "$5 did not answer on $3 within ${TIMEOUT}s" "$4"
    sleep 0.2
  done
  alive "$1" "$2" || fail "$5 is not running, yet $3 answers" "$4"
}

# Dependencies: Debian's Python packages (no PyPI here) and dynalite from the committed lock file.
if ! "$PYTHON" -c 'import django, boto3, jsonschema' 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "start.sh: installing python3-django python3-boto3 python3-jsonschema" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-django python3-boto3 python3-jsonschema >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-django python3-boto3 python3-jsonschema >&2; }
  else
    fail "missing Python packages: apt-get install python3-django python3-boto3 python3-jsonschema" /dev/null
  fi
fi
if [[ ! -d "$LAB_DIR/node_modules/dynalite" ]]; then
  (cd "$LAB_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

DYN_PID="$LAB_RUN_DIR/dynalite.pid"; DYN_LOG="$LAB_RUN_DIR/dynalite.log"
WEB_PID="$LAB_RUN_DIR/django.pid";   WEB_LOG="$LAB_RUN_DIR/django.log"
DYN_PAT="dynalite/cli.js --host 127.0.0.1 --port $DYNALITE_PORT"
WEB_PAT="runserver 127.0.0.1:$LAB_PORT"

if alive "$DYN_PID" "$DYN_PAT" && alive "$WEB_PID" "$WEB_PAT"; then
  if [[ "$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)" != "$LAB_VARIANT" ]]; then
    fail "already running as variant '$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)' in $LAB_RUN_DIR; run stop.sh first" /dev/null
  fi
  echo "django-dynamo ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pids $(<"$WEB_PID"), $(<"$DYN_PID"))"
  exit 0
fi

if ! alive "$DYN_PID" "$DYN_PAT"; then
  rm -f "$DYN_PID"
  port_free "$DYNALITE_PORT" || fail "port 127.0.0.1:$DYNALITE_PORT (DYNALITE_PORT) is already in use" /dev/null
  # In memory: every start gets fresh tables, seeded below.
  setsid "${CLEAN_ENV[@]}" "$NODE" "$LAB_DIR/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$DYNALITE_PORT" \
    --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 </dev/null >>"$DYN_LOG" 2>&1 &
  echo $! >"$DYN_PID"
fi
wait_up "$DYN_PID" "$DYN_PAT" "http://127.0.0.1:$DYNALITE_PORT/" "$DYN_LOG" dynalite

(cd "$LAB_DIR" && "${CLEAN_ENV[@]}" "$PYTHON" manage.py labinit) >>"$WEB_LOG" 2>&1 || fail "creating the DynamoDB tables failed" "$WEB_LOG"

if ! alive "$WEB_PID" "$WEB_PAT"; then
  rm -f "$WEB_PID"
  port_free "$LAB_PORT" || fail "port 127.0.0.1:$LAB_PORT (LAB_PORT) is already in use; dynalite stays up, run stop.sh to stop it" /dev/null
  if [[ "$LAB_VARIANT" == fixed && -z "${LAB_SECRET_KEY:-}" ]]; then
    [[ -s "$LAB_RUN_DIR/secret_key" ]] || (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$LAB_RUN_DIR/secret_key")
    LAB_SECRET_KEY=$(<"$LAB_RUN_DIR/secret_key")
  fi
  [[ "$LAB_VARIANT" == fixed ]] && CLEAN_ENV+=("LAB_SECRET_KEY=$LAB_SECRET_KEY")
  (cd "$LAB_DIR" && exec setsid "${CLEAN_ENV[@]}" "$PYTHON" manage.py runserver "127.0.0.1:$LAB_PORT" --noreload \
    </dev/null >>"$WEB_LOG" 2>&1) &
  echo $! >"$WEB_PID"
  echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
fi
wait_up "$WEB_PID" "$WEB_PAT" "http://127.0.0.1:$LAB_PORT/" "$WEB_LOG" "django runserver"

echo "django-dynamo ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (django pid $(<"$WEB_PID"), dynalite pid $(<"$DYN_PID") on 127.0.0.1:$DYNALITE_PORT)"
