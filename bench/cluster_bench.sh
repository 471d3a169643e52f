#!/bin/sh
# The replicated ledger's append throughput beside a single node's, on this machine:
#   bench/cluster_bench.sh [BUILD_DIR] [SCENARIOS]
# Starts three nats-server (Debian's package) as one JetStream cluster on 127.0.0.1, in a
# temporary directory, and runs build/bench/append_bench twice: as a single node (RocksDB, fsync
# per group), then as the leader of a replicated ledger on an R3 stream (an append is
# acknowledged once two NATS servers have it, and the node's own RocksDB has it too). All five
# processes share this machine's cores, which a real cluster would not.
set -eu
BUILD=${1:-build}
SCENARIOS=${2:-1x1,16x1,64x1,16x100}
DIR=$(mktemp -d /tmp/ledger-cluster-bench-XXXXXX)
stop() {
  kill $(cat "$DIR"/*.pid 2>/dev/null) 2>/dev/null || true
  sleep 1  # until the servers have let go of their files
  rm -rf "$DIR"
}
trap stop EXIT INT TERM
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
C1=$(port); C2=$(port); C3=$(port); R1=$(port); R2=$(port); R3=$(port)
start() {  # name client-port route-port other-routes
  /usr/sbin/nats-server -a 127.0.0.1 -p "$2" -n "$1" -js -sd "$DIR/$1" --cluster_name bench \
    --cluster "nats://127.0.0.1:$3" --routes "$4" > "$DIR/$1.log" 2>&1 &
  echo $! > "$DIR/$1.pid"
}
start n1 "$C1" "$R1" "nats://127.0.0.1:$R2,nats://127.0.0.1:$R3"
start n2 "$C2" "$R2" "nats://127.0.0.1:$R1,nats://127.0.0.1:$R3"
start n3 "$C3" "$R3" "nats://127.0.0.1:$R1,nats://127.0.0.1:$R2"
sleep 1
echo "== single node (embedded RocksDB)"
"$BUILD/bench/append_bench" --scenarios="$SCENARIOS"
echo "== replicated: leader of an R3 JetStream stream (3 nats-server on this machine)"
"$BUILD/bench/append_bench" --scenarios="$SCENARIOS" \
  --nats_servers="nats://127.0.0.1:$C1,nats://127.0.0.1:$C2,nats://127.0.0.1:$C3"
