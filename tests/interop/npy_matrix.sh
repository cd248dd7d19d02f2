#!/usr/bin/env bash
# npy_matrix.sh -- .npy interop with NumPy, both ways (run from the repo root).
#
#   NumPy writes every dtype x shape x order (plus NumPy's own test_format
#   basic and record arrays); npio loads each, checks dtype/shape/values
#   against NumPy's description and re-saves it byte-identically. Then
#   npio builds arrays itself (and appends to files), and NumPy checks
#   dtype/shape/values and that np.save gives the same bytes.
#
#   NPIO=./build-san/npio bash tests/interop/npy_matrix.sh
#
# Prints one line per failure and a final "N passed, N failed"; exits 1
# when anything failed.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$NPIO" ]; then
  echo "npy_matrix: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

total_p=0 total_f=0
# Adds the last "N passed, N failed" line of a stage to the totals; a stage
# that died (signal, no summary) counts as one failure.
tally() {  # name rc output-file
  local name=$1 rc=$2 out=$3 line p f
  grep -E '^(FAIL|SKIP)' "$out"
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

if ! $PY "$here/npy_gen.py" gen "$tmp" >"$tmp/gen.log" 2>&1; then
  cat "$tmp/gen.log"; echo "0 passed, 1 failed"; exit 1
fi

"$NPIO" "$here/npy_check.lua" "$tmp" >"$tmp/check.log" 2>&1
tally "numpy->npio" $? "$tmp/check.log"

# Headers must not depend on the C locale (RELIABILITY A9, libnpy#37).
loc=$(locale -a 2>/dev/null | grep -iE '^(de_DE|fr_FR|nl_NL)\.utf-?8$' | head -n 1)
if [ -n "$loc" ]; then
  "$NPIO" "$here/npy_check.lua" "$tmp" --locale "$loc" >"$tmp/loc.log" 2>&1
  tally "numpy->npio ($loc)" $? "$tmp/loc.log"
else
  echo "SKIP numpy->npio under a comma-decimal locale: none installed (locale -a)"
fi

$PY "$here/npy_gen.py" check "$tmp" >"$tmp/pycheck.log" 2>&1
tally "npio->numpy" $? "$tmp/pycheck.log"

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
