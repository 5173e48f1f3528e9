#!/usr/bin/env bash
# The test command of README.md. On a fresh Debian machine it installs what the
# tests need (idempotently), starts every lab on 127.0.0.1 once, runs the
# static checks and the whole Go suite (race detector on), a short fuzz run,
# and stops the labs whatever happens.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
export AWS_EC2_METADATA_DISABLED=true
export PATH=/usr/local/go/bin:$PATH

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
need=()
for pkg in python3-django python3-boto3 python3-jsonschema curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]} (run as root or install them)" >&2
    exit 1
  fi
fi
command -v go >/dev/null || { echo "Go is required (expected at /usr/local/go)" >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js is required for the dynalite lab" >&2; exit 1; }
go mod download

step "labs"
RUN=$(mktemp -d /tmp/parapet-labs.XXXXXX)
stop_labs() {
  LAB_RUN_DIR="$RUN/django-vuln" bash labs/django-dynamo/stop.sh >/dev/null 2>&1 || true
  LAB_RUN_DIR="$RUN/django-fixed" bash labs/django-dynamo/stop.sh >/dev/null 2>&1 || true
  rm -rf "$RUN"
}
trap stop_labs EXIT
# Ports from the environment, so a developer's own lab instances do not collide.
VULN_PORT=${PARAPET_TEST_DJANGO_PORT:-18701}
FIXED_PORT=${PARAPET_TEST_DJANGO_FIXED_PORT:-18711}
LAB_VARIANT=vulnerable LAB_PORT=$VULN_PORT DYNALITE_PORT=$((VULN_PORT + 1)) LAB_RUN_DIR="$RUN/django-vuln" \
  bash labs/django-dynamo/start.sh
LAB_VARIANT=fixed LAB_PORT=$FIXED_PORT DYNALITE_PORT=$((FIXED_PORT + 1)) LAB_RUN_DIR="$RUN/django-fixed" \
  bash labs/django-dynamo/start.sh
export PARAPET_LAB_DJANGO_URL="http://127.0.0.1:$VULN_PORT/"
export PARAPET_LAB_DJANGO_FIXED_URL="http://127.0.0.1:$FIXED_PORT/"

step "static checks"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './labs/*'))
if [[ -n "$unformatted" ]]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi
go vet ./...
go mod tidy -diff

step "tests (race detector on)"
go test -race -count=1 ./... 2>&1 | tee "$RUN/go-test.log"

step "short fuzzing"
for target in $(grep -rl --include='*_test.go' -E '^func Fuzz' internal | xargs -n1 dirname | sort -u); do
  for fn in $(grep -h -oE '^func (Fuzz[A-Za-z0-9_]+)' "$target"/*_test.go | awk '{print $2}'); do
    go test -run='^$' -fuzz="^${fn}\$" -fuzztime=5s "./$target" >/dev/null
    echo "fuzzed $fn in $target for 5s"
  done
done

passed=$(grep -c -E '^ok ' "$RUN/go-test.log" || true)
echo
echo "all checks passed: $passed packages ok"
