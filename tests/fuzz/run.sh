#!/usr/bin/env bash
# run.sh -- builds and runs the .npy libFuzzer harnesses (RELIABILITY D).
#
#   bash tests/fuzz/run.sh [SECONDS] [HARNESS...]     (from the repo root)
#
# SECONDS per harness (default 30); HARNESS defaults to every
# tests/fuzz/fuzz_*.c. Builds with clang -fsanitize=fuzzer,address,undefined
# the core sources the Makefile lists (CORE_SRC, compiled once into
# build/fuzz/obj/) and each harness into build/fuzz/, replays
# every reproducer in tests/fuzz/regress/ first, then fuzzes from seeds
# made by tests/adv/npy/gen.py (malformed corpus) and tests/interop/
# npy_gen.py (NumPy-written files), with -rss_limit_mb=2048 -timeout=10.
# A new crash, leak, OOM or timeout is saved as
# tests/fuzz/regress/<harness>-<kind>-<sha1> and makes the run fail.
#
# Environment: FUZZ_CORPUS=DIR keeps the growing corpus between runs
# (default: a temp dir), FUZZ_JOBS=N runs N harnesses at once (default 1),
# FUZZ_FLAGS adds libFuzzer flags (e.g. "-fork=2 -ignore_crashes=1").
# Prints per harness: executions, coverage, features, findings; then
# "N passed, N failed".
set -u
secs=${1:-30}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
CC=${FUZZ_CC:-clang}
PY=/usr/bin/python3
out=build/fuzz
regress=tests/fuzz/regress
mkdir -p "$out" "$regress"

if ! command -v "$CC" >/dev/null; then
  echo "fuzz: $CC not found (apt-get install clang)"; echo "0 passed, 1 failed"; exit 1
fi

core=$(make -s --no-print-directory --eval='fuzz-print-%: ; @echo $($*)' fuzz-print-CORE_SRC)
extra=$(make -s --no-print-directory --eval='fuzz-print-%: ; @echo $($*)' fuzz-print-EXTRA_LIBS)
if [ -z "$core" ]; then echo "fuzz: cannot read CORE_SRC from the Makefile"; echo "0 passed, 1 failed"; exit 1; fi

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do harnesses+=("$(basename "$f" .c)"); done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Seeds: the malformed corpus and NumPy's own files.
seeds="$tmp/seeds"
mkdir -p "$seeds"
$PY tests/adv/npy/gen.py "$tmp/adv" --seeds "$seeds/adv" >/dev/null 2>&1 || echo "fuzz: warning: gen.py failed; no adv seeds"
$PY tests/interop/npy_gen.py gen "$tmp/np" >/dev/null 2>&1 && {
  mkdir -p "$seeds/np"
  # keep the seeds small: the first 4 KiB of each NumPy file
  for f in "$tmp"/np/np/*.npy; do head -c 4096 "$f" >"$seeds/np/$(basename "$f")"; done
}
# Harness-specific leading byte: header/load harnesses read a flag byte first.
for d in adv np; do
  [ -d "$seeds/$d" ] || continue
  mkdir -p "$seeds/flag_$d"
  for f in "$seeds/$d"/*; do { printf '\000'; cat "$f"; } >"$seeds/flag_$d/$(basename "$f")"; done
done

# The core, compiled once (instrumented, without libFuzzer's main).
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFL="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Iruntime/include -Iruntime/src"
objs=()
build_failed=0
for src in $core; do
  o="$out/obj/${src%.c}.o"
  objs+=("$o")
  if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ runtime/include/npio.h -nt "$o" ] \
     || [ runtime/src/npio_int.h -nt "$o" ]; then
    mkdir -p "$(dirname "$o")"
    # shellcheck disable=SC2086
    if ! $CC $CFL $SAN -fsanitize=fuzzer-no-link -c "$src" -o "$o" 2>"$tmp/cc.log"; then
      head -20 "$tmp/cc.log"; echo "fuzz: $src does not compile"; build_failed=1
    fi
  fi
done
if [ $build_failed = 1 ]; then echo "0 passed, 1 failed"; exit 1; fi

passed=0 failed=0
for h in "${harnesses[@]}"; do
  bin="$out/$h"
  echo "== $h: building"
  # shellcheck disable=SC2086
  if ! $CC $CFL $SAN -fsanitize=fuzzer -Itests/fuzz \
      "tests/fuzz/$h.c" "${objs[@]}" -o "$bin" -lz -lm -lpthread $extra 2>"$tmp/$h.build"; then
    cat "$tmp/$h.build" | head -30
    echo "FAIL $h: does not build"; failed=$((failed + 1)); continue
  fi
  findings=0
  # 1. replay the saved reproducers of this harness
  shopt -s nullglob
  repro=("$regress/$h"-*)
  shopt -u nullglob
  if [ ${#repro[@]} -gt 0 ]; then
    for r in "${repro[@]}"; do
      if ! "$bin" -rss_limit_mb=2048 -timeout=10 "$r" >"$tmp/$h.replay" 2>&1; then
        echo "FAIL $h: reproducer still fails: $r"
        grep -E 'ERROR|SUMMARY|fuzz invariant|runtime error' "$tmp/$h.replay" | head -n 4
        findings=$((findings + 1))
      fi
    done
    echo "$h: replayed ${#repro[@]} reproducer(s), $findings still failing"
  fi
  # 2. fuzz
  corpus=${FUZZ_CORPUS:-$tmp/corpus}/$h
  mkdir -p "$corpus"
  # seeds: tests/fuzz/seeds/<harness>/ if present; the .npy corpora for
  # the .npy header/load harnesses (their first byte is a flag byte)
  sd=()
  [ -d "tests/fuzz/seeds/$h" ] && sd+=("tests/fuzz/seeds/$h")
  case $h in
    fuzz_npy_header|fuzz_npy_load) sd+=("$seeds/flag_adv" "$seeds/flag_np") ;;
  esac
  dict=()
  if [ -f "tests/fuzz/$h.dict" ]; then dict=(-dict="tests/fuzz/$h.dict")
  else case $h in fuzz_npy_*) dict=(-dict=tests/fuzz/npy.dict) ;; esac; fi
  echo "== $h: fuzzing for ${secs}s"
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    "${dict[@]}" -artifact_prefix="$regress/$h-" \
    -print_final_stats=1 ${FUZZ_FLAGS:-} "$corpus" "${sd[@]}" >"$tmp/$h.log" 2>&1
  rc=$?
  stats=$(grep -E '^#[0-9]+' "$tmp/$h.log" | tail -n 1)
  execs=$(grep -E '^stat::number_of_executed_units' "$tmp/$h.log" | awk '{print $2}')
  [ -z "$execs" ] && execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$stats")
  otc=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/p' <<<"$stats")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$stats")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$stats")
  new=$(grep -cE '^(artifact_prefix|Test unit written to)' "$tmp/$h.log")
  echo "$h: ${execs:-?} executions, cov ${cov:-?} edges, ft ${ft:-?} features${otc:+, oom/timeout/crash $otc}, exit $rc"
  if [ $rc -ne 0 ] || [ "$new" -gt 0 ]; then
    grep -E 'ERROR: |SUMMARY|fuzz invariant|runtime error|Test unit written' "$tmp/$h.log" | head -n 12
    findings=$((findings + 1))
  fi
  if [ $findings -eq 0 ]; then passed=$((passed + 1)); else
    echo "FAIL $h: findings (reproducers in $regress/)"; failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
