#!/usr/bin/env bash
# fuzz.sh runs every fuzz target of fogctl for the given time each (default 20s).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		echo "== $pkg $target ($t)"
		go test -run "^$" -fuzz "^$target\$" -fuzztime "$t" -fuzzminimizetime 2s "$pkg"
	done
done
