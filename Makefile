# The project's interface: make demo, make test, make bench, make generate, make check-generated.
SHELL := /bin/bash
GO ?= go
GOFLAGS_TEST ?= -race -count=1
PKGS ?= ./...

.PHONY: all deps build leak-check nocgo fmt-check vet staticcheck check-generated generate test test-unit clean-clone kernel-lane bench demo clean

all: build

## deps: install missing Debian packages (root), or say what to install
deps:
	@scripts/install-deps.sh

build:
	$(GO) build ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# The tools (staticcheck, modelgen) live in their own module, tools/go.mod, so
# that importers of this module do not get them in their module graph.
TOOLS_MODFILE := -modfile=tools/go.mod

staticcheck:
	$(GO) tool $(TOOLS_MODFILE) staticcheck $(PKGS)

## generate: regenerate generated code (OVSDB models)
generate:
	$(GO) generate ./...

## check-generated: fail when generated code is stale
check-generated:
	@scripts/check-generated.sh

## test: the one test command (installs what is missing as root, then every lane)
test: deps fmt-check vet staticcheck check-generated
	$(GO) test $(GOFLAGS_TEST) $(PKGS)
	$(MAKE) leak-check
	$(MAKE) nocgo
	$(MAKE) kernel-lane

## kernel-lane: boot Debian's stock kernel under QEMU and run every TestKernel* test inside it
## (scripts/kernel-lane/lane.sh; cache in .cache/kernel-lane, override with KERNEL_LANE_CACHE)
kernel-lane: deps
	GO=$(GO) scripts/kernel-lane/lane.sh

## nocgo: the project builds, vets and passes the DOCA tests without cgo (the shim then says ErrNotSupported)
nocgo:
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) test -count=1 ./doca/...

## leak-check: the cgo DOCA shim under AddressSanitizer/LeakSanitizer, against the stand-in runtime
leak-check:
	$(GO) test -asan -count=1 ./doca/docalib

## test-unit: only the tests that need no root, daemon or namespace (go test -short)
test-unit:
	$(GO) test -short $(GOFLAGS_TEST) $(PKGS)

## clean-clone: clone HEAD into a temporary directory without ../shared and run go test -short ./... there
clean-clone:
	OVSOFFLOAD_CLEAN_CLONE=1 $(GO) test -count=1 -timeout 30m -run '^TestCleanClone$$' -v .

## bench: every benchmark; comparative ones print "RATIO <name> <x>"
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS) | tee bench.out
	@grep '^RATIO' bench.out || true

## demo: the main job: the seed guide's DPU setup on an emulated BlueField with real OVS/OVN daemons
## (as root: installs what is missing first; without root: the in-process variant, saying what it skipped)
demo:
	@if [ "$$(id -u)" = 0 ]; then scripts/install-deps.sh; else echo "not root: running the in-process demo"; fi
	$(GO) build -o bin/ ./examples/...
	bin/demo --bin bin

clean:
	rm -rf bin bench.out
