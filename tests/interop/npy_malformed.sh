#!/usr/bin/env bash
# npy_malformed.sh -- the malformed .npy corpus (RELIABILITY.md A1-A7).
#
#   bash tests/interop/npy_malformed.sh            (./npio)
#   NPIO=./build-san/npio bash tests/interop/npy_malformed.sh
#   NPY_BIG=1 ...                                  (adds the multi-GiB cases)
#
# Generates the corpus with tests/adv/npy/gen.py (NumPy decides each
# case's class) into a temp dir, then np.load's every file in one npio
# process. If that process dies by a signal, every case is rerun in its
# own process to name the crashing files. The cases that declare huge
# sizes are also run under a 1 GiB address-space limit (not for sanitizer
# builds, whose shadow memory needs terabytes of address space; the
# VmPeak check in the driver covers them). Prints one line per failure
# and "N passed, N failed"; exits 1 when anything failed.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
driver="$here/npy_malformed.lua"
LIMIT=${NPY_TIMEOUT:-600}

if [ ! -x "$NPIO" ]; then
  echo "npy_malformed: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus="$tmp/corpus"

big=()
[ "${NPY_BIG:-0}" = 1 ] && big=(--big)
if ! $PY "$root/tests/adv/npy/gen.py" "$corpus" "${big[@]}" >"$tmp/gen.log" 2>&1; then
  cat "$tmp/gen.log"; echo "0 passed, 1 failed"; exit 1
fi
sed -n 1p "$tmp/gen.log"

is_san=0
if ldd "$NPIO" 2>/dev/null | grep -qE 'libasan|libubsan'; then is_san=1; fi
if [ $is_san = 1 ]; then
  # report every sanitizer finding as a failure (non-zero exit, no recovery)
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi

total_p=0 total_f=0
summ() {  # adds "N passed, N failed" of file $1; echo 0 if found
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
  [ -z "$line" ] && return 1
  total_p=$((total_p + $(cut -d' ' -f1 <<<"$line")))
  total_f=$((total_f + $(cut -d' ' -f3 <<<"$line")))
  return 0
}
sanitizer_report() {  # prints sanitizer findings in $1, returns 0 if any
  grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$1" || return 1
  grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|SUMMARY' "$1" | head -n 5
  return 0
}

# 1. every case in one process
timeout -s KILL "$LIMIT" "$NPIO" "$driver" "$corpus" >"$tmp/all.log" 2>&1
rc=$?
grep -E '^FAIL' "$tmp/all.log"
if [ $rc -ge 128 ] || ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$tmp/all.log" \
   || sanitizer_report "$tmp/all.log" >/dev/null; then
  echo "FAIL corpus run: exit $rc ($([ $rc -ge 128 ] && echo "signal $((rc - 128))" || echo "sanitizer report or no summary")); rerunning each case alone"
  sanitizer_report "$tmp/all.log" || tail -n 5 "$tmp/all.log"
  names=$(grep -oE '^\{name = "[^"]+"' "$corpus/manifest.lua" | sed -E 's/.*"(.*)"/\1/')
  for n in $names; do
    timeout -s KILL 120 "$NPIO" "$driver" "$corpus" --only "$n" >"$tmp/one.log" 2>&1
    r=$?
    grep -E '^FAIL' "$tmp/one.log"
    if [ $r -ge 128 ] || sanitizer_report "$tmp/one.log" >/dev/null || \
       ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$tmp/one.log"; then
      echo "FAIL $n: crash (exit $r) -- reproduce: $PY tests/adv/npy/gen.py DIR; $NPIO -e 'np.load(\"DIR/$n.npy\")'"
      sanitizer_report "$tmp/one.log"
      total_f=$((total_f + 1))
    else
      summ "$tmp/one.log"
    fi
  done
else
  summ "$tmp/all.log"
  # the mmap_truncate case in its own process: a SIGBUS there is a failure
  for n in $(grep -F 'special = "mmap_truncate"' "$corpus/manifest.lua" \
             | sed -E 's/^\{name = "([^"]+)".*/\1/'); do
    timeout -s KILL 120 "$NPIO" "$driver" "$corpus" --only "$n" >"$tmp/one.log" 2>&1
    r=$?
    grep -E '^FAIL|^mmap_truncate' "$tmp/one.log"
    if [ $r -ge 128 ]; then
      echo "FAIL $n: reading a memory map after its file was truncated killed the process (signal $((r - 128)))"
      total_f=$((total_f + 1))
    elif ! summ "$tmp/one.log"; then
      echo "FAIL $n: exit $r without a summary"; tail -n 5 "$tmp/one.log"
      total_f=$((total_f + 1))
    fi
  done
fi

# 2. huge declared sizes under a 1 GiB address-space limit
if [ $is_san = 0 ]; then
  ( ulimit -v 1048576; timeout -s KILL "$LIMIT" "$NPIO" "$driver" "$corpus" --rss-only ) \
    >"$tmp/rss.log" 2>&1
  rc=$?
  sed -E 's/^FAIL /FAIL (ulimit -v 1GiB) /' "$tmp/rss.log" | grep -E '^FAIL'
  if [ $rc -ge 128 ] || ! summ "$tmp/rss.log"; then
    echo "FAIL rss run under ulimit -v 1GiB: exit $rc"; tail -n 10 "$tmp/rss.log"
    total_f=$((total_f + 1))
  fi
else
  echo "SKIP ulimit -v run (sanitizer build); VmPeak checks still ran"
fi

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
