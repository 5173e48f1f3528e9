#!/usr/bin/env bash
# Overhead ratio per lab: a default scan's wall time divided by the time a
# plain Go client (bench/replay) takes to send the same requests with the same
# concurrency (10) and no rate limit — the physical limit for that target.
# The request list is recorded by scanning through bench/replay's logging
# proxy; the scan times are taken WITHOUT the proxy (directly against the
# lab), best of 3, once with the default rate (100 req/s) and once with
# --rate 0 (unlimited, the like-for-like comparison). The last column replays
# the list with one worker: a scan whose wall time is close to it is, in
# effect, sending its requests one after another. Not part of CI.
#   bash bench/overhead.sh            # prints a Markdown table
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=/usr/local/go/bin:$PATH AWS_EC2_METADATA_DISABLED=true
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
RUN=$(mktemp -d /tmp/parapet-overhead.XXXXXX)
PROXY_PID="" API_PID=""
. scripts/labs.sh
cleanup() { [[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null; [[ -n $API_PID ]] && kill "$API_PID" 2>/dev/null; labs_stop "$RUN"; rm -rf "$RUN"; }
trap cleanup EXIT
go build -o "$RUN/parapet" ./cmd/parapet
go build -o "$RUN/replay" ./bench/replay
BASE=${PARAPET_BENCH_PORT_BASE:-18900}
PROXY_PORT=$((BASE + 190))
labs_start "$BASE" "$RUN" >/dev/null
REPS=${PARAPET_BENCH_REPS:-3}

# best_scan URL [flags...]: best wall time (s) of REPS direct scans.
best_scan() {
  local url=$1 best="" w; shift
  for _ in $(seq "$REPS"); do
    timeout 300 /usr/bin/time -f '%e' -o "$RUN/time" "$RUN/parapet" scan --quiet -f json="$RUN/d.json" "$@" "$url" >/dev/null || true
    w=$(<"$RUN/time")
    if [[ -z $best ]] || awk "BEGIN{exit !($w < $best)}"; then best=$w; fi
  done
  echo "$best"
}

echo "| lab | variant | requests (proxied scan) | requests (direct scan) | requests (replayed) | scan wall s, default rate | scan wall s, --rate 0 | replay wall s | ratio, default rate | ratio, --rate 0 | replay wall s, 1 worker |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"

# measure LAB VARIANT URL [scan flags...]: one table row.
measure() {
  local lab=$1 variant=$2 url=$3 log preq dreq wdef w0 best n w errs serial; shift 3
  log="$RUN/$lab-$variant.log"; : >"$log"
  "$RUN/replay" proxy -listen "127.0.0.1:$PROXY_PORT" -target "$url" -log "$log" >/dev/null &
  PROXY_PID=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null && break; sleep 0.1; done
  timeout 300 "$RUN/parapet" scan --quiet -f json="$RUN/p.json" "$@" "http://127.0.0.1:$PROXY_PORT/" >/dev/null || true
  kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=""
  preq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["requests"])' "$RUN/p.json")
  wdef=$(best_scan "$url" "$@")
  dreq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["requests"])' "$RUN/d.json")
  w0=$(best_scan "$url" "$@" --rate 0)
  best=""; n=0
  for _ in $(seq "$REPS"); do
    read -r n w errs < <("$RUN/replay" replay -target "$url" -log "$log" -c 10)
    if [[ -z $best ]] || awk "BEGIN{exit !($w < $best)}"; then best=$w; fi
  done
  read -r _ serial _ < <("$RUN/replay" replay -target "$url" -log "$log" -c 1)
  awk -v s="$serial" -v lab="$lab" -v v="$variant" -v p="$preq" -v d="$dreq" -v n="$n" -v a="$wdef" -v b="$w0" -v r="$best" \
    'BEGIN{printf "| %s | %s | %s | %s | %s | %.2f | %.2f | %.3f | %.1f | %.1f | %.3f |\n", lab, v, p, d, n, a, b, r, a/r, b/r, s}'
}

for entry in "${LABS[@]}"; do
  read -r lab name _ _ <<<"$entry"
  for variant in vulnerable fixed; do
    var="PARAPET_LAB_${name}_URL"; [[ $variant == fixed ]] && var="PARAPET_LAB_${name}_FIXED_URL"
    url=${!var:-}; [[ -n $url ]] || continue
    measure "$lab" "$variant" "$url"
  done
done
# The generated API of bench/growth.sh (a fast Go server: the limit is the
# scanner, not the target), standard and deep profile.
API_PORT=$((BASE + 195))
"$RUN/replay" api -listen "127.0.0.1:$API_PORT" -ops "${PARAPET_BENCH_API_OPS:-1000}" >/dev/null &
API_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$API_PORT") 2>/dev/null && break; sleep 0.1; done
measure "generated-api-${PARAPET_BENCH_API_OPS:-1000}-ops" standard "http://127.0.0.1:$API_PORT/"
measure "generated-api-${PARAPET_BENCH_API_OPS:-1000}-ops" "deep profile" "http://127.0.0.1:$API_PORT/" --profile deep
