#!/usr/bin/env bash
# npz_interop.sh -- .npz interop with NumPy, both ways (run from the repo root).
#
#   NumPy writes archives (np.savez, np.savez_compressed: every dtype of the
#   foundation matrix, positional, empty, 1000 members, zip64 local headers
#   as NumPy always writes them, data descriptors, odd members); npio reads
#   each member and compares it with the source array. Then npio writes
#   archives (stored, compressed at several levels, forced zip64, views,
#   appends, Lua file handles and pipes) and NumPy reads them back;
#   `python3 -m zipfile -t` and `unzip -t` must accept every npio archive.
#
#   NPIO=./build-san/npio bash tests/interop/npz_interop.sh
#
# Prints one line per failure and a final "N passed, N failed"; exits 1
# when anything failed.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$NPIO" ]; then
  echo "npz_interop: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

total_p=0 total_f=0
# Adds the last "N passed, N failed" line of a stage to the totals; a stage
# that died (signal, no summary) or tripped a sanitizer counts as a failure.
tally() {  # name rc output-file
  local name=$1 rc=$2 out=$3 line p f
  grep -E '^(FAIL|SKIP)' "$out" | head -n 40
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
  if [ "$rc" -ge 128 ]; then
    echo "FAIL $name: killed by signal $((rc - 128)) (crash)"
    tail -n 20 "$out"
    total_f=$((total_f + 1))
  elif grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$out"; then
    echo "FAIL $name: sanitizer report"
    grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|SUMMARY' "$out" | head -n 6
    total_f=$((total_f + 1))
  elif [ -z "$line" ]; then
    echo "FAIL $name: exited $rc without a summary"
    tail -n 20 "$out"
    total_f=$((total_f + 1))
  fi
  if [ -n "$line" ]; then
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    total_p=$((total_p + p)); total_f=$((total_f + f))
    echo "$name: $line"
  fi
}

if ! $PY "$here/npz_gen.py" gen "$tmp" >"$tmp/gen.log" 2>&1; then
  cat "$tmp/gen.log"; echo "0 passed, 1 failed"; exit 1
fi

"$NPIO" "$here/npz_check.lua" "$tmp" >"$tmp/check.log" 2>&1
tally "numpy->npio, npio writes" $? "$tmp/check.log"

$PY "$here/npz_gen.py" check "$tmp" >"$tmp/pycheck.log" 2>&1
tally "npio->numpy" $? "$tmp/pycheck.log"

# The standard tools accept every archive npio wrote.
p=0 f=0
for z in "$tmp"/lua/*.npz; do
  [ -e "$z" ] || continue
  if $PY -m zipfile -t "$z" >"$tmp/zt.log" 2>&1; then p=$((p + 1))
  else f=$((f + 1)); echo "FAIL python -m zipfile -t $(basename "$z")"; tail -n 3 "$tmp/zt.log"; fi
  case $(basename "$z") in empty*) continue ;; esac   # unzip warns on empty zips
  if unzip -tqq "$z" >"$tmp/ut.log" 2>&1; then p=$((p + 1))
  else f=$((f + 1)); echo "FAIL unzip -t $(basename "$z")"; tail -n 3 "$tmp/ut.log"; fi
done
echo "zipfile -t / unzip -t: $p passed, $f failed"
total_p=$((total_p + p)); total_f=$((total_f + f))

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
