#!/usr/bin/env bash
# Times `nextgo dev`'s edit → first new answer: edit a route while the dev
# server runs and poll until the new response arrives. Prints each round and
# the median. Usage: bench/devloop.sh [rounds]   (default 5)
set -euo pipefail
rounds=${1:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/nextgo" "$repo/cmd/nextgo"
cp -r "$repo/examples/hello" "$work/app"
port=$((20000 + RANDOM % 20000))
"$work/nextgo" dev "$work/app" --port "$port" >"$work/dev.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port/api/user"
for _ in $(seq 1 600); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
curl -sf "$url" >/dev/null || { cat "$work/dev.log"; exit 1; }
file="$work/app/pages/api/user.go"
times=()
for i in $(seq 1 "$rounds"); do
  name="Jane $i"
  sed -i "s/Name: \"[^\"]*\"/Name: \"$name\"/" "$file"
  start=$(date +%s%N)
  for _ in $(seq 1 3000); do  # bounded: at most ~30 s
    if curl -s "$url" | grep -q "$name"; then break; fi
    sleep 0.01
  done
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  times+=("$ms")
  echo "round $i: ${ms} ms"
  sleep 0.3
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "median edit → first new answer: ${sorted[$(( ${#sorted[@]} / 2 ))]} ms"
