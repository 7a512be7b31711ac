# The one source of truth for building, testing and running the project.
# `make demo` and `make test` work on a fresh machine: they install what they
# need (npm packages; the browsers for the browser tests, from Debian's
# packages).

SHELL := /bin/bash
GO ?= go
GOROOT := $(shell $(GO) env GOROOT)
PORT ?= 8080
WASM_FLAGS := -trimpath -ldflags="-s -w"
WASM_ENV := GOOS=js GOARCH=wasm
# Runs js/wasm test binaries under Node, with IndexedDB from fake-indexeddb.
WASM_TEST_ENV := PATH="$(GOROOT)/lib/wasm:$$PATH" NODE_OPTIONS="--require fake-indexeddb/auto" $(WASM_ENV)
# The browser engines the browser suites run in (e2e/engines/), each from
# Debian's packages: `make test-e2e ENGINES=webkit` runs one.
ENGINES ?= chromium firefox webkit
# Tests marked long (e2e/harness.mjs) run in these engines only.
LONG_ENGINES ?= chromium
PKG_chromium := chromium
PKG_firefox := firefox-esr
PKG_webkit := webkit2gtk-driver xvfb

.PHONY: all build examples examples-deps examples-npm generate demo demo-flags collector postgres test test-go test-js test-wasm test-examples test-e2e test-e2e-worker test-reliability test-reliability-worker reliability fuzz-short fuzz lint size bench bench-collector clean deps browsers chromium

all: build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

# The browsers from Debian's packages (never a download): chromium;
# firefox-esr; webkit2gtk-driver (WebKitWebDriver and, through
# libwebkit2gtk-4.1-0, WebKitGTK's MiniBrowser) with xvfb for its display.
# Installs the missing ones, as root or through sudo.
define apt_install
@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then echo "installing$$missing (apt)"; sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
endef

browsers:
	$(call apt_install,$(foreach e,$(ENGINES),$(PKG_$(e))))

chromium:
	$(call apt_install,$(PKG_chromium))

# PostgreSQL from Debian's package, for the tests and the bench of the
# collector on PostgreSQL (they run a throwaway server of their own in a
# temporary folder: cmd/pgtemp); the demo does not need it.
postgres:
	$(call apt_install,postgresql)

dist/exponea.wasm: go.mod go.sum $(shell find wasm internal -name '*.go' -not -name '*_test.go')
	@mkdir -p dist
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm

dist/exponea.mjs dist/exponea.js dist/exponea.worker.js dist/exponea.bloomreach.js dist/exponea.snippet.js dist/THIRD_PARTY_LICENSES.txt &: js/build.mjs js/exponea.d.ts $(wildcard js/src/*.js) node_modules/.package-lock.json go.mod go.sum
	GOROOT="$(GOROOT)" node js/build.mjs

# Precompressed siblings of the wasm, for servers that serve them as they
# are (the collector's -static does, with Content-Encoding): gzip -9, and
# brotli at quality 11 from the brotli tool if installed, else from Node's
# zlib (as `make size` measures it).
dist/exponea.wasm.gz: dist/exponea.wasm
	gzip -9 -n -c $< >$@.tmp && mv $@.tmp $@

dist/exponea.wasm.br: dist/exponea.wasm
	@if command -v brotli >/dev/null; then echo "brotli -q 11 $<"; brotli -q 11 -f -o $@.tmp $<; \
	else echo "node zlib brotli (quality 11) $<"; node -e "const z = require('zlib'), fs = require('fs'), b = fs.readFileSync(process.argv[1]); \
	  fs.writeFileSync(process.argv[2], z.brotliCompressSync(b, {params: {[z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length}}))" $< $@.tmp; fi
	mv $@.tmp $@

build: dist/exponea.wasm dist/exponea.mjs dist/exponea.wasm.gz dist/exponea.wasm.br

# The example of tracking from Go (web/examples/go), with the wasm_exec.js
# of the Go that built it.
dist/examples/go/example.wasm: go.mod go.sum $(shell find exponea internal web/examples/go -name '*.go' -not -name '*_test.go')
	@mkdir -p dist/examples/go
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./web/examples/go
	cp "$(GOROOT)/lib/wasm/wasm_exec.js" dist/examples/go/

examples: dist/examples/go/example.wasm

# The npm package as its users get it: the tarball of `npm pack`, installed
# (not saved: their package.json name only their tools) into the example
# apps under web/examples, each with its own lockfile: vite and webpack,
# built by their bundler with no setting for the SDK; typescript,
# type-checked. Built once per run, for test-examples and the browser
# tests (e2e/bundlers.test.mjs).
NPM_EXAMPLES := vite webpack typescript
PACKAGE := build/pack/exponea-wasm.tgz

web/examples/%/node_modules/.package-lock.json: web/examples/%/package.json web/examples/%/package-lock.json
	cd web/examples/$* && npm ci --no-audit --no-fund
	@touch $@

examples-deps: $(foreach e,$(NPM_EXAMPLES),web/examples/$(e)/node_modules/.package-lock.json)

$(PACKAGE): dist/exponea.wasm dist/exponea.mjs package.json README.md
	@rm -rf build/pack && mkdir -p build/pack
	npm pack --ignore-scripts --silent --pack-destination build/pack >/dev/null
	mv build/pack/exponea-wasm-*.tgz $@

examples-npm: $(PACKAGE) examples-deps
	@for e in $(NPM_EXAMPLES); do echo "web/examples/$$e: npm install --no-save $(PACKAGE)"; \
	  (cd web/examples/$$e && rm -rf node_modules/exponea-wasm && npm install --no-save --no-audit --no-fund --silent ../../../$(PACKAGE)) || exit 1; done
	cd web/examples/vite && npm run --silent build -- --logLevel warn
	cd web/examples/webpack && npm run --silent build -- --stats errors-warnings

# What the loader shares with the Go side, written from the Go packages that
# own it: js/src/constants.gen.js (cmd/genjs) and the golden cases that hold
# js/src/rules.js to internal/tracker (js/test/golden/tracker.json). Their
# tests fail when a committed file is stale.
generate:
	$(GO) run ./cmd/genjs > js/src/constants.gen.js
	$(GO) test ./internal/tracker -run Golden -update

build/collector: go.mod go.sum $(shell find cmd/collector internal -name '*.go' -not -name '*_test.go')
	@mkdir -p build
	$(GO) build -o $@ ./cmd/collector

collector: build/collector

# The demo: the collector with its SQLite file, serving the demo page and
# the SDK on one origin. e2e/demo.test.mjs serves the same (demo-flags) and
# opens every page of it.
DEMO_FLAGS := -keys demo-public-key -static /=web/demo -static /dist/=dist -static /examples/=web/examples
demo: build examples collector
	@echo "demo: open http://127.0.0.1:$(PORT)/  (collector page: http://127.0.0.1:$(PORT)/collector/)"
	./build/collector -addr 127.0.0.1:$(PORT) -db build/demo.db $(DEMO_FLAGS)

demo-flags:
	@echo '$(DEMO_FLAGS)'

test: lint test-go test-js test-wasm fuzz-short test-examples test-e2e test-e2e-worker test-reliability

# The Go tests, beside a throwaway PostgreSQL (started, and stopped at the
# end, by cmd/pgtemp; the collector's tests on PostgreSQL use it).
test-go: postgres
	$(GO) run ./cmd/pgtemp $(GO) test -race ./...

# The loader's own logic (close-path planning), under Node.
test-js:
	node --test js/test/

test-wasm: deps
	$(WASM_TEST_ENV) $(GO) test ./internal/idbstore/...

# The npm package outside a browser: strict tsc of the TypeScript example
# against the shipped types, and importing it in Node (server-side
# rendering). Prints the size of what each example app ships (the wasm's
# from the precompressed files of make build).
test-examples: build examples-npm
	node --test web/examples/package.test.mjs

# The browser tests, once per engine; a failing test's name starts with its
# engine, and the last line names every engine that failed.
test-e2e: build examples collector browsers examples-npm
	@failed=""; for e in $(ENGINES); do echo "--- e2e in $$e"; \
	  ENGINE=$$e LONG_ENGINES="$(LONG_ENGINES)" node --test --test-concurrency=1 e2e/ || failed="$$failed $$e"; done; \
	test -z "$$failed" || { echo "test-e2e: failed in$$failed"; exit 1; }

# The suites of delivery at close and navigation again under the dedicated Worker
# (host: 'worker'), the host where a SharedWorker is missing or refused;
# test-e2e runs everything under the default host, a SharedWorker.
WORKER_SUITES ?= e2e/custody.test.mjs e2e/flush.test.mjs
test-e2e-worker: build collector browsers
	@failed=""; for e in $(ENGINES); do echo "--- e2e in $$e, host: 'worker'"; \
	  E2E_HOST=worker ENGINE=$$e LONG_ENGINES=none node --test --test-concurrency=1 $(WORKER_SUITES) || failed="$$failed $$e"; done; \
	test -z "$$failed" || { echo "test-e2e-worker: failed in$$failed"; exit 1; }

# The zero-loss proof: fault scenarios against the real collector in every
# engine, with a loss report in reliability/report.{json,md}, one column per
# engine. Fails on any lost or duplicated-stored event. `make test` runs the
# quick version.
reliability: build collector browsers
	ENGINES="$(ENGINES)" node e2e/reliability/run.mjs

test-reliability: build collector browsers
	RELIABILITY_QUICK=1 ENGINES="$(ENGINES)" node e2e/reliability/run.mjs

# The quick suite again with the Go side in a dedicated Worker (host:
# 'worker', where a SharedWorker is missing or refused), into
# reliability/worker-host/. Not in make test: ~6 min.
test-reliability-worker: build collector browsers
	E2E_HOST=worker RELIABILITY_QUICK=1 RELIABILITY_OUT=reliability/worker-host ENGINES="$(ENGINES)" node e2e/reliability/run.mjs

# The side-by-side benchmark against the peer SDKs (bench/README.md):
# prints the table, writes bench/results/latest.{json,md,svg}.
bench: chromium
	bench/run.sh

# The collector under load on loopback (internal/collector/bench): batches/s,
# events/s and p50/p99 latency at concurrency 1, 4 and 16, then the kill -9
# check (fails if a batch answered 200 is lost or a batch is stored in part);
# then the same levels for 1 and 3 collectors on one throwaway PostgreSQL,
# a kill -9 of one of them under load (fails on a batch lost after its 200,
# or an event stored twice), and two relays on one outbox with one killed
# mid-send (fails on a lost command, or a duplicate other than the
# documented one).
bench-collector: collector postgres
	$(GO) run ./cmd/collector/bench -collector build/collector

# A few seconds of each fuzz target on top of the seed corpus.
# (Shrinking a large interesting input can stall a run for a minute at the
# default minimize time; 5 s is plenty for these inputs.)
FUZZ_TARGETS := ./internal/jsonx:FuzzValid ./internal/jsonx:FuzzAppendString ./internal/jsonx:FuzzObject \
  ./internal/tracker:FuzzApply ./internal/tracker:FuzzParseConfig ./internal/idbstore/blocks:FuzzCodec ./internal/idbstore/blocks:FuzzParseBlocks \
  ./internal/flush/schedule:FuzzScheduler ./internal/session:FuzzTransitions ./internal/session:FuzzAttribution ./internal/collector/ingest:FuzzParseCommand ./internal/wire:FuzzParseCommand
FUZZ = $(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t\#\#*:}$$" -fuzzminimizetime 5s
# A failing input is always written to the package's testdata/fuzz/ and
# fails the run. A failure that writes none came from the fuzzing engine,
# not from an input: its output is shown and the target runs once more.
fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
	  d=$${t%%:*}/testdata/fuzz/$${t##*:}; before=$$(ls $$d 2>/dev/null | wc -l); \
	  $(FUZZ) -fuzztime 3s >/tmp/fuzz-short.out 2>&1; rc=$$?; \
	  if grep -q "no fuzz tests to fuzz" /tmp/fuzz-short.out; then echo "fuzz-short: $$t names no fuzz test"; exit 1; fi; \
	  test $$rc = 0 && continue; \
	  echo "fuzz-short: $$t failed:"; cat /tmp/fuzz-short.out; \
	  test "$$(ls $$d 2>/dev/null | wc -l)" = "$$before" || exit 1; \
	  echo "fuzz-short: no failing input was written; running $$t again"; \
	  $(FUZZ) -fuzztime 3s || exit 1; \
	done; echo "fuzz-short: ok"

fuzz:
	@for t in $(FUZZ_TARGETS); do $(FUZZ) -fuzztime 2m || exit 1; done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./wasm/ ./exponea/... ./internal/idbstore/... ./internal/browser/

size: build
	@for f in dist/exponea.wasm dist/exponea.js dist/exponea.worker.js; do \
	  printf '%-20s raw %8d  gzip %8d  brotli %8d\n' $$f $$(wc -c <$$f) $$(gzip -9 -c $$f | wc -c) $$(node -e "process.stdout.write(String(require('zlib').brotliCompressSync(require('fs').readFileSync('$$f'),{params:{[require('zlib').constants.BROTLI_PARAM_QUALITY]:11}}).length))"); done

clean:
	rm -rf dist build web/examples/vite/dist web/examples/webpack/dist
