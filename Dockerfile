# ledgerd in a container: built and run on Debian 12, from Debian's packages only.
#   docker build -t engagement-ledger .
#   docker run -p 50051:50051 -v ledger-data:/var/lib/ledger -v ./tls:/etc/ledger/tls:ro \
#     -v ./policy:/etc/ledger/policy:ro -v ./keys:/etc/ledger/keys:ro engagement-ledger \
#     --oidc_issuer=https://login.example.nhs.uk --oidc_audience=engagement-ledger --jwks_file=...
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config libgrpc++-dev protobuf-compiler-grpc protobuf-compiler \
      libprotobuf-dev librocksdb-dev libabsl-dev libssl-dev libjemalloc-dev nlohmann-json3-dev libcpp-httplib-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
    && cmake --build build --target ledgerd ledgerctl

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 librocksdb7.8 libssl3 \
      libabsl20220623 libjemalloc2 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/ledger ledger && mkdir -p /var/lib/ledger \
    && chown ledger /var/lib/ledger
COPY --from=build /src/build/services/ledgerd /src/build/cli/ledgerctl /usr/local/bin/
USER ledger
VOLUME /var/lib/ledger
EXPOSE 50051
# SIGTERM drains in-flight calls and closes RocksDB cleanly.
STOPSIGNAL SIGTERM
# TLS, the access policy and the master key come from mounted files (Kubernetes Secrets and a
# ConfigMap; docs/security.md); add --oidc_issuer, --oidc_audience and --jwks_file, or
# --client_ca, as arguments.
ENTRYPOINT ["/usr/local/bin/ledgerd", "--listen=0.0.0.0:50051", "--data_dir=/var/lib/ledger", \
            "--tls_cert=/etc/ledger/tls/tls.crt", "--tls_key=/etc/ledger/tls/tls.key", \
            "--policy_file=/etc/ledger/policy/policy.textproto", \
            "--master_key_file=/etc/ledger/keys/master.key"]
