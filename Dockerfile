# ledgerd in a container: built and run on Debian 12, from Debian's packages only.
#   docker build -t engagement-ledger .        (or: buildah bud --isolation chroot -t engagement-ledger .)
#   docker run -p 50051:50051 -v ledger-data:/var/lib/ledger -v ./tls:/etc/ledger/tls:ro \
#     -v ./policy:/etc/ledger/policy:ro -v ./keys:/etc/ledger/keys:ro -v ./oidc:/etc/ledger/oidc:ro \
#     engagement-ledger --oidc_issuer=https://login.example.nhs.uk --oidc_audience=engagement-ledger \
#     --jwks_file=/etc/ledger/oidc/jwks.json
# docs/configuration.md lists every flag and file; deploy/kubernetes/ runs it on Kubernetes.

# Stage 1: build ledgerd and ledgerctl (no tests: `make test` runs those outside the image).
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config libgrpc++-dev protobuf-compiler-grpc protobuf-compiler \
      libprotobuf-dev grpc-proto librocksdb-dev libnats-dev libabsl-dev libssl-dev libjemalloc-dev \
      nlohmann-json3-dev libcpp-httplib-dev libspdlog-dev libarchive-dev libpango1.0-dev npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# NHS.UK frontend (the web console's design system, embedded into ledgerd), pinned in
# web/package-lock.json: the copy `make` fetched comes with the build context; without one, npm
# fetches it here.
RUN [ -d web/node_modules/nhsuk-frontend/dist ] || (cd web && npm ci --omit=dev --no-audit --no-fund)
RUN rm -rf build data \
    && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
    && cmake --build build --target ledgerd ledgerctl \
    && strip --strip-debug build/services/ledgerd build/cli/ledgerctl

# Stage 2: what running needs, and nothing else: the shared libraries, and a user of its own.
FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 librocksdb7.8 libssl3 libabsl20220623 libjemalloc2 \
      libspdlog1.10 libfmt9 libcpp-httplib0.11 libarchive13 libnats3.4 \
      libpangocairo-1.0-0 fonts-dejavu-core tzdata ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ledger \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/ledger --no-create-home ledger \
    && mkdir -p /var/lib/ledger /var/backups/ledger \
    && chown 10001:10001 /var/lib/ledger /var/backups/ledger
COPY --from=build /src/build/services/ledgerd /src/build/cli/ledgerctl /usr/local/bin/
# A numeric user, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
VOLUME /var/lib/ledger
# gRPC (TLS), the Prometheus metrics page (plain HTTP; open it to the monitoring network only),
# and the JSON API and web console (HTTPS).
EXPOSE 50051 9464 8443
# SIGTERM drains in-flight calls, signs a last checkpoint and closes RocksDB cleanly.
STOPSIGNAL SIGTERM
# The standard gRPC health check over TLS, without credentials: unhealthy while ledgerd does not
# answer SERVING (ledgerctl health says why).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
  CMD ["/usr/local/bin/ledgerctl", "probe", "--server=127.0.0.1:50051", \
       "--tls_ca=/etc/ledger/tls/ca.crt", "--tls_server_name=localhost"]
# TLS, the access policy and the keys come from mounted files (Kubernetes Secrets and a
# ConfigMap; docs/configuration.md); add --oidc_issuer, --oidc_audience and --jwks_file, or
# --client_ca, as arguments.
ENTRYPOINT ["/usr/local/bin/ledgerd", "--listen=0.0.0.0:50051", "--data_dir=/var/lib/ledger", \
            "--tls_cert=/etc/ledger/tls/tls.crt", "--tls_key=/etc/ledger/tls/tls.key", \
            "--policy_file=/etc/ledger/policy/policy.textproto", \
            "--master_key_file=/etc/ledger/keys/master.key", \
            "--checkpoint_key=/etc/ledger/keys/checkpoint.key", \
            "--metrics_listen=0.0.0.0:9464", "--http_listen=0.0.0.0:8443", "--log_format=json"]
