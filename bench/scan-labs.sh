#!/usr/bin/env bash
# Measures a default scan of each lab variant: wall time, requests sent, peak
# memory (max RSS of the parapet process) and CPU seconds. Not part of CI.
#   bash bench/scan-labs.sh            # prints a Markdown table
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH=/usr/local/go/bin:$PATH AWS_EC2_METADATA_DISABLED=true
[[ -x /usr/bin/time ]] || { apt-get install -y -qq time >/dev/null; }
RUN=$(mktemp -d /tmp/parapet-bench.XXXXXX)
trap 'for v in vuln fixed; do LAB_RUN_DIR="$RUN/$v" bash labs/django-dynamo/stop.sh >/dev/null 2>&1 || true; done; rm -rf "$RUN"' EXIT
go build -o "$RUN/parapet" ./cmd/parapet
LAB_VARIANT=vulnerable LAB_PORT=18801 DYNALITE_PORT=18802 LAB_RUN_DIR="$RUN/vuln" bash labs/django-dynamo/start.sh >/dev/null
LAB_VARIANT=fixed LAB_PORT=18811 DYNALITE_PORT=18812 LAB_RUN_DIR="$RUN/fixed" bash labs/django-dynamo/start.sh >/dev/null
echo "| target | wall s | requests | findings | score | peak RSS MiB | CPU s |"
echo "|---|---|---|---|---|---|---|"
for pair in "django-dynamo vulnerable=http://127.0.0.1:18801/" "django-dynamo fixed=http://127.0.0.1:18811/"; do
  name=${pair%%=*}; url=${pair#*=}
  /usr/bin/time -f '%e %M %U %S' -o "$RUN/time" "$RUN/parapet" scan --quiet -f json="$RUN/r.json" "$url" || true
  read -r wall rss usr sys <"$RUN/time"
  python3 - "$RUN/r.json" "$name" "$wall" "$rss" "$usr" "$sys" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
name, wall, rss, usr, sys_ = sys.argv[2:]
print(f"| {name} | {float(wall):.2f} | {r['stats']['requests']} | {len(r['findings'])} | {r['score']} ({r['grade']}) | {int(rss)/1024:.1f} | {float(usr)+float(sys_):.2f} |")
PY
done
