#!/usr/bin/env bash
# Start the php-unserialize lab: PHP's built-in web server on 127.0.0.1 with a front controller.
# Env: LAB_PORT (8731), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/php-unserialize/.run),
#      LAB_START_TIMEOUT (30 s).
# Idempotent: does nothing when the recorded PID is alive.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PORT=${LAB_PORT:-8731}
LAB_VARIANT=${LAB_VARIANT:-vulnerable}
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
TIMEOUT=${LAB_START_TIMEOUT:-30}

case "$LAB_VARIANT" in vulnerable|fixed) ;; *) echo "start.sh: LAB_VARIANT must be vulnerable or fixed" >&2; exit 2 ;; esac
[[ "$LAB_PORT" =~ ^[0-9]{1,5}$ ]] && (( LAB_PORT >= 1 && LAB_PORT <= 65535 )) ||
  { echo "start.sh: LAB_PORT must be a port number (1-65535)" >&2; exit 2; }
mkdir -p "$LAB_RUN_DIR"
LAB_RUN_DIR=$(cd "$LAB_RUN_DIR" && pwd)
PID_FILE="$LAB_RUN_DIR/server.pid"; LOG="$LAB_RUN_DIR/server.log"
PAT="-S 127.0.0.1:$LAB_PORT -t $LAB_DIR/public"

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

if alive "$PID_FILE" "-t $LAB_DIR/public"; then
  running=$(tr '\0' ' ' <"/proc/$(<"$PID_FILE")/cmdline")
  [[ "$running" == *"$PAT"* ]] || fail "already running in $LAB_RUN_DIR on another port ($running); run stop.sh first" ""
  [[ "$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)" == "$LAB_VARIANT" ]] ||
    fail "already running as variant '$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)' in $LAB_RUN_DIR; run stop.sh first" ""
  echo "php-unserialize ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
  exit 0
fi

command -v curl >/dev/null || fail "curl is required" ""
# Dependencies: Debian's php-cli (8.1 or newer; Debian 12 ships 8.2).
if ! command -v php >/dev/null || ! php -r 'exit(PHP_VERSION_ID >= 80100 ? 0 : 1);' 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "start.sh: installing php-cli" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q php-cli >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q php-cli >&2; }
  fi
  command -v php >/dev/null && php -r 'exit(PHP_VERSION_ID >= 80100 ? 0 : 1);' ||
    fail "PHP 8.1+ is required: apt-get install php-cli" ""
fi
PHP=$(command -v php)

rm -f "$PID_FILE"
port_free "$LAB_PORT" || fail "port 127.0.0.1:$LAB_PORT (LAB_PORT) is already in use" ""

# A small, fixed environment: nothing of the caller's reaches the app (or its error pages).
# -c: the variant's own ini (display_errors On for vulnerable, Off for fixed) instead of the
# system php.ini; -d repeats the two settings the CLI server would otherwise hard-code.
CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$LAB_RUN_DIR" "LAB_VARIANT=$LAB_VARIANT")
INI="$LAB_DIR/conf/$LAB_VARIANT.ini"
if [[ "$LAB_VARIANT" == fixed ]]; then
  if [[ -z "${LAB_CART_SECRET:-}" ]]; then
    [[ -s "$LAB_RUN_DIR/cart_secret" ]] || (umask 077; "$PHP" -r 'echo bin2hex(random_bytes(32));' >"$LAB_RUN_DIR/cart_secret")
    LAB_CART_SECRET=$(<"$LAB_RUN_DIR/cart_secret")
  fi
  CLEAN_ENV+=("LAB_CART_SECRET=$LAB_CART_SECRET")
  HTML_ERRORS=0
else
  HTML_ERRORS=1
fi

(cd "$LAB_DIR" && exec setsid "${CLEAN_ENV[@]}" "$PHP" -c "$INI" -d output_buffering=4096 -d "html_errors=$HTML_ERRORS" \
  -S "127.0.0.1:$LAB_PORT" -t "$LAB_DIR/public" "$LAB_DIR/public/index.php" </dev/null >>"$LOG" 2>&1) &
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
echo "php-unserialize ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
