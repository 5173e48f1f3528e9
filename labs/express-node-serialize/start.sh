#!/usr/bin/env bash
# Start the express-node-serialize lab: one Node process (Express) on 127.0.0.1.
# Env: LAB_PORT (8721), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/express-node-serialize/.run),
#      LAB_START_TIMEOUT (30 s).
# Idempotent: does nothing when the recorded PID is alive.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

lab_env 8721
PID_FILE="$LAB_RUN_DIR/server.pid"; LOG="$LAB_RUN_DIR/server.log"
PAT="$LAB_DIR/server.js --port $LAB_PORT"

exit_if_running express-node-serialize "$PID_FILE" "$LAB_DIR/server.js --port " "$PAT"

NODE=$(command -v node) || fail "node (Node.js 18+) is required"
if [[ ! -d "$LAB_DIR/node_modules/express" || ! -d "$LAB_DIR/node_modules/node-serialize" || ! -d "$LAB_DIR/node_modules/cookie-parser" ]]; then
  lab_npm_ci
fi

claim_port "$PID_FILE" LAB_PORT

# NODE_ENV stays unset on purpose in the vulnerable variant (Express then prints stacks).
clean_env
if [[ "$LAB_VARIANT" == fixed ]]; then
  CLEAN_ENV+=("NODE_ENV=production")
  lab_secret LAB_COOKIE_SECRET cookie_secret "$NODE" -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))'
fi

spawn "$PID_FILE" "$LOG" "$NODE" "$LAB_DIR/server.js" --port "$LAB_PORT"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
wait_up "$PID_FILE" "$PAT" "http://127.0.0.1:$LAB_PORT/health" "$LOG" "the server"
echo "express-node-serialize ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
