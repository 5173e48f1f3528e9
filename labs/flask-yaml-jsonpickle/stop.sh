#!/usr/bin/env bash
# Stop the flask-yaml-jsonpickle lab: kills exactly the PID recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/flask-yaml-jsonpickle/.run).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

stop_pid "$LAB_RUN_DIR/flask.pid" "flask --app reportsvc:create_app run --host 127.0.0.1 --port" reportsvc
rm -f "$LAB_RUN_DIR/variant"
