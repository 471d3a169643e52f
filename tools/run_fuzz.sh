#!/bin/sh
# A bounded fuzz run of one libFuzzer target, for ctest (tests/CMakeLists.txt).
# Usage: run_fuzz.sh BINARY CORPUS_DIR REGRESSIONS_DIR SECONDS
# Replays every input in REGRESSIONS_DIR (each once crashed the target), then fuzzes for SECONDS
# from a scratch copy of CORPUS_DIR (so the committed corpus changes only by hand). A crash, leak
# or timeout fails the test and leaves its input in REGRESSIONS_DIR, to be committed with the fix.
set -eu
bin=$1 corpus=$2 regressions=$3 seconds=$4
if [ ! -x "$bin" ]; then
  echo "$bin is not built: run 'make fuzz' (make test does)"
  exit 1
fi
mkdir -p "$regressions"
kept=$(find "$regressions" -type f ! -name '.*' | sort)
if [ -n "$kept" ]; then
  echo "replaying $(echo "$kept" | wc -l) kept input(s)"
  # shellcheck disable=SC2086
  "$bin" -rss_limit_mb=2048 -timeout=10 $kept
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$corpus"/* "$work"/
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$regressions/" "$work"
