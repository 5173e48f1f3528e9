#!/usr/bin/env bash
# Measures a default scan of every lab variant: wall time, requests sent, peak
# memory (max RSS of the parapet process) and CPU seconds, and the proof the
# deserialization check reached. Not part of CI.
#   bash bench/scan-labs.sh            # prints a Markdown table
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=/usr/local/go/bin:$PATH AWS_EC2_METADATA_DISABLED=true
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null
RUN=$(mktemp -d /tmp/parapet-bench.XXXXXX)
. scripts/labs.sh
trap 'labs_stop "$RUN"; rm -rf "$RUN"' EXIT
go build -o "$RUN/parapet" ./cmd/parapet
labs_start "${PARAPET_BENCH_PORT_BASE:-18900}" "$RUN" >/dev/null
echo "| lab | variant | wall s | requests | findings | score | deserialization | peak RSS MiB | CPU s |"
echo "|---|---|---|---|---|---|---|---|---|"
for entry in "${LABS[@]}"; do
  read -r lab name _ _ <<<"$entry"
  for variant in vulnerable fixed; do
    var="PARAPET_LAB_${name}_URL"; [[ $variant == fixed ]] && var="PARAPET_LAB_${name}_FIXED_URL"
    url=${!var:-}; [[ -n $url ]] || continue
    /usr/bin/time -f '%e %M %U %S' -o "$RUN/time" "$RUN/parapet" scan --quiet -f json="$RUN/r.json" "$url" || true
    read -r wall rss usr sys <"$RUN/time"
    python3 - "$RUN/r.json" "$lab" "$variant" "$wall" "$rss" "$usr" "$sys" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lab, variant, wall, rss, usr, sys_ = sys.argv[2:]
rank = {"confirmed": 2, "firm": 1, "tentative": 0}
deser = [f for f in r["findings"] if f["category"] == "deserialization"]
best = max(deser, key=lambda f: rank[f["confidence"]], default=None)
proof = f"{best['severity']}/{best['confidence']}" if best else "none"
print(f"| {lab} | {variant} | {float(wall):.2f} | {r['stats']['requests']} | {len(r['findings'])} | "
      f"{r['score']} ({r['grade']}) | {proof} | {int(rss)/1024:.1f} | {float(usr)+float(sys_):.2f} |")
PY
  done
done
