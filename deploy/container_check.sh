#!/bin/sh
# Builds the container image from the Dockerfile with buildah and runs a smoke test inside it:
# ledgerd starts as the image's non-root user, answers the health probe, serves an append, and
# stops cleanly on SIGTERM. Where no image registry is reachable, a Debian 12 base is made first
# from Debian's packages with mmdebstrap and tagged as debian:12 and debian:12-slim.
# Usage: deploy/container_check.sh [IMAGE_NAME]          (needs root: buildah, podman, mmdebstrap)
set -eu
image=${1:-engagement-ledger}
cd "$(dirname "$0")/.."

if ! podman image exists docker.io/library/debian:12-slim 2>/dev/null; then
  echo "== making a Debian 12 base image with mmdebstrap (no registry needed)"
  base=$(mktemp -d)
  mmdebstrap --variant=minbase bookworm "$base/rootfs.tar"
  podman import "$base/rootfs.tar" localhost/debian:12
  podman tag localhost/debian:12 docker.io/library/debian:12-slim docker.io/library/debian:12
  rm -rf "$base"
fi

echo "== building $image"
buildah bud --isolation chroot --pull=never --layers -t "$image" .

echo "== smoke test inside $image"
container=$(buildah from "$image")
trap 'buildah rm "$container" > /dev/null' EXIT
port=$((40000 + $$ % 20000))
buildah run --isolation chroot "$container" -- sh -c "
  set -e
  test \"\$(id -u)\" = 10001
  /usr/local/bin/ledgerd --listen=127.0.0.1:$port --data_dir=/tmp/ledger --insecure_local \
    --log_format=json --metrics_listen=127.0.0.1:$((port + 1)) \
    --http_listen=127.0.0.1:$((port + 2)) > /tmp/ledgerd.log 2>&1 &
  pid=\$!
  for i in \$(seq 1 50); do
    /usr/local/bin/ledgerctl --server=127.0.0.1:$port probe > /dev/null 2>&1 && break
    sleep 0.2
  done
  /usr/local/bin/ledgerctl --server=127.0.0.1:$port probe
  /usr/local/bin/ledgerctl --server=127.0.0.1:$port --token_file=/tmp/ledger/local/operator.token demo > /dev/null
  /usr/local/bin/ledgerctl --server=127.0.0.1:$port --token_file=/tmp/ledger/local/operator.token info
  /usr/local/bin/ledgerctl --server=127.0.0.1:$port --token_file=/tmp/ledger/local/operator.token \
    report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 --format=pdf --out=/tmp/report.pdf
  test \"\$(head -c 5 /tmp/report.pdf)\" = '%PDF-'
  grep -q 'JSON API and web console on http://127.0.0.1:$((port + 2))/' /tmp/ledgerd.log
  kill -TERM \$pid
  wait \$pid
  grep -q '\"message\":\"stopped cleanly\"' /tmp/ledgerd.log
  echo 'smoke test passed: non-root, healthy, serving (gRPC, HTTP), a PDF report, JSON logs, clean stop'
"
