#!/usr/bin/env bash
# npz_hostile.sh -- hostile .npz archives (RELIABILITY.md category B).
#
#   bash tests/interop/npz_hostile.sh                 (./npio)
#   NPIO=./build-san/npio bash tests/interop/npz_hostile.sh
#
# Generates the corpus with tests/adv/npz/gen.py (bombs, size lies, names,
# structure; see its header) and runs every case in one npio process
# (tests/adv/npz/check.lua): each must land in its class with a message
# naming the cause, listing must work where reading cannot, and the peak
# RSS must stay under a cap. If the process dies by a signal, every case
# is rerun alone to name the crashing archive. Then the honest 64 MiB
# member is read under --mem 32M: refused before it is inflated.
# Prints one line per failure and "N passed, N failed"; exits 1 when
# anything failed.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ ! -x "$NPIO" ]; then
  echo "npz_hostile: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus="$tmp/corpus"
if ! $PY "$root/tests/adv/npz/gen.py" "$corpus" >"$tmp/gen.log" 2>&1; then
  cat "$tmp/gen.log"; echo "0 passed, 1 failed"; exit 1
fi
sed -n 1p "$tmp/gen.log"

san=0
if ldd "$NPIO" 2>/dev/null | grep -qE 'libasan|libubsan'; then san=1; fi

p=0 f=0
NPZ_SAN=$san "$NPIO" "$root/tests/adv/npz/check.lua" "$corpus" >"$tmp/check.log" 2>&1
rc=$?
grep -E '^(FAIL|peak)' "$tmp/check.log" | head -n 60
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$tmp/check.log"; then
  echo "FAIL sanitizer report"
  grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|SUMMARY|#[0-9] ' "$tmp/check.log" | head -n 20
  f=$((f + 1))
fi
line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$tmp/check.log" | tail -n 1)
if [ "$rc" -ge 128 ] || [ -z "$line" ]; then
  echo "FAIL check.lua died (status $rc); rerunning each case alone"
  tail -n 15 "$tmp/check.log"
  f=$((f + 1))
  for z in "$corpus"/*.npz; do
    NPZ_SAN=$san "$NPIO" "$root/tests/adv/npz/check.lua" "$corpus" "$(basename "$z")" \
      >"$tmp/one.log" 2>&1
    if [ $? -ge 128 ]; then echo "FAIL $(basename "$z"): crash"; f=$((f + 1)); fi
  done
else
  p=$((p + $(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')))
  f=$((f + $(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')))
fi

# Memory is bounded by the member's declared .npy header: an honest
# 64 MiB member is refused under a 32 MiB budget before it is inflated.
out=$(NPZ_FILE="$corpus/b1_honest_zeros.npz" "$NPIO" --mem 32M -e '
  local np = require "npio"
  local z <close> = np.load(os.getenv("NPZ_FILE"))
  local ok, err = pcall(function() return z.zeros end)
  io.write(ok and "loaded" or err, "\n")' 2>&1 </dev/null)
if grep -q "memory limit" <<<"$out"; then p=$((p + 1))
else echo "FAIL honest zeros under --mem 32M: $out"; f=$((f + 1)); fi

echo "$p passed, $f failed"
[ "$f" -eq 0 ]
