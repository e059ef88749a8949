#!/usr/bin/env bash
# Soaks `nextgo start` for a bounded time on loopback: examples/hello plus a
# route that panics on 1% of its requests and one that outlasts its
# one-second maxDuration, under wrk (2 threads, 64 connections). It passes
# when every answer is a 200, or a 500 from the panicking route, or a 504
# from the slow one, wrk saw no connection error, and the resident memory of
# the front and of the function processes is flat: the mean of the last 10 s
# within 10% of the mean of the first 10 s. Prints the figures.
# Needs wrk (apt-get install -y wrk).
# Usage: bench/soak.sh [seconds] [connections]   (default: 60 64)
set -euo pipefail
secs=${1:-60}
conns=${2:-64}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/nextgo" "$repo/cmd/nextgo"
cp -r "$repo/examples/hello" "$work/app"
cat >"$work/app/pages/api/flaky.go" <<'GO'
package api

import (
	"math/rand/v2"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

// Handler panics on 1% of requests.
func Handler(req *api.Request, res *api.Response) {
	if rand.IntN(100) == 0 {
		panic("flaky: the 1%")
	}
	res.JSON(map[string]bool{"ok": true})
}
GO
cat >"$work/app/pages/api/slow.go" <<'GO'
package api

import (
	"time"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

var Config = api.Config{MaxDuration: 1}

// Handler outlasts its maxDuration: the runtime answers 504.
func Handler(req *api.Request, res *api.Response) {
	select {
	case <-time.After(3 * time.Second):
		res.Send("too late")
	case <-req.Context().Done():
	}
}
GO
# One request in 50 goes to the slow route, the rest alternate between
# the plain and the panicking one. Each thread counts the answers it got by
# kind (route told by the body); a request wrk cuts at the end gets none.
cat >"$work/soak.lua" <<'LUA'
local paths = {}
for i = 1, 49 do paths[i] = (i % 2 == 0) and "/api/flaky" or "/api/user" end
paths[50] = "/api/slow"
local n = 0
local threads = {}
counts = {}
function setup(thread) table.insert(threads, thread) end
function init() n = math.random(50) end
function request()
  n = n % 50 + 1
  return wrk.format("GET", paths[n])
end
function response(status, headers, body)
  local kind
  if status == 200 and body == '{"name":"John Doe"}' then kind = "200 /api/user"
  elseif status == 200 and body == '{"ok":true}' then kind = "200 /api/flaky"
  elseif status == 500 then kind = "500 (the panicking route)"
  elseif status == 504 then kind = "504 (the slow route)"
  else kind = "unexpected " .. status .. " " .. string.sub(body, 1, 60) end
  counts[kind] = (counts[kind] or 0) + 1
end
function done()
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("answer %8d %s\n", v, k)) end
end
LUA
port=$((20000 + RANDOM % 20000))
"$work/nextgo" start "$work/app" --port "$port" >"$work/start.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do  # bounded: at most ~120 s (first build)
  curl -sf "http://127.0.0.1:$port/api/user" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/api/user" >/dev/null || { cat "$work/start.log" >&2; exit 1; }

# Warm up: every pool at the size the load keeps it.
wrk -t2 -c"$conns" -d5s --timeout 10s -s "$work/soak.lua" "http://127.0.0.1:$port" >/dev/null

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sample() {  # front-kB functions-kB processes, once a second for $secs s
  for _ in $(seq 1 "$secs"); do
    local fn=0 n=0
    for c in $(pgrep -P "$pid"); do fn=$((fn + $(rss "$c"))); n=$((n + 1)); done
    echo "$(rss "$pid") $fn $n"
    sleep 1
  done
}
sample >"$work/rss.txt" &
sampler=$!
wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$work/soak.lua" "http://127.0.0.1:$port" >"$work/wrk.txt"
wait "$sampler"

echo "== wrk ($secs s, $conns connections)"
grep -E "requests in|Requests/sec|Socket errors|Non-2xx|99%" "$work/wrk.txt" || true
echo "== answers"
grep '^answer' "$work/wrk.txt" | sort -k3
fail=0
if grep -q "Socket errors" "$work/wrk.txt"; then echo "FAIL: connection errors"; fail=1; fi
if grep -q '^answer .* unexpected' "$work/wrk.txt"; then echo "FAIL: unexpected answers"; fail=1; fi
if ! grep -q '^answer .* 504' "$work/wrk.txt" || ! grep -q '^answer .* 500' "$work/wrk.txt"; then
  echo "FAIL: no 500 or no 504 seen: the soak did not exercise both faults"; fail=1
fi
echo "== resident memory (kB): first 10 s, last 10 s"
awk -v n="$secs" '
  NR <= 10 {f1 += $1; g1 += $2; p1 += $3}
  NR > n - 10 {f2 += $1; g2 += $2; p2 += $3}
  END {
    printf "front     %9.0f %9.0f  %+.1f%%\n", f1/10, f2/10, (f2-f1)/f1*100
    printf "functions %9.0f %9.0f  %+.1f%%  (%.0f → %.0f processes)\n", g1/10, g2/10, (g2-g1)/g1*100, p1/10, p2/10
    if ((f2-f1)/f1 > 0.10 || (f1-f2)/f1 > 0.10 || (g2-g1)/g1 > 0.10 || (g1-g2)/g1 > 0.10) exit 1
  }' "$work/rss.txt" || { echo "FAIL: memory not flat within 10%"; fail=1; }
[ "$fail" -eq 0 ] && echo "PASS"
exit "$fail"
