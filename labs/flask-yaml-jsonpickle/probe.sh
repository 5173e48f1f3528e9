#!/usr/bin/env bash
# Send the README's test inputs to a running reportsvc and print status + body per case.
# prefs cookie: the original cookie (fresh from GET /api/prefs), the same cookie truncated to
#   half its length (on a 4-character boundary: still valid base64), and the class-not-found
#   canary base64('{"py/object": "nonexistent_mod.X"}').
# report config: the server's own template, the vulnerable template (with its !!python/object
#   tag), the own template truncated to half its length, and the canary
#   "!!python/name:nonexistent_mod.X ''".
# Benign inputs only. Usage: probe.sh http://127.0.0.1:8735
set -euo pipefail
BASE=${1:?usage: probe.sh http://127.0.0.1:PORT}
[[ "$BASE" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || { echo "probe.sh: 127.0.0.1 URLs only" >&2; exit 2; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

show() { # show LABEL CURL-ARGS... (the URL is the last argument)
  local label=$1 code
  shift
  : >"$TMP/body"
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$@") || true
  printf '%-56s %s  %s\n' "$label" "$code" "$(head -c "${PROBE_MAX:-300}" "$TMP/body" | tr '\n' ' ')"
}

# --- prefs cookie (jsonpickle / Flask session)
curl -s -o /dev/null -D "$TMP/headers" "$BASE/api/prefs"
ORIGINAL=$(sed -n 's/^[Ss]et-[Cc]ookie: prefs=\([^;]*\);.*/\1/p' "$TMP/headers" | tr -d '\r')
[[ -n "$ORIGINAL" ]] || { echo "probe.sh: no prefs cookie from $BASE/api/prefs" >&2; exit 1; }
half=$(( ${#ORIGINAL} / 2 / 4 * 4 ))
CANARY=$(printf '%s' '{"py/object": "nonexistent_mod.X"}' | base64 -w0)
for c in "original:$ORIGINAL" "truncated:${ORIGINAL:0:$half}" "canary:$CANARY"; do
  name=${c%%:*} v=${c#*:}
  show "GET /api/prefs  Cookie prefs=<$name>" -H "Cookie: prefs=$v" "$BASE/api/prefs"
  show "POST /api/prefs  Cookie prefs=<$name>" -H "Cookie: prefs=$v" -H 'Content-Type: application/json' \
    --data-binary '{"theme":"dark"}' "$BASE/api/prefs"
done

# --- report config (YAML)
curl -s "$BASE/api/reports/template" >"$TMP/template.json"
/usr/bin/python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["config"])' "$TMP/template.json" >"$TMP/original.yaml"
printf '%s' '!!python/object:reportsvc.models.ReportConfig
columns:
- id
- customer
- status
- total
filter_status: null
limit: 20
sort_by: created
title: Orders by status
' >"$TMP/tagged.yaml"
size=$(wc -c <"$TMP/original.yaml")
head -c $(( size / 2 )) "$TMP/original.yaml" >"$TMP/truncated.yaml"
printf '%s' "!!python/name:nonexistent_mod.X ''" >"$TMP/canary.yaml"
for name in original tagged truncated canary; do
  show "GET /api/reports/preview?config=<$name>" --get --data-urlencode "config@$TMP/$name.yaml" "$BASE/api/reports/preview"
  show "POST /api/reports/preview  application/yaml <$name>" -H 'Content-Type: application/yaml' \
    --data-binary "@$TMP/$name.yaml" "$BASE/api/reports/preview"
done
