#!/usr/bin/env bash
# bench.sh runs fogctl's Go benchmarks and prints each one's ratio against the
# baseline it measured in the same run (fogctl / baseline: below 1 is faster).
#   BENCH=regexp   which benchmarks (default: all)
#   PKGS=...       which packages (default: ./...)
#   BENCHTIME=...  go test -benchtime (default: 1x per sub-benchmark loop as the benchmark decides)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${FOGCTL_KUBE_ASSETS:-}" ]; then
	FOGCTL_KUBE_ASSETS=$(scripts/kube-testenv.sh)
	export FOGCTL_KUBE_ASSETS
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench "${BENCH:-.}" ${BENCHTIME:+-benchtime "$BENCHTIME"} -benchmem -timeout 30m ${PKGS:-./...} | tee "$out"
echo
echo "== ratios (fogctl / baseline measured in the same run) =="
awk '
	/^pkg: / { pkg = $2; sub(".*/fogctl/", "", pkg) }
	/^Benchmark/ {
		line = ""
		for (i = 3; i < NF; i++) {
			if ($(i+1) == "ratio") line = sprintf("%-70s %8.3f", pkg " " $1, $i)
			if ($(i+1) == "bound-ratio") extra = sprintf("   bound %6.3f", $i)
			if ($(i+1) == "over-bound") extra = extra sprintf("   fogctl/bound %6.3f", $i)
		}
		if (line != "") print line extra
		extra = ""
	}
' "$out"
