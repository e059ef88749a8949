#!/usr/bin/env bash
# CPU cost of one `nextgo start` request: examples/hello's GET /api/user
# under wrk (2 threads), with the CPU time (user + system) the front process
# and its function processes spent during the load, per request, and the
# system calls and context switches of the whole machine per request
# (/proc/stat's ctxt). Throughput on a shared machine is noisy; CPU time per
# request is much less so, and it is what the throughput of a CPU-bound
# run follows. Loopback only; every load run is bounded by its duration.
# Needs wrk (apt-get install -y wrk).
# Usage: bench/startcpu.sh [seconds] [connections] [runs]   (default: 5 32 3)
set -euo pipefail
secs=${1:-5}
conns=${2:-32}
runs=${3:-3}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
repo=${NEXTGO_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$repo" && go build -o "$work/nextgo" ./cmd/nextgo)
cp -r "$repo/examples/hello" "$work/app"
port=$((20000 + RANDOM % 10000))
"$work/nextgo" start "$work/app" --port "$port" >"$work/start.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do  # bounded: at most ~120 s (first build)
  curl -sf "http://127.0.0.1:$port/api/user" >/dev/null && break
  sleep 0.1
done
hz=$(getconf CLK_TCK)

# ticks PID: utime+stime of PID in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# children: the function processes (children of the front).
children() { awk -v p="$pid" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null; }
# fnticks: the function processes' CPU ticks together.
fnticks() { local t=0; for c in $(children); do t=$((t + $(ticks "$c"))); done; echo "$t"; }
ctxt() { awk '$1 == "ctxt" {print $2}' /proc/stat; }

wrk -t2 -c"$conns" -d3s "http://127.0.0.1:$port/api/user" >/dev/null # warm
printf '%-4s %10s %9s %9s %12s %12s %9s\n' run req/s p50 p99 front-us/req fn-us/req ctxt/req
for r in $(seq 1 "$runs"); do
  f0=$(ticks "$pid"); n0=$(fnticks); c0=$(ctxt)
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/api/user")
  f1=$(ticks "$pid"); n1=$(fnticks); c1=$(ctxt)
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-4s %10s %9s %9s %12.1f %12.1f %9.1f\n' "$r" "$rps" "$p50" "$p99" \
    "$(echo "($f1 - $f0) * 1000000 / $hz / $reqs" | bc -l)" \
    "$(echo "($n1 - $n0) * 1000000 / $hz / $reqs" | bc -l)" \
    "$(echo "($c1 - $c0) / $reqs" | bc -l)"
done
echo "function processes: $(children | wc -w)"
