#!/usr/bin/env bash
# Stop the express-node-serialize lab: kills exactly the PID recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/express-node-serialize/.run).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

stop_pid "$LAB_RUN_DIR/server.pid" "$LAB_DIR/server.js --port " express-node-serialize
rm -f "$LAB_RUN_DIR/variant"
