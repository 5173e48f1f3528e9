#!/usr/bin/env bash
# Stop the django-dynamo lab: kills exactly the PIDs recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/django-dynamo/.run).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

stop_pid "$LAB_RUN_DIR/django.pid" "manage.py runserver" django &
stop_pid "$LAB_RUN_DIR/dynalite.pid" "dynalite/cli.js" dynalite &
wait
rm -f "$LAB_RUN_DIR/variant"
