#!/usr/bin/env bash
# kube-testenv.sh builds kube-apiserver and etcd from their own Go modules
# and caches them outside the repo, keyed by version. It prints the cache
# directory holding both binaries. A cached pair is reused as it is.
#
#   KUBE_VERSION   kube-apiserver version (default 1.37.2)
#   ETCD_VERSION   etcd version (default 3.6.8)
#   FOGCTL_TESTENV_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/fogctl-testenv)
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-1.37.2}
ETCD_VERSION=${ETCD_VERSION:-3.6.8}
root=${FOGCTL_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fogctl-testenv}
test -n "$root"
dir="$root/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"
mkdir -p "$dir"

log() { echo "kube-testenv: $*" >&2; }

build_apiserver() {
	local work sv minor gm m
	work=$(mktemp -d)
	test -n "$work"
	trap 'rm -rf "$work"' RETURN
	sv="0.${KUBE_VERSION#1.}"
	minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
	(
		cd "$work"
		go mod init kapibuild >/dev/null 2>&1
		gm=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
		test -s "$gm" || { echo "kube-testenv: download of k8s.io/kubernetes@v$KUBE_VERSION failed" >&2; exit 1; }
		for m in $(grep -E '=> \./staging' "$gm" | awk '{print $1}'); do
			go mod edit -replace="$m=$m@v$sv"
		done
		go mod edit -require="k8s.io/kubernetes@v$KUBE_VERSION"
		printf '//go:build tools\npackage tools\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' >tools.go
		GOFLAGS=-mod=mod go mod tidy
		CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$dir/kube-apiserver.tmp" \
			-ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
			k8s.io/kubernetes/cmd/kube-apiserver
	)
	mv "$dir/kube-apiserver.tmp" "$dir/kube-apiserver"
}

build_etcd() {
	local work
	work=$(mktemp -d)
	test -n "$work"
	trap 'rm -rf "$work"' RETURN
	(
		cd "$work"
		go mod init etcdbuild >/dev/null 2>&1
		printf '//go:build tools\npackage tools\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
		go mod edit -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
		GOFLAGS=-mod=mod go mod tidy
		CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$dir/etcd.tmp" go.etcd.io/etcd/server/v3
	)
	mv "$dir/etcd.tmp" "$dir/etcd"
}

# One build at a time: `make test` and `make bench` started together wait
# for each other's build instead of doubling it.
if command -v flock >/dev/null; then
	exec 9>"$dir/.build.lock"
	if ! flock -n 9; then
		log "another kube-testenv.sh is building into $dir; waiting for it"
		flock 9
	fi
fi

if [ ! -x "$dir/etcd" ]; then
	log "building etcd v$ETCD_VERSION into $dir"
	start=$(date +%s)
	build_etcd
	log "etcd built in $(($(date +%s) - start)) s"
fi
if [ ! -x "$dir/kube-apiserver" ]; then
	log "building kube-apiserver v$KUBE_VERSION into $dir (about 5 minutes on 2 cores)"
	start=$(date +%s)
	build_apiserver
	log "kube-apiserver built in $(($(date +%s) - start)) s"
fi
# Output captured first: grep -q in a pipe would close it early, and
# pipefail would count the writer's SIGPIPE as a failure.
etcd_version=$("$dir/etcd" --version)
grep -q "^etcd Version: $ETCD_VERSION\$" <<<"$etcd_version" ||
	{ log "$dir/etcd is not etcd $ETCD_VERSION: remove it and run again"; exit 1; }
kube_version=$("$dir/kube-apiserver" --version)
grep -q "^Kubernetes v$KUBE_VERSION\$" <<<"$kube_version" ||
	{ log "$dir/kube-apiserver is not v$KUBE_VERSION: remove it and run again"; exit 1; }
echo "$dir"
