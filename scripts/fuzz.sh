#!/usr/bin/env bash
# Runs every Fuzz* target in the module for the given time each (default 5s).
# Go's fuzzer takes one target per run, so we list them and loop.
set -euo pipefail
t="${1:-5s}"
cd "$(dirname "$0")/.."
for dir in $(go list -f '{{.Dir}}' ./...); do
  for f in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go 2>/dev/null | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort -u); do
    echo "fuzz $f in ${dir#$PWD/} for $t"
    # Quiet when it passes; on a failure, say why (a crasher, or the fuzzing
    # engine's own trouble such as a worker that hung).
    if ! out=$(go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$dir" 2>&1); then
      echo "$out" | tail -40
      exit 1
    fi
  done
done
