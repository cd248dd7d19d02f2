#!/usr/bin/env bash
# Differential suite of the array engine against NumPy 1.24: generates
# random cases (ops_gen.py), runs them with npio (ops_diff.lua) and
# compares (ops_check.py). Run from the repo root; NPIO=./build-san/npio
# runs the sanitizer build. OPS_CASES and OPS_SEED change the suite.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
$PY tests/interop/ops_gen.py "$DIR" "${OPS_CASES:-700}" "${OPS_SEED:-12345}" \
  || { echo "0 passed, 1 failed"; exit 1; }
"$NPIO" tests/interop/ops_diff.lua "$DIR" > "$DIR/run.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  cat "$DIR/run.log"
fi
$PY tests/interop/ops_check.py "$DIR"
