#!/usr/bin/env bash
# Start the php-unserialize lab: PHP's built-in web server on 127.0.0.1 with a front controller.
# Env: LAB_PORT (8731), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/php-unserialize/.run),
#      LAB_START_TIMEOUT (30 s).
# Idempotent: does nothing when the recorded PID is alive.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

lab_env 8731
PID_FILE="$LAB_RUN_DIR/server.pid"; LOG="$LAB_RUN_DIR/server.log"
PAT="-S 127.0.0.1:$LAB_PORT -t $LAB_DIR/public"

exit_if_running php-unserialize "$PID_FILE" "-t $LAB_DIR/public" "$PAT"

# Dependencies: Debian's php-cli (8.1 or newer; Debian 12 ships 8.2).
php_ok() { command -v php >/dev/null && php -r 'exit(PHP_VERSION_ID >= 80100 ? 0 : 1);' 2>/dev/null; }
php_ok || { lab_apt php-cli && php_ok; } || fail "PHP 8.1+ is required: apt-get install php-cli"
PHP=$(command -v php)

claim_port "$PID_FILE" LAB_PORT

# -c: the variant's own ini (display_errors On for vulnerable, Off for fixed) instead of the
# system php.ini; -d repeats the two settings the CLI server would otherwise hard-code.
clean_env
INI="$LAB_DIR/conf/$LAB_VARIANT.ini"
if [[ "$LAB_VARIANT" == fixed ]]; then
  lab_secret LAB_CART_SECRET cart_secret "$PHP" -r 'echo bin2hex(random_bytes(32));'
  HTML_ERRORS=0
else
  HTML_ERRORS=1
fi

spawn "$PID_FILE" "$LOG" "$PHP" -c "$INI" -d output_buffering=4096 -d "html_errors=$HTML_ERRORS" \
  -S "127.0.0.1:$LAB_PORT" -t "$LAB_DIR/public" "$LAB_DIR/public/index.php"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
wait_up "$PID_FILE" "$PAT" "http://127.0.0.1:$LAB_PORT/health" "$LOG" "the server"
echo "php-unserialize ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
