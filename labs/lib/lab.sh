# labs/lib/lab.sh: the start/stop logic every lab shares. Sourced (bash) by labs/*/start.sh and
# labs/*/stop.sh as  . "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"
# Each lab keeps its own dependencies, server command line, readiness URL and variants.
# Sets LAB_DIR (the sourcing script's directory) and LAB_RUN_DIR (default: $LAB_DIR/.run).
# Processes are only ever killed by their recorded PID, after checking their command line.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}

fail() { # fail MESSAGE [LOG]: message (and the log's last lines) on stderr, exit 1
  echo "start.sh: $1" >&2
  [[ -n "${2:-}" && -f "$2" && -s "$2" ]] && { echo "--- last lines of $2 ---" >&2; tail -n 30 "$2" >&2; }
  exit 1
}

check_port() { # check_port VAR: $VAR is a port number, else exit 2
  [[ "${!1}" =~ ^[0-9]{1,5}$ ]] && (( 10#${!1} >= 1 && 10#${!1} <= 65535 )) ||
    { echo "start.sh: $1 must be a port number (1-65535)" >&2; exit 2; }
}

# lab_env DEFAULT_PORT: start.sh's settings (LAB_PORT, LAB_VARIANT, TIMEOUT) checked; run dir made absolute.
lab_env() {
  LAB_PORT=${LAB_PORT:-$1}
  LAB_VARIANT=${LAB_VARIANT:-vulnerable}
  TIMEOUT=${LAB_START_TIMEOUT:-30}
  case "$LAB_VARIANT" in vulnerable|fixed) ;; *) echo "start.sh: LAB_VARIANT must be vulnerable or fixed" >&2; exit 2 ;; esac
  check_port LAB_PORT
  mkdir -p "$LAB_RUN_DIR"
  LAB_RUN_DIR=$(cd "$LAB_RUN_DIR" && pwd)
  command -v curl >/dev/null || fail "curl is required"
}

cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

running() { # running PID: a live, non-zombie process
  kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# alive PIDFILE PATTERN: the recorded PID runs and its command line contains PATTERN (guards against PID reuse).
alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmdline "$pid" | grep -qF -- "$2"
}

# already_running PIDFILE ANY EXACT: true when the recorded server runs (command line contains ANY)
# exactly as asked (EXACT, same variant); exits 1 when it runs on another port or as the other variant.
already_running() {
  local cmd
  alive "$1" "$2" || return 1
  cmd=$(cmdline "$(<"$1")")
  [[ "$cmd" == *"$3"* ]] || fail "already running in $LAB_RUN_DIR on another port ($cmd); run stop.sh first"
  [[ "$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)" == "$LAB_VARIANT" ]] ||
    fail "already running as variant '$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)' in $LAB_RUN_DIR; run stop.sh first"
}

# exit_if_running NAME PIDFILE ANY EXACT: a single-server lab already up as asked says so and exits 0.
exit_if_running() {
  already_running "$2" "$3" "$4" || return 0
  echo "$1 ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pid $(<"$2"))"
  exit 0
}

http_up() { # http_up URL: any HTTP answer at all
  local code
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null) || true
  [[ -n "$code" && "$code" != 000 ]]
}

port_free() { # port_free PORT: nothing accepts connections on 127.0.0.1:PORT
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# claim_port PIDFILE VAR [ADVICE]: forget a stale PID file; exit 1 when 127.0.0.1:$VAR is taken.
claim_port() {
  rm -f "$1"
  port_free "${!2}" || fail "port 127.0.0.1:${!2} ($2) is already in use${3:+; $3}"
}

# lab_apt PACKAGE...: install Debian packages when root with apt-get; false otherwise.
lab_apt() {
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
  echo "start.sh: installing $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; }
}

lab_npm_ci() { # node_modules from the lab's committed lock file
  command -v npm >/dev/null || fail "npm is required to install the lab's dependencies"
  (cd "$LAB_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2 || fail "npm ci failed"
}

# clean_env [NAME=VALUE...]: CLEAN_ENV, the small fixed environment servers get (nothing of the caller's).
clean_env() {
  CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$LAB_RUN_DIR" "LAB_VARIANT=$LAB_VARIANT" "$@")
}

# lab_secret VAR FILE COMMAND...: adds VAR=$VAR to CLEAN_ENV; when unset, the value kept in the run
# dir's FILE, written once (mode 600) by COMMAND.
lab_secret() {
  local var=$1 file="$LAB_RUN_DIR/$2"; shift 2
  if [[ -z "${!var:-}" ]]; then
    [[ -s "$file" ]] || (umask 077; "$@" >"$file")
    printf -v "$var" '%s' "$(<"$file")"
  fi
  CLEAN_ENV+=("$var=${!var}")
}

# spawn PIDFILE LOG COMMAND...: COMMAND in its own session, in $LAB_DIR, with CLEAN_ENV, output
# appended to LOG; its PID goes to PIDFILE.
spawn() {
  local pidfile=$1 log=$2; shift 2
  (cd "$LAB_DIR" && exec setsid "${CLEAN_ENV[@]}" "$@" </dev/null >>"$log" 2>&1) &
  echo $! >"$pidfile"
}

# wait_up PIDFILE PATTERN URL LOG NAME: wait up to TIMEOUT seconds for URL to answer. A server that
# exits fails the start; one that does not answer in time is stopped (exactly its PID) first.
wait_up() {
  local pid deadline=$((SECONDS + TIMEOUT)) addr=${3#http://}
  addr=${addr%%/*}
  pid=$(<"$1")
  until http_up "$3"; do
    running "$pid" || fail "$5 exited during start-up" "$4"  # (exec may not have happened yet: no cmdline check here)
    if (( SECONDS >= deadline )); then
      stop_pid "$1" "$2" "$5" >&2
      rm -f "$LAB_RUN_DIR/variant"
      fail "$5 did not answer on http://$addr/ within ${TIMEOUT}s; stopped it" "$4"
    fi
    sleep 0.1
  done
  alive "$1" "$2" || fail "$5 is not running, yet $addr answers" "$4"
}

# stop_pid PIDFILE PATTERN NAME: stop the recorded PID if its command line contains PATTERN
# (TERM, then KILL after 5 s), wait until it is gone, remove PIDFILE.
stop_pid() {
  local pid
  [[ -f "$1" ]] || return 0
  pid=$(<"$1")
  if alive "$1" "$2"; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -9 "$pid" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done  # let init reap it
    echo "stopped $3 (pid $pid)"
  fi
  rm -f "$1"
}
