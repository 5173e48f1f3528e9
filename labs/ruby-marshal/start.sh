#!/usr/bin/env bash
# Start the ruby-marshal lab: one Ruby process (WEBrick) on 127.0.0.1.
# Env: LAB_PORT (8741), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/ruby-marshal/.run),
#      LAB_START_TIMEOUT (30 s).
# Idempotent: does nothing when the recorded PID is alive.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

lab_env 8741
PID_FILE="$LAB_RUN_DIR/server.pid"; LOG="$LAB_RUN_DIR/server.log"
PAT="$LAB_DIR/app/server.rb --port $LAB_PORT"

exit_if_running ruby-marshal "$PID_FILE" "$LAB_DIR/app/server.rb --port " "$PAT"

# Dependencies: Debian's ruby (3.x) and ruby-webrick (a separate gem since Ruby 3.0).
ruby_ok() { command -v ruby >/dev/null && ruby -e 'require "webrick"; require "openssl"' 2>/dev/null; }
ruby_ok || { lab_apt ruby ruby-webrick && ruby_ok; } || fail "Ruby with WEBrick is required: apt-get install ruby ruby-webrick"
RUBY=$(command -v ruby)

claim_port "$PID_FILE" LAB_PORT

clean_env
[[ "$LAB_VARIANT" == fixed ]] && lab_secret LAB_SESSION_SECRET session_secret "$RUBY" -rsecurerandom -e 'print SecureRandom.hex(32)'

spawn "$PID_FILE" "$LOG" "$RUBY" "$LAB_DIR/app/server.rb" --port "$LAB_PORT"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
wait_up "$PID_FILE" "$PAT" "http://127.0.0.1:$LAB_PORT/health" "$LOG" "the server"
echo "ruby-marshal ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
