# Sourced by scripts/test.sh and bench/scan-labs.sh: the one table of labs and
# how to start and stop them. Each variant's port + 1 is left free for a
# helper server (the Django lab's dynalite uses it).
#   labs_start BASE RUN_DIR    start every lab, both variants, exporting
#                              PARAPET_LAB_<NAME>[_FIXED]_URL
#   labs_stop RUN_DIR          stop what labs_start started there

LABS=(
  "django-dynamo DJANGO 1 11"
  "express-node-serialize EXPRESS 21 31"
  "php-unserialize PHP 41 51"
  "ruby-marshal RUBY 61 71"
  "java-objectinputstream JAVA 81 91"
  "flask-yaml-jsonpickle FLASK 101 111"
)

labs_start() {
  local base=$1 run=$2 entry lab name vport fport variant port suffix dir
  for entry in "${LABS[@]}"; do
    read -r lab name vport fport <<<"$entry"
    [[ -f labs/$lab/start.sh ]] || continue
    for variant in vulnerable fixed; do
      port=$((base + vport)); suffix=""
      [[ $variant == fixed ]] && { port=$((base + fport)); suffix="_FIXED"; }
      dir="$run/$lab-$variant"; mkdir -p "$dir"; echo "$lab" >"$dir/lab"
      LAB_VARIANT=$variant LAB_PORT=$port DYNALITE_PORT=$((port + 1)) LAB_RUN_DIR="$dir" bash "labs/$lab/start.sh"
      export "PARAPET_LAB_${name}${suffix}_URL=http://127.0.0.1:$port/"
    done
  done
}

labs_stop() {
  local d
  for d in "$1"/*/; do
    [[ -f "$d/lab" ]] && LAB_RUN_DIR="$d" bash "labs/$(<"$d/lab")/stop.sh" >/dev/null 2>&1 || true
  done
}
