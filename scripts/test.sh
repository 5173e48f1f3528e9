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
for pkg in python3-django python3-boto3 python3-jsonschema python3-flask python3-yaml python3-jsonpickle \
  php-cli ruby ruby-webrick openjdk-17-jdk-headless curl; do
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
command -v node >/dev/null || { echo "Node.js is required for the dynalite and Express labs" >&2; exit 1; }
command -v javac >/dev/null || { echo "javac (JDK 17) is required for the Java lab" >&2; exit 1; }
go mod download

step "labs"
RUN=$(mktemp -d /tmp/parapet-labs.XXXXXX)
. scripts/labs.sh
trap 'labs_stop "$RUN"; rm -rf "$RUN"' EXIT
# PARAPET_TEST_PORT_BASE moves every lab port, so a developer's own labs do not collide.
labs_start "${PARAPET_TEST_PORT_BASE:-18700}" "$RUN"

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
