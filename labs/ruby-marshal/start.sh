#!/usr/bin/env bash
# Start the ruby-marshal lab: one Ruby process (WEBrick) on 127.0.0.1.
# Env: LAB_PORT (8741), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/ruby-marshal/.run),
#      LAB_START_TIMEOUT (30 s).
# Idempotent: does nothing when the recorded PID is alive.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PORT=${LAB_PORT:-8741}
LAB_VARIANT=${LAB_VARIANT:-vulnerable}
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
TIMEOUT=${LAB_START_TIMEOUT:-30}

case "$LAB_VARIANT" in vulnerable|fixed) ;; *) echo "start.sh: LAB_VARIANT must be vulnerable or fixed" >&2; exit 2 ;; esac
[[ "$LAB_PORT" =~ ^[0-9]{1,5}$ ]] && (( LAB_PORT >= 1 && LAB_PORT <= 65535 )) ||
  { echo "start.sh: LAB_PORT must be a port number (1-65535)" >&2; exit 2; }
mkdir -p "$LAB_RUN_DIR"
LAB_RUN_DIR=$(cd "$LAB_RUN_DIR" && pwd)
PID_FILE="$LAB_RUN_DIR/server.pid"; LOG="$LAB_RUN_DIR/server.log"
PAT="$LAB_DIR/app/server.rb --port $LAB_PORT"

# alive PIDFILE PATTERN: the recorded PID runs and its command line matches (guards against PID reuse).
alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}
fail() { # fail MESSAGE LOG
  echo "start.sh: $1" >&2
  [[ -n "$2" && -s "$2" ]] && { echo "--- last lines of $2 ---" >&2; tail -n 30 "$2" >&2; }
  exit 1
}
http_up() { local code; code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null) || true; [[ -n "$code" && "$code" != 000 ]]; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if alive "$PID_FILE" "$LAB_DIR/app/server.rb --port "; then
  running=$(tr '\0' ' ' <"/proc/$(<"$PID_FILE")/cmdline")
  [[ "$running" == *"$PAT"* ]] || fail "already running in $LAB_RUN_DIR on another port ($running); run stop.sh first" ""
  [[ "$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)" == "$LAB_VARIANT" ]] ||
    fail "already running as variant '$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)' in $LAB_RUN_DIR; run stop.sh first" ""
  echo "ruby-marshal ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
  exit 0
fi

command -v curl >/dev/null || fail "curl is required" ""
# Dependencies: Debian's ruby (3.x) and ruby-webrick (a separate gem since Ruby 3.0).
if ! command -v ruby >/dev/null || ! ruby -e 'require "webrick"; require "openssl"' 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "start.sh: installing ruby ruby-webrick" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q ruby ruby-webrick >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ruby ruby-webrick >&2; }
  fi
  command -v ruby >/dev/null && ruby -e 'require "webrick"; require "openssl"' ||
    fail "Ruby with WEBrick is required: apt-get install ruby ruby-webrick" ""
fi
RUBY=$(command -v ruby)

rm -f "$PID_FILE"
port_free "$LAB_PORT" || fail "port 127.0.0.1:$LAB_PORT (LAB_PORT) is already in use" ""

# A small, fixed environment: nothing of the caller's reaches the app.
CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$LAB_RUN_DIR" "LAB_VARIANT=$LAB_VARIANT")
if [[ "$LAB_VARIANT" == fixed ]]; then
  if [[ -z "${LAB_SESSION_SECRET:-}" ]]; then
    [[ -s "$LAB_RUN_DIR/session_secret" ]] || (umask 077; "$RUBY" -rsecurerandom -e 'print SecureRandom.hex(32)' >"$LAB_RUN_DIR/session_secret")
    LAB_SESSION_SECRET=$(<"$LAB_RUN_DIR/session_secret")
  fi
  CLEAN_ENV+=("LAB_SESSION_SECRET=$LAB_SESSION_SECRET")
fi

(cd "$LAB_DIR" && exec setsid "${CLEAN_ENV[@]}" "$RUBY" "$LAB_DIR/app/server.rb" --port "$LAB_PORT" </dev/null >>"$LOG" 2>&1) &
echo $! >"$PID_FILE"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"

# From here on, a failed start-up stops the process it started (exactly that PID).
started_fail() { # started_fail MESSAGE
  local pid; pid=$(<"$PID_FILE")
  kill "$pid" 2>/dev/null && for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE" "$LAB_RUN_DIR/variant"
  fail "$1" "$LOG"
}
deadline=$((SECONDS + TIMEOUT))
until http_up "http://127.0.0.1:$LAB_PORT/health"; do
  kill -0 "$(<"$PID_FILE")" 2>/dev/null || fail "the server exited during start-up" "$LOG"  # (exec may not have happened yet: no cmdline check here)
  (( SECONDS < deadline )) || started_fail "the server did not answer on http://127.0.0.1:$LAB_PORT/ within ${TIMEOUT}s; stopped it"
  sleep 0.1
done
alive "$PID_FILE" "$PAT" || fail "the server is not running, yet 127.0.0.1:$LAB_PORT answers" "$LOG"
echo "ruby-marshal ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
