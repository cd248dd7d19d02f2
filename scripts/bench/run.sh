#!/usr/bin/env bash
# npio benchmark: NumPy and npio side by side, in one run, on the same data.
#   scripts/bench/run.sh [npy] [npz] [text] [ops] [mmap] [CASE-PREFIX ...]
# Environment: BENCH_ROUNDS=N, BENCH_QUICK=1, BENCH_TIMEOUT=S,
# BENCH_TMPDIR=DIR (where the big temporary inputs go), NPIO=path.
# See scripts/bench/README.md. Never fails the build: exits 0 unless
# interrupted.
set -u
cd "$(dirname "$0")/../.." || exit 0
ROOT=$(pwd)
PY=/usr/bin/python3

if [ ! -x "$PY" ] || ! "$PY" -c 'import numpy' 2>/dev/null; then
  echo "bench: $PY with NumPy is needed (Debian python3-numpy); skipped"
  exit 0
fi

base=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
T=$(mktemp -d "$base/npio-bench.XXXXXX") || {
  echo "bench: cannot create a temp folder under $base; skipped"; exit 0; }
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM HUP

if ! cc -O2 -o "$T/limits.bin" scripts/bench/limits.c -lz 2>"$T/cc.err"; then
  echo "bench: limits.c did not compile; limits are skipped:"
  head -5 "$T/cc.err"
fi

BENCH_TMP="$T" BENCH_ROOT="$ROOT" BENCH_LIMITS="$T/limits.bin" \
  NPIO="${NPIO:-$ROOT/npio}" "$PY" scripts/bench/bench.py "$@"
rc=$?
[ "$rc" -eq 130 ] && exit 130
[ "$rc" -ne 0 ] && echo "bench: driver exited with status $rc (ignored)"
exit 0
