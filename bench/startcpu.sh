#!/usr/bin/env bash
# CPU cost of one `nextgo start` request: examples/hello's GET /api/user
# under wrk (2 threads), with the CPU time (user + system) the front process
# and its function processes spent during the load, per request, and the
# machine's context switches per request (/proc/stat's ctxt). Throughput on
# a shared machine is noisy; CPU time per request is much less so, and it is
# what the throughput of a CPU-bound run follows.
#
# Given nextgo executables, it serves the app with each of them at once and
# interleaves their runs, to compare them under the same conditions (for
# example: go build -o /tmp/before ./cmd/nextgo on the old commit, then
# bench/startcpu.sh 5 32 3 /tmp/before /tmp/after). Without, it builds the
# nextgo of this repository. Loopback only; every load run is bounded by its
# duration. Needs wrk (apt-get install -y wrk).
# Usage: bench/startcpu.sh [seconds] [connections] [runs] [nextgo ...]   (default: 5 32 3)
set -euo pipefail
secs=${1:-5}
conns=${2:-32}
runs=${3:-3}
shift 3 || shift $#
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
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  (cd "$repo" && go build -o "$work/nextgo" ./cmd/nextgo)
  bins=("$work/nextgo")
fi
hz=$(getconf CLK_TCK)

ports=()
for i in "${!bins[@]}"; do
  cp -r "$repo/examples/hello" "$work/app$i"
  port=$((20000 + RANDOM % 10000))
  "${bins[$i]}" start "$work/app$i" --port "$port" >"$work/start$i.log" 2>&1 &
  pids+=($!)
  ports+=("$port")
  for _ in $(seq 1 1200); do  # bounded: at most ~120 s (first build)
    curl -sf "http://127.0.0.1:$port/api/user" >/dev/null && break
    sleep 0.1
  done
  wrk -t2 -c"$conns" -d3s "http://127.0.0.1:$port/api/user" >/dev/null # warm
done

# ticks PID: utime+stime of PID in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# fnticks PID: the CPU ticks of PID's children (the function processes).
fnticks() {
  local t=0 c
  for c in $(awk -v p="$1" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null); do t=$((t + $(ticks "$c"))); done
  echo "$t"
}
ctxt() { awk '$1 == "ctxt" {print $2}' /proc/stat; }

printf '%-4s %-24s %10s %9s %9s %12s %12s %9s\n' run nextgo req/s p50 p99 front-us/req fn-us/req ctxt/req
for r in $(seq 1 "$runs"); do
  for i in "${!bins[@]}"; do
    pid=${pids[$i]}
    f0=$(ticks "$pid"); n0=$(fnticks "$pid"); c0=$(ctxt)
    out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:${ports[$i]}/api/user")
    f1=$(ticks "$pid"); n1=$(fnticks "$pid"); c1=$(ctxt)
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    printf '%-4s %-24s %10s %9s %9s %12.1f %12.1f %9.1f\n' "$r" "$(basename "${bins[$i]}")" \
      "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" \
      "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
      "$(echo "($f1 - $f0) * 1000000 / $hz / $reqs" | bc -l)" \
      "$(echo "($n1 - $n0) * 1000000 / $hz / $reqs" | bc -l)" \
      "$(echo "($c1 - $c0) / $reqs" | bc -l)"
  done
done
