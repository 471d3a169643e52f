# The two commands: `make run` and `make test`. Both install what is missing (apt), then build.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
LISTEN ?= 127.0.0.1:50051
DATA_DIR ?= ./data
JOBS ?= $(shell nproc)

# Debian 12 packages the build, the tests and the tools need.
DEBIAN_PACKAGES := cmake ninja-build g++ pkg-config ccache \
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev grpc-proto \
  librocksdb-dev libabsl-dev libssl-dev libjemalloc-dev nlohmann-json3-dev libcpp-httplib-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  tzdata python3 python3-grpcio python3-protobuf python3-cryptography chromium openssl

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build run test bench lint-tools clean

all: build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

configure: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# buf (the protobuf linter) comes from the npm registry, pinned in tools/package-lock.json.
lint-tools: deps
	@[ -x tools/node_modules/.bin/buf ] || (cd tools && npm install --silent --no-audit --no-fund)

# Starts ledgerd in local mode (plain text on loopback, local credentials made in
# $(DATA_DIR)/local; docs/security.md) and, unless DEMO=0, loads the demo programme into it
# (idempotent), so that a first run shows a populated ledger. Ctrl-C stops ledgerd cleanly.
DEMO ?= 1
CTL = $(BUILD_DIR)/cli/ledgerctl --server=$(LISTEN) --token_file=$(DATA_DIR)/local/operator.token
run: build
	@$(BUILD_DIR)/services/ledgerd --insecure_local --listen=$(LISTEN) --data_dir=$(DATA_DIR) & pid=$$!; \
	trap 'kill -TERM $$pid 2>/dev/null; wait $$pid' INT TERM; \
	if [ "$(DEMO)" != 0 ]; then \
	  for i in $$(seq 50); do \
	    [ -f $(DATA_DIR)/local/operator.token ] && $(CTL) --timeout_seconds=1 info >/dev/null 2>&1 && break; \
	    sleep 0.2; \
	  done; \
	  $(CTL) demo 2>&1 | tail -n 8; \
	  echo "Try: $(BUILD_DIR)/cli/ledgerctl report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 --format=html --out=report.html"; \
	fi; \
	wait $$pid

test: build lint-tools
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j 2

bench: build
	$(BUILD_DIR)/bench/append_bench

clean:
	rm -rf $(BUILD_DIR)
