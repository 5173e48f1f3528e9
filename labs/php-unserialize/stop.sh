#!/usr/bin/env bash
# Stop the php-unserialize lab: kills exactly the PID recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/php-unserialize/.run).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

stop_pid "$LAB_RUN_DIR/server.pid" "-t $LAB_DIR/public" php-unserialize
rm -f "$LAB_RUN_DIR/variant"
