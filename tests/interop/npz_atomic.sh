#!/usr/bin/env bash
# npz_atomic.sh -- kill -9 during np.savez_compressed, np.savez and an
# append (mode "a"): the archive at the target path must always be the
# old one or the complete new one, byte for byte (RELIABILITY E1, E7).
#
#   bash tests/interop/npz_atomic.sh            (./npio; NPZ_KILLS=N rounds
#   NPIO=./build-san/npio bash ...               per mode, default 10)
#
# npio's archives are deterministic, so "the new one" is known: the same
# save run to completion into another path. NumPy then loads both
# references. Prints "N passed, N failed"; exits 1 on a failure.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
ROUNDS=${NPZ_KILLS:-10}

if [ ! -x "$NPIO" ]; then
  echo "npz_atomic: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# save.lua PATH MODE: MODE is "c" (savez_compressed), "s" (savez) or "a"
# (append to PATH); the arrays are the same on every run.
cat >"$tmp/save.lua" <<'EOF'
local np = require "npio"
local path, mode = arg[1], arg[2]
local n = 400000
local a = np.arange(n):reshape(400, 1000)
local b = (np.arange(n) % 251):reshape(200, 2000)
if mode == "c" then
  np.savez_compressed(path, {a = a, b = b, c = a.T}, {progress = false})
elseif mode == "s" then
  np.savez(path, {a = a, b = b, c = a.T}, {progress = false})
else
  np.savez_compressed(path, {new1 = a, new2 = b, old = np.arange(7)},
                      {mode = "a", progress = false})
end
EOF
# the old archive every round starts from
cat >"$tmp/old.lua" <<'EOF'
local np = require "npio"
np.savez(arg[1], {old = np.arange(10), keep = np.ones({50, 50})})
EOF

p=0 f=0
sha() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

for mode in c s a; do
  "$NPIO" "$tmp/old.lua" "$tmp/old.npz" || { echo "FAIL cannot write the old archive"; f=$((f + 1)); continue; }
  old=$(sha "$tmp/old.npz")
  cp "$tmp/old.npz" "$tmp/ref_$mode.npz"
  t0=$(date +%s%N)
  if ! "$NPIO" "$tmp/save.lua" "$tmp/ref_$mode.npz" "$mode" 2>"$tmp/ref.log"; then
    echo "FAIL mode $mode: the reference save failed"; cat "$tmp/ref.log"; f=$((f + 1)); continue
  fi
  # kill times spread over 0 .. 1.2 x the time a whole save takes
  span=$(( ($(date +%s%N) - t0) / 1000 * 12 / 10 ))   # microseconds
  new=$(sha "$tmp/ref_$mode.npz")
  # NumPy reads both states
  if $PY - "$tmp/old.npz" "$tmp/ref_$mode.npz" "$mode" <<'EOF'
import sys, numpy as np
old, new, mode = sys.argv[1:]
with np.load(old) as z:
    assert (z['old'] == np.arange(10)).all() and (z['keep'] == 1).all()
with np.load(new) as z:
    a = np.arange(400000).reshape(400, 1000)
    if mode == 'a':
        assert z.files == ['keep', 'old', 'new1', 'new2'], z.files
        assert (z['new1'] == a).all() and (z['old'] == np.arange(7)).all()
        assert (z['keep'] == 1).all()
    else:
        assert z.files == ['a', 'b', 'c'], z.files
        assert (z['a'] == a).all() and (z['c'] == a.T).all()
        assert (z["b"] == (np.arange(400000) % 251).reshape(200, 2000)).all()
EOF
  then p=$((p + 1)); else echo "FAIL mode $mode: NumPy rejects a reference archive"; f=$((f + 1)); fi
  olds=0 news=0
  for r in $(seq 1 "$ROUNDS"); do
    cp "$tmp/old.npz" "$tmp/t.npz"
    "$NPIO" "$tmp/save.lua" "$tmp/t.npz" "$mode" 2>/dev/null &
    pid=$!
    us=$(( span * r / ROUNDS ))
    sleep "$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    got=$(sha "$tmp/t.npz")
    if [ "$got" = "$old" ]; then olds=$((olds + 1)); p=$((p + 1))
    elif [ "$got" = "$new" ]; then news=$((news + 1)); p=$((p + 1))
    else echo "FAIL mode $mode round $r: the archive is neither the old nor the new one"; f=$((f + 1)); fi
    rm -f "$tmp"/.t.npz.npio-* "$tmp/t.npz"
  done
  echo "mode $mode: $ROUNDS kills, $olds left the old archive, $news the new one"
done

echo "$p passed, $f failed"
[ "$f" -eq 0 ]
