#!/usr/bin/env bash
# test.sh runs every test of fogctl on a fresh machine: it installs what the
# tests need (Debian packages, the kube-apiserver and etcd binaries, built or
# taken from the cache), then vets and runs all tests with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null || need+=(tmux)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v kubectl >/dev/null || need+=(kubectl)
command -v ip >/dev/null || need+=(iproute2)
command -v fish >/dev/null || need+=(fish)
command -v zsh >/dev/null || need+=(zsh)
[ -f /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
if [ ${#need[@]} -gt 0 ]; then
	echo "test.sh: installing ${need[*]}" >&2
	if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

FOGCTL_KUBE_ASSETS=$(scripts/kube-testenv.sh)
export FOGCTL_KUBE_ASSETS
echo "test.sh: control-plane binaries in $FOGCTL_KUBE_ASSETS" >&2

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "test.sh: gofmt would change: $unformatted" >&2
	exit 1
fi
go vet ./...
# Operators run fogctl on macOS and Windows too: fogctl and its tests must
# build there, though they run here on Linux only.
for goos in darwin windows; do
	GOOS=$goos go vet ./...
done
# go test's exit status decides; testsummary only prints (a failed build,
# a panic or a timeout fail the run even when every counted test passed).
go build -o /tmp/fogctl-testsummary ./internal/testsummary
# One fogctl binary, as `make build` builds it, for every package's
# end-to-end tests (internal/testbin).
bindir=$(mktemp -d)
test -n "$bindir"
trap 'rm -rf "$bindir"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bindir/fogctl" .
export FOGCTL_TEST_BIN="$bindir/fogctl"
status=0
go test -race -count=1 -timeout 30m -json ./... | /tmp/fogctl-testsummary || status=${PIPESTATUS[0]}
exit "$status"
