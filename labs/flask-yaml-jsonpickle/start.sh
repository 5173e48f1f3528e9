#!/usr/bin/env bash
# Start the flask-yaml-jsonpickle lab: reportsvc on Flask's Werkzeug dev server, 127.0.0.1 only,
# debugger and reloader off.
# Env: LAB_PORT (8735), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/flask-yaml-jsonpickle/.run),
#      LAB_START_TIMEOUT (30 s), LAB_SECRET_KEY (fixed variant's Flask SECRET_KEY; default: a
#      random key kept in the run dir).
# Idempotent: a server whose recorded PID is alive is left alone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

lab_env 8735
PYTHON=/usr/bin/python3   # Debian's interpreter: the python3 first on PATH may lack the packages
PACKAGES=(python3-flask python3-yaml python3-jsonpickle)
PID_FILE="$LAB_RUN_DIR/flask.pid"; LOG="$LAB_RUN_DIR/flask.log"
ANY="flask --app reportsvc:create_app run --host 127.0.0.1 --port "
PATTERN="$ANY$LAB_PORT "

exit_if_running flask-yaml-jsonpickle "$PID_FILE" "$ANY" "$PATTERN"
claim_port "$PID_FILE" LAB_PORT

# Dependencies: Debian's Python packages (no PyPI here).
deps_ok() { "$PYTHON" -c 'import flask, yaml, jsonpickle, itsdangerous' 2>/dev/null; }
deps_ok || { lab_apt "${PACKAGES[@]}" && deps_ok; } || fail "missing Python packages: apt-get install ${PACKAGES[*]}"

# No FLASK_DEBUG / FLASK_* of the caller's, no .env files, no bytecode written into the lab directory.
clean_env PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 FLASK_SKIP_DOTENV=1
[[ "$LAB_VARIANT" == fixed ]] && lab_secret LAB_SECRET_KEY secret_key "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))'

# --no-debugger: never the Werkzeug debugger console (remote code execution by design).
spawn "$PID_FILE" "$LOG" "$PYTHON" -m flask --app reportsvc:create_app run \
  --host 127.0.0.1 --port "$LAB_PORT" --no-debugger --no-reload
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
wait_up "$PID_FILE" "$PATTERN" "http://127.0.0.1:$LAB_PORT/" "$LOG" reportsvc
echo "flask-yaml-jsonpickle ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
