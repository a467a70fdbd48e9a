# dqo-users: build, try, test, measure.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
BIN := bin/dqo-users
GORELEASER := github.com/goreleaser/goreleaser/v2@v2.15.1

.PHONY: all build demo test test-short contract vet fmt-check bench bench-large bench-tools docs check-docs fuzz release-check package test-packages clean

all: build

# Built as the release is (.goreleaser.yaml): static, without cgo, which
# also spares every start the dynamic loader.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

## demo: build, start the sandbox on a free loopback port, tour every command, stop it
demo: build
	bash .ci/demo.sh $(BIN)

## test: the whole suite (unit, in-process, pseudo-terminal, end-to-end, contract, fuzz seeds).
## The contract suite and the sandbox's schema checks need DQOps's OpenAPI documents in
## DQOPS_OPENAPI_DIR; without it they are skipped, and the line saying so is shown.
test: fmt-check vet
	$(GO) test -count=1 ./... ./.ci
	@[ -n "$$DQOPS_OPENAPI_DIR" ] || $(GO) test -count=1 -run '^TestContract$$' -v ./cmd/ | grep -o 'contract suite skipped.*'
	$(MAKE) --no-print-directory test-packages

## contract: the OpenAPI contract suite alone (Prism), printing its request counts
contract:
	set -o pipefail; DQOPS_OPENAPI_DIR=$${DQOPS_OPENAPI_DIR:-$$(realpath ../shared/dqops-api)} $(GO) test -count=1 -run 'TestContract' -v ./cmd/ | grep -E '^(contract|--- |ok|FAIL)'

test-short:
	$(GO) test -short ./...

vet:
	$(GO) vet ./... ./.ci ./.ci/getclient
	$(GO) vet -tags libs ./.ci/getclient

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: Go benchmarks, then the end-to-end figures (one get, 100,000 users, apply) against their
## targets; BASE=REV measures REV's binary too, in the same run (hyperfine, GNU time, jq and curl
## come from Debian and are installed when missing)
bench: build bench-tools
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash .ci/bench.sh $(BIN) $(BASE)

## bench-large: the 1,000,000-user figures (time and peak memory of list and export) against their targets
bench-large: build bench-tools
	bash .ci/bench-large.sh $(BIN) $(BASE)

bench-tools:
	@{ command -v hyperfine && command -v jq && command -v curl && test -x /usr/bin/time; } >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq hyperfine time jq curl; }

## docs: regenerate docs/ and completions/
docs:
	$(GO) run ./cmd/gen-docs --dir .

check-docs:
	$(GO) test -count=1 -run TestGeneratedFilesAreFresh ./cmd/gen-docs/

## fuzz: run each fuzz target briefly
fuzz:
	bash .ci/fuzz.sh 10s

## release-check: `goreleaser check`, then GoReleaser's snapshot packages against `make package`'s
## (file lists and control fields; slow: GoReleaser builds every target)
release-check:
	GO=$(GO) bash .ci/release-check.sh $(GORELEASER)

## package: this machine's .deb and .rpm into dist/, from the nfpms entry of .goreleaser.yaml
PACKAGE_DIR ?= dist
PACKAGE_VERSION ?=
package:
	$(GO) run .ci/package.go -out '$(PACKAGE_DIR)' $(if $(PACKAGE_VERSION),-version '$(PACKAGE_VERSION)')

## test-packages: build the packages and check them with dpkg-deb and rpm (skips without them, outside CI)
test-packages:
	bash .ci/test-packages.sh

clean:
	rm -rf bin dist
