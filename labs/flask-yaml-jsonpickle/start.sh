#!/usr/bin/env bash
# Start the flask-yaml-jsonpickle lab: reportsvc on Flask's Werkzeug dev server, 127.0.0.1 only,
# debugger and reloader off.
# Env: LAB_PORT (8735), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/flask-yaml-jsonpickle/.run),
#      LAB_START_TIMEOUT (30 s), LAB_SECRET_KEY (fixed variant's Flask SECRET_KEY; default: a
#      random key kept in the run dir).
# Idempotent: a server whose recorded PID is alive is left alone.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PORT=${LAB_PORT:-8735}
LAB_VARIANT=${LAB_VARIANT:-vulnerable}
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
TIMEOUT=${LAB_START_TIMEOUT:-30}
PYTHON=/usr/bin/python3   # Debian's interpreter: the python3 first on PATH may lack the packages
PACKAGES=(python3-flask python3-yaml python3-jsonpickle)

case "$LAB_VARIANT" in vulnerable|fixed) ;; *) echo "start.sh: LAB_VARIANT must be vulnerable or fixed" >&2; exit 2 ;; esac
[[ "$LAB_PORT" =~ ^[0-9]+$ ]] && (( LAB_PORT > 0 && LAB_PORT < 65536 )) || { echo "start.sh: bad LAB_PORT '$LAB_PORT'" >&2; exit 2; }
mkdir -p "$LAB_RUN_DIR"
LAB_RUN_DIR=$(cd "$LAB_RUN_DIR" && pwd)

# alive PIDFILE PATTERN: the recorded PID runs and its command line matches (guards against PID reuse).
alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

fail() { # fail MESSAGE [LOG]
  echo "start.sh: $1" >&2
  [[ -n "${2:-}" && -s "$2" ]] && { echo "--- last lines of $2 ---" >&2; tail -n 30 "$2" >&2; }
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

PID_FILE="$LAB_RUN_DIR/flask.pid"; LOG="$LAB_RUN_DIR/flask.log"
PATTERN="flask --app reportsvc:create_app run --host 127.0.0.1 --port $LAB_PORT "

if alive "$PID_FILE" "$PATTERN"; then
  if [[ "$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)" != "$LAB_VARIANT" ]]; then
    fail "already running as variant '$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)' in $LAB_RUN_DIR; run stop.sh first"
  fi
  echo "flask-yaml-jsonpickle ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
  exit 0
fi
rm -f "$PID_FILE"
port_free "$LAB_PORT" || fail "port 127.0.0.1:$LAB_PORT (LAB_PORT) is already in use"

# Dependencies: Debian's Python packages (no PyPI here).
if ! "$PYTHON" -c 'import flask, yaml, jsonpickle, itsdangerous' 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "start.sh: installing ${PACKAGES[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${PACKAGES[@]}" >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${PACKAGES[@]}" >&2; }
  else
    fail "missing Python packages: apt-get install ${PACKAGES[*]}"
  fi
fi

# The server gets a small, fixed environment: no FLASK_DEBUG / FLASK_* of the caller's, no .env
# files, no bytecode written into the lab directory.
CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$LAB_RUN_DIR" PYTHONUNBUFFERED=1
  PYTHONDONTWRITEBYTECODE=1 FLASK_SKIP_DOTENV=1 "LAB_VARIANT=$LAB_VARIANT")
if [[ "$LAB_VARIANT" == fixed ]]; then
  if [[ -z "${LAB_SECRET_KEY:-}" ]]; then
    [[ -s "$LAB_RUN_DIR/secret_key" ]] || (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$LAB_RUN_DIR/secret_key")
    LAB_SECRET_KEY=$(<"$LAB_RUN_DIR/secret_key")
  fi
  CLEAN_ENV+=("LAB_SECRET_KEY=$LAB_SECRET_KEY")
fi

# --no-debugger: never the Werkzeug debugger console (remote code execution by design).
(cd "$LAB_DIR" && exec setsid "${CLEAN_ENV[@]}" "$PYTHON" -m flask --app reportsvc:create_app run \
  --host 127.0.0.1 --port "$LAB_PORT" --no-debugger --no-reload </dev/null >>"$LOG" 2>&1) &
echo $! >"$PID_FILE"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"

deadline=$((SECONDS + TIMEOUT))
until http_up "http://127.0.0.1:$LAB_PORT/"; do
  alive "$PID_FILE" "$PATTERN" || fail "reportsvc exited during start-up" "$LOG"
  (( SECONDS < deadline )) || fail "reportsvc did not answer on http://127.0.0.1:$LAB_PORT/ within ${TIMEOUT}s" "$LOG"
  sleep 0.1
done
alive "$PID_FILE" "$PATTERN" || fail "reportsvc is not running, yet 127.0.0.1:$LAB_PORT answers" "$LOG"

echo "flask-yaml-jsonpickle ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
