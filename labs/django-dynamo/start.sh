#!/usr/bin/env bash
# Start the django-dynamo lab: dynalite + Django runserver, both on 127.0.0.1.
# Env: LAB_PORT (8701), DYNALITE_PORT (8702), LAB_VARIANT (vulnerable|fixed),
#      LAB_RUN_DIR (labs/django-dynamo/.run), LAB_START_TIMEOUT (30 s).
# Idempotent: processes whose recorded PIDs are alive are left alone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

lab_env 8701
DYNALITE_PORT=${DYNALITE_PORT:-8702}
check_port DYNALITE_PORT
PYTHON=/usr/bin/python3
export AWS_EC2_METADATA_DISABLED=true
# The servers get a small, fixed environment: nothing of the caller's leaks into DEBUG pages,
# and no AWS config, profile or credentials file is ever read.
NODE=$(command -v node) || { echo "start.sh: node (Node.js 20) is required" >&2; exit 1; }
clean_env AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=dynamo_lab.settings "DYNALITE_PORT=$DYNALITE_PORT"
for v in LAB_TABLE_PREFIX LAB_CORS_ORIGIN; do [[ -n "${!v:-}" ]] && CLEAN_ENV+=("$v=${!v}"); done

# Dependencies: Debian's Python packages (no PyPI here) and dynalite from the committed lock file.
PACKAGES=(python3-django python3-boto3 python3-jsonschema)
deps_ok() { "$PYTHON" -c 'import django, boto3, jsonschema' 2>/dev/null; }
deps_ok || { lab_apt "${PACKAGES[@]}" && deps_ok; } || fail "missing Python packages: apt-get install ${PACKAGES[*]}"
[[ -d "$LAB_DIR/node_modules/dynalite" ]] || lab_npm_ci

DYN_PID="$LAB_RUN_DIR/dynalite.pid"; DYN_LOG="$LAB_RUN_DIR/dynalite.log"
WEB_PID="$LAB_RUN_DIR/django.pid";   WEB_LOG="$LAB_RUN_DIR/django.log"
DYN_PAT="dynalite/cli.js --host 127.0.0.1 --port $DYNALITE_PORT"
WEB_PAT="runserver 127.0.0.1:$LAB_PORT"

if alive "$DYN_PID" "$DYN_PAT" && already_running "$WEB_PID" "manage.py runserver " "$WEB_PAT"; then
  echo "django-dynamo ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pids $(<"$WEB_PID"), $(<"$DYN_PID"))"
  exit 0
fi

if ! alive "$DYN_PID" "$DYN_PAT"; then
  claim_port "$DYN_PID" DYNALITE_PORT
  # In memory: every start gets fresh tables, seeded below.
  spawn "$DYN_PID" "$DYN_LOG" "$NODE" "$LAB_DIR/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$DYNALITE_PORT" \
    --createTableMs 0 --deleteTableMs 0 --updateTableMs 0
fi
wait_up "$DYN_PID" "$DYN_PAT" "http://127.0.0.1:$DYNALITE_PORT/" "$DYN_LOG" dynalite

(cd "$LAB_DIR" && "${CLEAN_ENV[@]}" "$PYTHON" manage.py labinit) >>"$WEB_LOG" 2>&1 || fail "creating the DynamoDB tables failed" "$WEB_LOG"

if ! alive "$WEB_PID" "$WEB_PAT"; then
  claim_port "$WEB_PID" LAB_PORT "dynalite stays up, run stop.sh to stop it"
  [[ "$LAB_VARIANT" == fixed ]] && lab_secret LAB_SECRET_KEY secret_key "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))'
  spawn "$WEB_PID" "$WEB_LOG" "$PYTHON" manage.py runserver "127.0.0.1:$LAB_PORT" --noreload
  echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
fi
wait_up "$WEB_PID" "$WEB_PAT" "http://127.0.0.1:$LAB_PORT/" "$WEB_LOG" "django runserver"

echo "django-dynamo ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (django pid $(<"$WEB_PID"), dynalite pid $(<"$DYN_PID") on 127.0.0.1:$DYNALITE_PORT)"
