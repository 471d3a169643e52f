# The two commands: `make run` and `make test`. Both install what is missing (apt), then build.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
LISTEN ?= 127.0.0.1:50051
DATA_DIR ?= ./data
JOBS ?= $(shell nproc)

# Debian 12 packages: what building and running need (make run), and what only the tests need
# (make test installs both).
RUN_PACKAGES := cmake ninja-build g++ pkg-config ccache \
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev grpc-proto \
  librocksdb-dev libnats-dev libabsl-dev libssl-dev libjemalloc-dev nlohmann-json3-dev libcpp-httplib-dev \
  libspdlog-dev libarchive-dev libpango1.0-dev fonts-dejavu-core tzdata openssl
TEST_PACKAGES := libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev \
  python3 python3-grpcio python3-protobuf python3-cryptography chromium poppler-utils nats-server

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps test-deps web-assets configure build run test bench fuzz container lint-tools contract-release clean

all: build

# Installs what is missing of $(1).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

# npm (for the web console's NHS.UK frontend) counts as present when any npm is on the PATH (a
# Node.js from elsewhere included); otherwise Debian's is installed.
deps:
	$(call install_missing,$(RUN_PACKAGES) $(shell command -v npm >/dev/null 2>&1 || echo npm))

test-deps: deps
	$(call install_missing,$(TEST_PACKAGES))

# The web console's design system (NHS.UK frontend, embedded into ledgerd) and the browser tests'
# tools (puppeteer-core, axe-core), from the npm registry, pinned in web/package-lock.json.
web-assets: deps
	@[ -d web/node_modules/nhsuk-frontend ] && [ -d web/node_modules/puppeteer-core ] || \
	  (cd web && npm ci --no-audit --no-fund --silent)

# Configured again each time (quick when nothing changed), so that a build directory made by
# `make run` picks up the test libraries once `make test` has installed them.
configure: deps web-assets
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > /dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# buf (the protobuf linter), and kubernetes-models and yaml (tools/validate_manifests.mjs), come
# from the npm registry, pinned in tools/package-lock.json.
lint-tools: test-deps
	@[ -x tools/node_modules/.bin/buf ] && [ -d tools/node_modules/kubernetes-models ] && \
	  [ -d tools/node_modules/yaml ] || (cd tools && npm install --silent --no-audit --no-fund)

# The libFuzzer targets (tests/fuzz/), built with clang, coverage and AddressSanitizer in their own
# build directory; `make test` runs each for a bounded time (ctest -L fuzz).
FUZZ_TARGETS := request_validation_fuzz canonical_record_fuzz event_json_fuzz access_policy_fuzz \
  audit_bundle_fuzz
fuzz: test-deps
	@[ -f build-fuzz/build.ninja ] || CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DENGAGEMENT_FUZZ=ON -DBUILD_TESTING=OFF > /dev/null
	cmake --build build-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)

# Builds the container image with buildah and smoke-tests it (root; deploy/container_check.sh).
container:
	deploy/container_check.sh

# Records proto/ as the contract last released: `make test` then refuses changes that break it.
contract-release: lint-tools
	cd proto && ../tools/node_modules/.bin/buf build -o released/engagement_v1.binpb

# Starts ledgerd in local mode (plain text on loopback, local credentials made in
# $(DATA_DIR)/local; docs/security.md), with the web console and the JSON API on $(HTTP_LISTEN) and, unless DEMO=0, loads the demo programme into it
# (idempotent), so that a first run shows a populated ledger. Ctrl-C stops ledgerd cleanly.
DEMO ?= 1
HTTP_LISTEN ?= 127.0.0.1:8080
CTL = $(BUILD_DIR)/cli/ledgerctl --server=$(LISTEN) --token_file=$(DATA_DIR)/local/operator.token
run: build
	@$(BUILD_DIR)/services/ledgerd --insecure_local --listen=$(LISTEN) --data_dir=$(DATA_DIR) \
	  --http_listen=$(HTTP_LISTEN) & pid=$$!; \
	trap 'kill -TERM $$pid 2>/dev/null; wait $$pid' INT TERM; \
	if [ "$(DEMO)" != 0 ]; then \
	  for i in $$(seq 50); do \
	    [ -f $(DATA_DIR)/local/operator.token ] && $(CTL) --timeout_seconds=1 info >/dev/null 2>&1 && break; \
	    sleep 0.2; \
	  done; \
	  $(CTL) demo 2>&1 | tail -n 8; \
	  echo "The web console: http://$(HTTP_LISTEN)/ (sign in as the local operator)"; \
	  echo "Try: $(BUILD_DIR)/cli/ledgerctl report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 --format=html --out=report.html"; \
	fi; \
	wait $$pid

test: test-deps lint-tools build fuzz
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j 2

bench: build
	$(BUILD_DIR)/bench/append_bench

clean:
	rm -rf $(BUILD_DIR)
