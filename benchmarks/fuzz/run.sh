#!/usr/bin/env bash
# Run one harness for a fixed time, restarting it after each crash (atheris does not
# support libFuzzer's -fork mode), with its corpus and crash files under a scratch dir.
# Usage: benchmarks/fuzz/run.sh HARNESS SECONDS [SCRATCH]   (HARNESS: feed, refparse, doi)
# Run from the project root after `python benchmarks/fuzz/make_corpus.py SCRATCH/seed`.
set -u
harness=$1 budget=$2 scratch=${3:-/tmp/fuzz}
here=$(dirname "$0")
python=${PYTHON:-.venv/bin/python}
mkdir -p "$scratch/corpus/$harness" "$scratch/crashes/$harness" "$scratch/logs"
dict=()
[ -f "$here/$harness.dict" ] && dict=(-dict="$here/$harness.dict")
start=$(date +%s) segment=0
while :; do
    left=$((budget - ($(date +%s) - start)))
    [ "$left" -gt 5 ] || break
    segment=$((segment + 1))
    log="$scratch/logs/$harness-$segment.log"
    "$python" "$here/fuzz_$harness.py" "$scratch/corpus/$harness" "$scratch/seed/$harness" \
        "${dict[@]}" -timeout=10 -rss_limit_mb=2048 -max_total_time="$left" \
        -artifact_prefix="$scratch/crashes/$harness/" -print_final_stats=1 >"$log" 2>&1
    echo "$harness segment $segment exit $? after $(($(date +%s) - start))s: $log"
done
