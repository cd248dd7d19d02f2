#!/usr/bin/env bash
# Runs every test suite of npio and prints one line per suite and a final
#   N passed, N failed
# Suites: the C unit tests, the busted specs under ./npio and under stock
# lua5.4, the NumPy interop scripts (tests/interop/*.sh), the example
# scripts (scripts/*.lua), and the same again with the ASan/UBSan build
# (build-san/). `tests/run.sh --big` runs the big-file tests instead.
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:${LSAN_OPTIONS:-}"

total_pass=0
total_fail=0
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT

# record NAME STATUS PASS FAIL: adds one suite's counts
record() {
  local name=$1 status=$2 p=$3 f=$4
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1   # crashed or failed without saying what: count it
  fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  printf '  %-44s %5d passed, %d failed\n' "$name" "$p" "$f"
}

# the last "N passed, N failed" line of a log
counts() {
  local line
  line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then echo "0 0"; return; fi
  echo "$line" | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/'
}

show_failure() {
  echo "----- $1 (last lines) -----"
  tail -n 40 "$2"
  echo "-----"
}

run_suite() {   # run_suite NAME LOGNAME command...
  local name=$1 log="$LOG/$2"; shift 2
  "$@" >"$log" 2>&1 </dev/null
  local st=$?
  read -r p f < <(counts "$log")
  record "$name" "$st" "$p" "$f"
  if [ "$st" -ne 0 ] || [ "$f" -ne 0 ]; then show_failure "$name" "$log"; fi
}

run_busted() {  # run_busted NAME LOGNAME interpreter...
  local name=$1 log="$LOG/$2"; shift 2
  "$@" /usr/bin/busted -o TAP tests/spec >"$log" 2>&1 </dev/null
  local st=$?
  local p f
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^not ok ' "$log")
  [ "$st" -ne 0 ] && [ "$f" -eq 0 ] && ! grep -q '^1\.\.' "$log" && f=1
  record "$name" 0 "$p" "$f"
  if [ "$f" -ne 0 ]; then show_failure "$name" "$log"; grep -A6 '^not ok' "$log" | head -80; fi
}

run_scripts() {  # run_scripts NAME NPIO: each scripts/*.lua must exit 0
  local name=$1 npio=$2 p=0 f=0 s
  for s in scripts/*.lua; do
    [ -e "$s" ] || continue
    if (cd "$(mktemp -d)" && "$OLDPWD/$npio" "$OLDPWD/$s") >"$LOG/script.log" 2>&1 </dev/null; then
      p=$((p + 1))
    else
      f=$((f + 1)); show_failure "$s" "$LOG/script.log"
    fi
  done
  record "$name" 0 "$p" "$f"
}

run_build() {   # run_build DIR NPIO LABEL
  local dir=$1 npio=$2 label=$3 t
  echo "== $label"
  for t in "$dir"/tests/*; do
    [ -x "$t" ] || continue
    run_suite "C $(basename "$t")" "c-$label-$(basename "$t")" "$t"
  done
  if [ -d tests/spec ]; then
    run_busted "busted under $npio" "busted-$label" "$npio"
  fi
  for t in tests/interop/*.sh; do
    [ -e "$t" ] || continue
    run_suite "interop $(basename "$t" .sh)" "i-$label-$(basename "$t")" env NPIO="$npio" bash "$t"
  done
  run_scripts "scripts under $npio" "$npio"
}

if [ "${1:-}" = "--big" ]; then
  for t in tests/interop/*_big.sh tests/big/*.sh; do
    [ -e "$t" ] || continue
    run_suite "big $(basename "$t" .sh)" "big-$(basename "$t")" env NPIO=./npio NPIO_BIG=1 bash "$t"
  done
  echo "$total_pass passed, $total_fail failed"
  [ "$total_fail" -eq 0 ]
  exit
fi

run_build build ./npio "release build"
if [ -d tests/spec ]; then
  echo "== stock lua5.4 with npio.so"
  run_busted "busted under lua5.4" busted-lua env LUA_CPATH_5_4="./?.so;;" lua5.4
fi
if [ -x build-san/npio ] && [ "${NPIO_SKIP_SAN:-0}" != 1 ]; then
  run_build build-san ./build-san/npio "ASan+UBSan build"
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
