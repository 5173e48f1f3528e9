#!/usr/bin/env bash
# Start the java-objectinputstream lab: cart-service on the JDK's built-in HttpServer, 127.0.0.1 only.
# Env: LAB_PORT (8725), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/java-objectinputstream/.run),
#      LAB_START_TIMEOUT (30 s), LAB_SECRET_KEY (fixed variant's HMAC key; default: a random key
#      kept in the run dir).
# Compiles src/ with javac into $LAB_RUN_DIR/classes only when the sources (or javac) changed.
# Idempotent: a server whose recorded PID is alive is left alone.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PORT=${LAB_PORT:-8725}
LAB_VARIANT=${LAB_VARIANT:-vulnerable}
LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
TIMEOUT=${LAB_START_TIMEOUT:-30}

case "$LAB_VARIANT" in vulnerable|fixed) ;; *) echo "start.sh: LAB_VARIANT must be vulnerable or fixed" >&2; exit 2 ;; esac
[[ "$LAB_PORT" =~ ^[0-9]+$ ]] && (( LAB_PORT > 0 && LAB_PORT < 65536 )) || { echo "start.sh: bad LAB_PORT '$LAB_PORT'" >&2; exit 2; }
mkdir -p "$LAB_RUN_DIR"
LAB_RUN_DIR=$(cd "$LAB_RUN_DIR" && pwd)

# alive PIDFILE PATTERN: the recorded PID runs and its command line matches (guards against PID reuse).
alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

fail() { # fail MESSAGE [LOG]
  echo "start.sh: $1" >&2
  [[ -n "${2:-}" && -s "$2" ]] && { echo "--- last lines of $2 ---" >&2; tail -n 30 "$2" >&2; }
  exit 1
}

http_up() { # any HTTP answer at all
  local code
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null) || true
  [[ -n "$code" && "$code" != 000 ]]
}

port_free() { # nothing accepts connections on 127.0.0.1:PORT
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

PID_FILE="$LAB_RUN_DIR/java.pid"; LOG="$LAB_RUN_DIR/java.log"
PATTERN="shop.ShopServer --port $LAB_PORT "

if alive "$PID_FILE" "$PATTERN"; then
  if [[ "$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)" != "$LAB_VARIANT" ]]; then
    fail "already running as variant '$(cat "$LAB_RUN_DIR/variant" 2>/dev/null)' in $LAB_RUN_DIR; run stop.sh first"
  fi
  echo "java-objectinputstream ($LAB_VARIANT) already running: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
  exit 0
fi
rm -f "$PID_FILE"
port_free "$LAB_PORT" || fail "port 127.0.0.1:$LAB_PORT (LAB_PORT) is already in use"

# Dependency: a JDK 17 (javac + java), from Debian when missing and we are root.
if ! command -v javac >/dev/null || ! command -v java >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "start.sh: installing openjdk-17-jdk-headless" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless >&2; }
  else
    fail "javac/java not found: apt-get install openjdk-17-jdk-headless"
  fi
fi
JAVA=$(command -v java); JAVAC=$(command -v javac)

# Compile only when the sources or the compiler changed (content hash, not mtimes).
CLASSES="$LAB_RUN_DIR/classes"
mapfile -t SOURCES < <(cd "$LAB_DIR" && find src -name '*.java' | LC_ALL=C sort)
HASH=$({ "$JAVAC" -version 2>&1; (cd "$LAB_DIR" && sha256sum "${SOURCES[@]}"); } | sha256sum | cut -d' ' -f1)
if [[ ! -f "$CLASSES/shop/ShopServer.class" || "$(cat "$LAB_RUN_DIR/classes.sha256" 2>/dev/null)" != "$HASH" ]]; then
  rm -rf "$CLASSES.tmp" "$LAB_RUN_DIR/classes.sha256"
  (cd "$LAB_DIR" && "$JAVAC" --release 17 -encoding UTF-8 -Xlint:all -d "$CLASSES.tmp" "${SOURCES[@]}") >>"$LOG" 2>&1 ||
    fail "javac failed" "$LOG"
  rm -rf "$CLASSES"; mv "$CLASSES.tmp" "$CLASSES"
  echo "$HASH" >"$LAB_RUN_DIR/classes.sha256"
fi

# The server gets a small, fixed environment: nothing of the caller's (JAVA_TOOL_OPTIONS,
# JDK_JAVA_OPTIONS, a jdk.serialFilter, ...) changes what it does.
CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$LAB_RUN_DIR" "LAB_VARIANT=$LAB_VARIANT")
if [[ "$LAB_VARIANT" == fixed ]]; then
  if [[ -z "${LAB_SECRET_KEY:-}" ]]; then
    [[ -s "$LAB_RUN_DIR/secret_key" ]] || (umask 077; head -c 48 /dev/urandom | base64 -w0 >"$LAB_RUN_DIR/secret_key")
    LAB_SECRET_KEY=$(<"$LAB_RUN_DIR/secret_key")
  fi
  CLEAN_ENV+=("LAB_SECRET_KEY=$LAB_SECRET_KEY")
fi

setsid "${CLEAN_ENV[@]}" "$JAVA" -Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.net.preferIPv4Stack=true \
  -cp "$CLASSES" shop.ShopServer --port "$LAB_PORT" </dev/null >>"$LOG" 2>&1 &
echo $! >"$PID_FILE"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"

deadline=$((SECONDS + TIMEOUT))
until http_up "http://127.0.0.1:$LAB_PORT/"; do
  alive "$PID_FILE" "$PATTERN" || fail "cart-service exited during start-up" "$LOG"
  (( SECONDS < deadline )) || fail "cart-service did not answer on http://127.0.0.1:$LAB_PORT/ within ${TIMEOUT}s" "$LOG"
  sleep 0.1
done
alive "$PID_FILE" "$PATTERN" || fail "cart-service is not running, yet 127.0.0.1:$LAB_PORT answers" "$LOG"

echo "java-objectinputstream ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
