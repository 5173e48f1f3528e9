#!/usr/bin/env bash
# Stop the ruby-marshal lab: kills exactly the PID recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/ruby-marshal/.run).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

stop_pid "$LAB_RUN_DIR/server.pid" "$LAB_DIR/app/server.rb --port " ruby-marshal
rm -f "$LAB_RUN_DIR/variant"
