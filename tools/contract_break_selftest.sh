#!/bin/sh
# Proves that the contract check catches a breaking change: renumbers Event.event_id in a copy
# of proto/ and expects `buf breaking` against the released image to fail, naming the field.
# Usage: contract_break_selftest.sh BUF PROTO_DIR IMAGE
set -eu
buf=$1 proto=$2 image=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$proto"/. "$work"/
sed -i 's/^  string event_id = 1;/  string event_id = 99;/' "$work/engagement/v1/event.proto"
grep -q 'string event_id = 99;' "$work/engagement/v1/event.proto" || {
  echo "self-test broken: could not renumber event_id"; exit 1; }
if out=$(cd "$work" && "$buf" breaking --against "$image" 2>&1); then
  echo "buf breaking passed a renumbered field:"; echo "$out"; exit 1
fi
echo "$out" | grep -q 'event_id' || { echo "buf breaking failed without naming the field:"; echo "$out"; exit 1; }
echo "caught: $out"
