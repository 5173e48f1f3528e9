#!/usr/bin/env bash
# Stop the java-objectinputstream lab: kills exactly the PID recorded by start.sh (never by name).
# Env: LAB_RUN_DIR (labs/java-objectinputstream/.run).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

stop_pid "$LAB_RUN_DIR/java.pid" "shop.ShopServer --port" cart-service
rm -f "$LAB_RUN_DIR/variant"
