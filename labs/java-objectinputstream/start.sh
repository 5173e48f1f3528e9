#!/usr/bin/env bash
# Start the java-objectinputstream lab: cart-service on the JDK's built-in HttpServer, 127.0.0.1 only.
# Env: LAB_PORT (8725), LAB_VARIANT (vulnerable|fixed), LAB_RUN_DIR (labs/java-objectinputstream/.run),
#      LAB_START_TIMEOUT (30 s), LAB_SECRET_KEY (fixed variant's HMAC key; default: a random key
#      kept in the run dir).
# Compiles src/ with javac into $LAB_RUN_DIR/classes only when the sources (or javac) changed.
# Idempotent: a server whose recorded PID is alive is left alone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/lab.sh"

lab_env 8725
PID_FILE="$LAB_RUN_DIR/java.pid"; LOG="$LAB_RUN_DIR/java.log"
PATTERN="shop.ShopServer --port $LAB_PORT "

exit_if_running java-objectinputstream "$PID_FILE" "shop.ShopServer --port " "$PATTERN"
claim_port "$PID_FILE" LAB_PORT

# Dependency: a JDK 17 (javac + java), from Debian when missing and we are root.
jdk_ok() { command -v javac >/dev/null && command -v java >/dev/null; }
jdk_ok || { lab_apt openjdk-17-jdk-headless && jdk_ok; } || fail "javac/java not found: apt-get install openjdk-17-jdk-headless"
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

# Nothing of the caller's (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, a jdk.serialFilter, ...) changes what it does.
clean_env
[[ "$LAB_VARIANT" == fixed ]] && lab_secret LAB_SECRET_KEY secret_key sh -c 'head -c 48 /dev/urandom | base64 -w0'

spawn "$PID_FILE" "$LOG" "$JAVA" -Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
  -Djava.net.preferIPv4Stack=true -cp "$CLASSES" shop.ShopServer --port "$LAB_PORT"
echo "$LAB_VARIANT" >"$LAB_RUN_DIR/variant"
wait_up "$PID_FILE" "$PATTERN" "http://127.0.0.1:$LAB_PORT/" "$LOG" cart-service
echo "java-objectinputstream ($LAB_VARIANT) up: http://127.0.0.1:$LAB_PORT/ (pid $(<"$PID_FILE"))"
