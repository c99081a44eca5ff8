# pexops — `make run` starts the console on the built-in simulator; `make test` runs every
# test, the browser tests included. Both install what they need (npm packages, templ through
# the Go tool directive, Chromium through apt when it is missing).

GO      ?= go
BIN     ?= bin/pexops
ADDR    ?= 127.0.0.1:8080
IMAGE   ?= pexops:dev
VENDOR  := static/vendor/htmx.min.js static/vendor/ws.js

.PHONY: run test test-short generate check-generate build lint bench docker assets browser clean

run: build
	./$(BIN) -addr $(ADDR)

build: assets generate
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) .

assets: $(VENDOR)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/htmx.min.js: node_modules/.package-lock.json
	cp node_modules/htmx.org/dist/htmx.min.js $@

static/vendor/ws.js: node_modules/.package-lock.json
	cp node_modules/htmx-ext-ws/dist/ws.js $@

generate:
	$(GO) tool templ generate -log-level error

# Fails when a committed *_templ.go file does not match its .templ source.
check-generate:
	$(GO) tool templ generate -check -log-level error

lint: assets check-generate
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Chromium from Debian for the browser tests in e2e/.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: lint browser
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./live/... ./auth/...

test-short: assets
	$(GO) test -short ./...

# Package benchmarks, then the fan-out figures of the live views (1,000 and 5,000 websocket
# viewers of the console binary on a simulated 200-conference, 2,000-participant platform).
bench: assets
	$(GO) test -run '^$$' -bench . -benchmem ./pexip/... ./live/... ./handlers/...
	$(GO) test ./e2e -run '^$$' -bench Fanout -benchtime 1x -timeout 15m -v

docker:
	docker build -t $(IMAGE) .

clean:
	rm -rf bin node_modules $(VENDOR)
