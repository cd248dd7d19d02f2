#!/usr/bin/env bash
# text_diff.sh -- the differential suite for np.loadtxt, np.genfromtxt
# and np.savetxt: NumPy 1.24 (/usr/bin/python3) runs every case of
# text_cases.py, npio runs the same inputs (text_diff.lua), and the
# dtypes, shapes, bytes, rejections and savetxt outputs must match.
# Run from the repository root; NPIO=./build-san/npio runs the sanitizer
# build. Prints "N passed, N failed" and exits non-zero on a failure.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! "$PY" tests/interop/text_cases.py "$dir" >/dev/null; then
  echo "text_diff: generating the cases with NumPy failed"
  echo "0 passed, 1 failed"
  exit 1
fi
"$NPIO" tests/interop/text_diff.lua "$dir"
