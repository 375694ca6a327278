#!/usr/bin/env bash
# Runs every Fuzz* target in the module for the given time each (default 5s).
# Go's fuzzer takes one target per run, so we list them and loop.
set -euo pipefail
t="${1:-5s}"
cd "$(dirname "$0")/.."
# inputs is how many inputs a target's corpus directory holds (0 when none).
inputs() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
for dir in $(go list -f '{{.Dir}}' ./...); do
  for f in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go 2>/dev/null | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort -u); do
    echo "fuzz $f in ${dir#$PWD/} for $t"
    # Quiet when it passes; on a failure, say why.
    corpus="$dir/testdata/fuzz/$f"
    before=$(inputs "$corpus")
    if ! out=$(go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$dir" 2>&1); then
      after=$(inputs "$corpus")
      # Go before 1.27 can fail a run whose -fuzztime ends while a worker is
      # mid-input, with a bare "context deadline exceeded" and no failing
      # input written (go.dev/issue/75804). That is the fuzzer's trouble,
      # not a finding; anything else, or a new input in the corpus, is.
      if [ "$after" = "$before" ] && echo "$out" | tail -5 | grep -q '^    context deadline exceeded$'; then
        echo "  (ended by go.dev/issue/75804, not by an input: counted as a pass)"
        continue
      fi
      echo "$out" | tail -40
      exit 1
    fi
  done
done
