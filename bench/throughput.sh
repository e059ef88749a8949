#!/usr/bin/env bash
# Throughput of `nextgo start` against `nextgo dev` on the same app, paired
# in one run: examples/hello's GET /api/user under wrk (2 threads), each
# command measured in turn at each connection count. Prints requests per
# second, p50 and p99 latency, errors and non-2xx answers, and the ratio
# start/dev. Loopback only; every load run is bounded by its duration.
# Needs wrk (apt-get install -y wrk).
# Usage: bench/throughput.sh [seconds] [connections ...]   (default: 15 32 64)
set -euo pipefail
secs=${1:-15}
shift || true
conns=("${@:-32 64}")
conns=(${conns[@]})
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/nextgo" "$repo/cmd/nextgo"
cp -r "$repo/examples/hello" "$work/app"

# serve CMD PORT: starts `nextgo CMD` and waits for its first answer.
serve() {
  "$work/nextgo" "$1" "$work/app" --port "$2" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 1200); do  # bounded: at most ~120 s (first build)
    curl -sf "http://127.0.0.1:$2/api/user" >/dev/null && return 0
    sleep 0.1
  done
  cat "$work/$1.log" >&2
  return 1
}
dev_port=$((20000 + RANDOM % 10000))
start_port=$((dev_port + 1))
serve dev "$dev_port"
serve start "$start_port"

# load PORT CONNS: prints "rps p50 p99 errors non2xx".
load() {
  local out
  out=$(wrk -t2 -c"$2" -d"${secs}s" --latency "http://127.0.0.1:$1/api/user")
  local rps p50 p99 errs non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errs=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps ${p50:-?} ${p99:-?} ${errs:-0} ${non2xx:-0}"
}

# Warm both (the start front's first requests are cold starts).
wrk -t2 -c"${conns[-1]}" -d3s "http://127.0.0.1:$dev_port/api/user" >/dev/null
wrk -t2 -c"${conns[-1]}" -d3s "http://127.0.0.1:$start_port/api/user" >/dev/null

printf '%-6s %-6s %12s %10s %10s %7s %7s\n' conns cmd req/s p50 p99 errors non2xx
for c in "${conns[@]}"; do
  read -r drps dp50 dp99 derr dnon <<<"$(load "$dev_port" "$c")"
  read -r srps sp50 sp99 serr snon <<<"$(load "$start_port" "$c")"
  printf '%-6s %-6s %12s %10s %10s %7s %7s\n' "$c" dev "$drps" "$dp50" "$dp99" "$derr" "$dnon"
  printf '%-6s %-6s %12s %10s %10s %7s %7s\n' "$c" start "$srps" "$sp50" "$sp99" "$serr" "$snon"
  echo "$c connections: start/dev = $(echo "scale=3; $srps / $drps" | bc)"
done
