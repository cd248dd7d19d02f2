#!/usr/bin/env bash
# repr_big.sh -- npio_array_repr against NumPy on many random arrays
# (floats of every width and bit pattern, complex, x87 long double,
# datetime64/timedelta64 over the whole int64 range, any Unicode code
# point) under random print options. Runs with `tests/run.sh --big`
# (NPIO_BIG=1); the normal run skips it. Prints "N passed, N failed".
#   NPIO_REPR_CASES  cases per seed (default 20000), seeds 101..103
set -u
cd "$(dirname "$0")/../.."

if [ "${NPIO_BIG:-0}" != 1 ]; then
  echo "repr_big: skipped (set NPIO_BIG=1)"
  echo "0 passed, 0 failed"
  exit 0
fi

case "${NPIO:-./npio}" in
  *build-san*) bin=build-san/tests/test_repr ;;
  *) bin=build/tests/test_repr ;;
esac
if [ ! -x "$bin" ]; then
  echo "repr_big: $bin not built"
  echo "0 passed, 1 failed"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=${NPIO_REPR_CASES:-20000}
pass=0
fail=0
for seed in 101 102 103; do
  if ! /usr/bin/python3 tests/interop/repr_gen.py --random "$n" "$seed" \
       "$tmp/cases.txt" >/dev/null; then
    echo "repr_big: generator failed (seed $seed)"
    fail=$((fail + 1))
    continue
  fi
  "$bin" "$tmp/cases.txt" >"$tmp/out.txt" 2>&1
  line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$tmp/out.txt" | tail -n 1)
  if [ -z "$line" ]; then
    echo "repr_big: $bin crashed (seed $seed)"
    tail -n 20 "$tmp/out.txt"
    fail=$((fail + 1))
    continue
  fi
  p=${line%% passed*}
  f=${line#*, }
  f=${f%% failed}
  pass=$((pass + p))
  fail=$((fail + f))
  if [ "$f" -ne 0 ]; then
    echo "repr_big: seed $seed:"
    head -n 60 "$tmp/out.txt"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
