#!/usr/bin/env bash
# Stop the flask-yaml-jsonpickle lab: kills exactly the PID recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/flask-yaml-jsonpickle/.run).
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
PID_FILE="$LAB_RUN_DIR/flask.pid"

running() { # a live, non-zombie process
  kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

if [[ -f "$PID_FILE" ]]; then
  pid=$(<"$PID_FILE")
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
     tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "flask --app reportsvc:create_app run --host 127.0.0.1 --port"; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -9 "$pid" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done  # let init reap it
    echo "stopped reportsvc (pid $pid)"
  fi
  rm -f "$PID_FILE"
fi
rm -f "$LAB_RUN_DIR/variant"
