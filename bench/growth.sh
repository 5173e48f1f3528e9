#!/usr/bin/env bash
# Growth with size: a generated OpenAPI 3.0 API (bench/replay api -ops N,
# spec at /openapi.json, every operation answers small JSON) scanned with
# default settings for each N. Prints N, operations discovered, wall s, requests, findings, whether a
# budget stopped the scan, and peak RSS. Not part of CI.
#   bash bench/growth.sh [N ...]       # default: 100 250 500 1000
#   PARAPET_SCAN_FLAGS="--rate 0 --max-requests 100000" bash bench/growth.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=/usr/local/go/bin:$PATH AWS_EC2_METADATA_DISABLED=true
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
RUN=$(mktemp -d /tmp/parapet-growth.XXXXXX)
API_PID=""
cleanup() { [[ -n $API_PID ]] && kill "$API_PID" 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT
go build -o "$RUN/parapet" ./cmd/parapet
go build -o "$RUN/replay" ./bench/replay
PORT=$(( ${PARAPET_BENCH_PORT_BASE:-18900} + 195 ))
SIZES=("$@"); [[ ${#SIZES[@]} -gt 0 ]] || SIZES=(100 250 500 1000)
read -r -a FLAGS <<<"${PARAPET_SCAN_FLAGS:-}"
echo "| operations | discovered | wall s | requests | findings | budget hit | peak RSS MiB | CPU s |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  "$RUN/replay" api -listen "127.0.0.1:$PORT" -ops "$n" >/dev/null &
  API_PID=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
  timeout 900 /usr/bin/time -f '%e %M %U %S' -o "$RUN/time" \
    "$RUN/parapet" scan --quiet -f json="$RUN/r.json" ${FLAGS[@]+"${FLAGS[@]}"} "http://127.0.0.1:$PORT/" >/dev/null || true
  kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""
  read -r wall rss usr sys <"$RUN/time"
  python3 - "$RUN/r.json" "$n" "$wall" "$rss" "$usr" "$sys" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n, wall, rss, usr, sys_ = sys.argv[2:]
st = r["stats"]
hit = ", ".join(k for k in ("budget_exhausted", "duration_exceeded", "target_failing", "interrupted") if st.get(k)) or "no"
print(f"| {n} | {st['operations']} | {float(wall):.2f} | {st['requests']} | {len(r['findings'])} | {hit} | {int(rss)/1024:.1f} | {float(usr)+float(sys_):.2f} |")
PY
done
