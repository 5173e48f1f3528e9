#!/usr/bin/env bash
# Stop the django-dynamo lab: kills exactly the PIDs recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/django-dynamo/.run).
set -uo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}

running() { # a live, non-zombie process
  kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

stop_pid() { # stop_pid PIDFILE PATTERN
  local pid
  [[ -f "$1" ]] || return 0
  pid=$(<"$1")
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
     tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -9 "$pid" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done  # let init reap it
    echo "stopped $(basename "$1" .pid) (pid $pid)"
  fi
  rm -f "$1"
}

stop_pid "$LAB_RUN_DIR/django.pid" "manage.py runserver" &
stop_pid "$LAB_RUN_DIR/dynalite.pid" "dynalite/cli.js" &
wait
rm -f "$LAB_RUN_DIR/variant"
