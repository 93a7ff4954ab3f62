# fogctl's Makefile. `make demo` and `make test` are the README's two commands.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/fogctl/fogctl/cmd.version=$(VERSION)

.PHONY: build demo test testenv bench completions fuzz lint clean

build: ## build bin/fogctl
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/fogctl .

demo: build ## run the built-in air-quality pipeline
	./bin/fogctl demo

test: ## install what tests need, then vet and run every test with -race
	scripts/test.sh

testenv: ## build or reuse the cached kube-apiserver and etcd binaries
	scripts/kube-testenv.sh

bench: build ## benchmarks, each reported as a ratio against its baseline
	scripts/bench.sh

completions: build ## regenerate completions/ from the command tree
	./bin/fogctl completion bash > completions/fogctl.bash
	./bin/fogctl completion zsh > completions/_fogctl
	./bin/fogctl completion fish > completions/fogctl.fish
	./bin/fogctl completion powershell > completions/fogctl.ps1

fuzz: ## run each fuzz target for FUZZTIME (default 20s)
	scripts/fuzz.sh $(or $(FUZZTIME),20s)

lint:
	gofmt -l . && $(GO) vet ./...

clean:
	rm -rf bin
