#!/usr/bin/env bash
# Times `nextgo build` of an app with N routes against the floor: one
# `go build -o dir/` of N trivial aws-lambda-go mains with the same flags
# (GOOS=linux GOARCH=arm64 CGO_ENABLED=0 -trimpath -tags lambda.norpc -s -w).
# Each is timed cold (empty build cache), warm relinking every binary
# (new code in every source), after a code change in one route (so that one
# binary is relinked), and as a no-op rebuild.
# Usage: bench/buildtime.sh [N ...]   (default: 1 10 50)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/nextgo" "$repo/cmd/nextgo"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local NEXTGO_CACHE="$work/nextgo-cache"
secs() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; echo "scale=2; ($(date +%s%N) - $s) / 1000000000" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

for n in "${@:-1 10 50}"; do
  for n in $n; do
    app="$work/app$n" floor="$work/floor$n"
    mkdir -p "$app/pages/api" "$floor"
    printf 'module example.com/app%d\n\ngo 1.24\n\nrequire github.com/nextgo-dev/nextgo v0.1.0\n' "$n" >"$app/go.mod"
    cp "$repo/go.mod" "$floor/go.mod"; cp "$repo/go.sum" "$floor/go.sum"
    sed -i "1s|.*|module example.com/floor$n|" "$floor/go.mod"
    for i in $(seq 1 "$n"); do
      cat >"$app/pages/api/r$i.go" <<GO
package api

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) { res.JSON(map[string]int{"route": $i}) }
GO
      mkdir -p "$floor/r$i"
      cat >"$floor/r$i/main.go" <<GO
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{\"route\":$i}"}, nil
}

func main() { lambda.Start(handle) }
GO
    done
    floorbuild() { (cd "$floor" && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc -ldflags="-s -w" -o "$floor/bin/" ./...); }
    ngbuild() { "$work/nextgo" build "$app"; }
    # touchall adds a function to every source file: new code, so that every
    # binary is relinked (a comment alone changes no object file).
    touchall() { find "$1" -name '*.go' -not -path '*/_nextgo/*' -exec sh -c 'echo "func touched$(date +%s%N)() int { return 1 }" >> "$0"' {} \; ; }

    export GOCACHE="$work/gocache-floor$n"; f_cold=$(secs floorbuild)
    touchall "$floor"; f_warm=$(secs floorbuild)
    sed -i 's/route\\":1}/route\\":1001}/' "$floor/r1/main.go"; f_one=$(secs floorbuild)
    f_noop=$(secs floorbuild)
    export GOCACHE="$work/gocache-app$n"; n_cold=$(secs ngbuild)
    touchall "$app/pages"; n_warm=$(secs ngbuild)
    sed -i 's/"route": 1}/"route": 1001}/' "$app/pages/api/r1.go"; n_one=$(secs ngbuild)
    n_noop=$(secs ngbuild)
    printf '%3d routes  cold %6ss vs %6ss (%sx)  warm relink-all %6ss vs %6ss (%sx)  edit-one %5ss vs %5ss (%sx)  no-op %5ss vs %5ss\n' \
      "$n" "$n_cold" "$f_cold" "$(ratio "$n_cold" "$f_cold")" "$n_warm" "$f_warm" "$(ratio "$n_warm" "$f_warm")" \
      "$n_one" "$f_one" "$(ratio "$n_one" "$f_one")" "$n_noop" "$f_noop"
  done
done
