#!/usr/bin/env bash
# Send the README's test inputs to a running cart-service and print status + body per case:
# the original state (fresh from GET /api/session), the same state truncated to half its
# length (cut on a 4-character boundary, so it is still valid base64), and the class-not-found
# canary (a Java serialization stream naming the nonexistent class parapet.Canary).
# Benign inputs only. Usage: probe.sh http://127.0.0.1:8725
set -euo pipefail
BASE=${1:?usage: probe.sh http://127.0.0.1:PORT}
[[ "$BASE" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || { echo "probe.sh: 127.0.0.1 URLs only" >&2; exit 2; }

CANARY='rO0ABXNyAA5wYXJhcGV0LkNhbmFyeQAAAAAAAAABAgAAeHA='
ORIGINAL=$(curl -s "$BASE/api/session" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p')
[[ -n "$ORIGINAL" ]] || { echo "probe.sh: no state from $BASE/api/session" >&2; exit 1; }
half=$(( ${#ORIGINAL} / 2 / 4 * 4 ))
TRUNCATED=${ORIGINAL:0:$half}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

show() { # show LABEL CURL-ARGS... (the URL is the last argument)
  local label=$1 code
  shift
  : >"$TMP/body"
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$@") || true
  printf '%-62s %s  %s\n' "$label" "$code" "$(head -c "${PROBE_MAX:-300}" "$TMP/body" | tr '\n' ' ')"
}
run() { # run NAME VALUE
  local name=$1 v=$2
  show "GET /api/session  Cookie session_state=<$name>" -H "Cookie: session_state=$v" "$BASE/api/session"
  show "GET /api/cart  X-Session-State: <$name>" -H "X-Session-State: $v" "$BASE/api/cart"
  show "GET /api/cart  Cookie session_state=<$name>" -H "Cookie: session_state=$v" "$BASE/api/cart"
  show "POST /api/cart/items  JSON state=<$name>" -H 'Content-Type: application/json' \
    --data-binary "{\"sku\":\"MUG-01\",\"qty\":1,\"state\":\"$v\"}" "$BASE/api/cart/items"
  show "POST /api/session/restore  text/plain <$name>" -H 'Content-Type: text/plain' --data-binary "$v" "$BASE/api/session/restore"
  if printf '%s' "$v" | base64 -d >"$TMP/raw" 2>/dev/null; then
    show "POST /api/session/restore  x-java-serialized-object <$name>" \
      -H 'Content-Type: application/x-java-serialized-object' --data-binary "@$TMP/raw" "$BASE/api/session/restore"
  fi
}
run original "$ORIGINAL"
run truncated "$TRUNCATED"
run canary "$CANARY"
