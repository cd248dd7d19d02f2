#!/usr/bin/env bash
# convert.sh -- npio_array_cast / npio_scalar_get / npio_scalar_set against
# NumPy 1.24 on the full case set: tests/interop/convert_gen.py --all runs
# NumPy (/usr/bin/python3) and writes the expected results; the C test
# binary (build/tests/test_convert, or build-san/ when NPIO points there)
# checks them with --cases. Also checks that the committed fixture
# tests/c/convert_cases.h is what the generator writes today.
# Prints "N passed, N failed"; exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/../.."

case "${NPIO:-./npio}" in
  *build-san*) bin=build-san/tests/test_convert ;;
  *) bin=build/tests/test_convert ;;
esac
if [ ! -x "$bin" ]; then
  echo "convert: $bin not built"
  echo "0 passed, 1 failed"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

if ! /usr/bin/python3 tests/interop/convert_gen.py --all >"$tmp/cases.txt"; then
  echo "convert: the generator failed"
  echo "0 passed, 1 failed"
  exit 1
fi

"$bin" -v --cases "$tmp/cases.txt" >"$tmp/out.txt" 2>&1
line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$tmp/out.txt" | tail -n 1)
if [ -z "$line" ]; then
  echo "convert: $bin crashed"
  tail -n 20 "$tmp/out.txt"
  fail=$((fail + 1))
else
  p=${line%% passed*}
  f=${line#*passed, }
  f=${f%% failed}
  pass=$((pass + p))
  fail=$((fail + f))
  if [ "$f" -ne 0 ]; then
    grep '^FAIL' "$tmp/out.txt" | cut -c1-300 | head -40
  fi
fi

# the committed fixture must be the generator's current output
/usr/bin/python3 tests/interop/convert_gen.py --header "$tmp/cases.h"
if cmp -s "$tmp/cases.h" tests/c/convert_cases.h; then
  pass=$((pass + 1))
else
  echo "convert: tests/c/convert_cases.h is stale; regenerate it with"
  echo "  /usr/bin/python3 tests/interop/convert_gen.py" \
       "--header tests/c/convert_cases.h"
  fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
