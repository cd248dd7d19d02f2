#!/usr/bin/env bash
# npz_big.sh -- the .npz cases too big for `make test` (run by
# `make test-big`, i.e. tests/run.sh --big). Needs ~12 GB of free disk and
# ~10 GB of memory.
#
#   1. A real member over 4 GiB (4.5 GiB of uint8 with markers at the start,
#      past 4 GiB and at the end), followed by a small member whose offset
#      is past 4 GiB: written stored and compressed by npio (zip64 sizes
#      and offsets), read back by npio (plain and mapped) and by NumPy,
#      and tested by `python3 -m zipfile -t` and `unzip -t`.
#   2. 70,000 members (more than 65,535: a zip64 end record) written by
#      npio, listed and spot-checked by NumPy.
#   3. 1,000,000 entries (tests/adv/npz/gen.py --big): listing must work,
#      in well under 10 s (the overlap check is O(N log N)); the time is
#      printed, not asserted.
#
# Prints "N passed, N failed"; exits 1 on a failure.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ "${NPIO_BIG:-0}" != 1 ]; then
  echo "npz_big: skipped (set NPIO_BIG=1, or run make test-big)"
  echo "0 passed, 0 failed"
  exit 0
fi
if [ ! -x "$NPIO" ]; then
  echo "npz_big: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d "${NPZ_BIG_DIR:-/tmp}/npz_big.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
p=0 f=0
ok() { p=$((p + 1)); echo "ok   $*"; }
bad() { f=$((f + 1)); echo "FAIL $*"; }

# ---- 1. a member over 4 GiB
cat >"$tmp/big.lua" <<'EOF'
local np = require "npio"
local dir = arg[1]
local n = 4831838208                -- 4.5 GiB
local far = (1 << 32) + 5
local a = np.zeros(n, "uint8")
a[1] = 11; a[far] = 22; a[n] = 33
local small = np.arange(10)
local t0 = np.clock()
np.savez(dir .. "/big_s.npz", {{"a", a}, {"small", small}}, {progress = false})
local t1 = np.clock()
np.savez_compressed(dir .. "/big_c.npz", {{"a", a}, {"small", small}},
                    {progress = false})
local t2 = np.clock()
io.write(string.format("npio savez %.1f s, savez_compressed %.1f s\n",
                       t1 - t0, t2 - t1))
a = nil
collectgarbage()
for _, f in ipairs({"big_s.npz", "big_c.npz"}) do
  for _, mode in ipairs({false, "r"}) do
    local z <close> = np.load(dir .. "/" .. f, {mmap_mode = mode})
    local b = z.a
    assert(#b == n, "length")
    assert(b[1] == 11 and b[far] == 22 and b[n] == 33 and b[2] == 0,
           "markers")
    assert(z.small[10] == 9, "small member")
    if f == "big_s.npz" then
      local off = z:info("small").offset
      assert(off > (1 << 32), "the small member's offset " .. off ..
             " is past 4 GiB")
      assert(off % 64 == 0 and z:info("a").offset % 64 == 0, "aligned")
    end
    b = nil
    collectgarbage()
  end
end
print("npio reads both")
EOF
if "$NPIO" "$tmp/big.lua" "$tmp" 2>&1; then ok "npio writes and reads a 4.5 GiB member"
else bad "npio: 4.5 GiB member"; fi
for z in big_s.npz big_c.npz; do
  [ -e "$tmp/$z" ] || continue
  if $PY - "$tmp/$z" <<'EOF'
import sys, numpy as np
n = int(4.5 * 2**30)
with np.load(sys.argv[1]) as z:
    a = z['a']
    assert a.shape == (n,) and a[0] == 11 and a[2**32 + 4] == 22 and a[-1] == 33
    assert int(a[1:2**32 + 4].max()) == 0
    assert list(z['small']) == list(range(10))
EOF
  then ok "NumPy reads $z"; else bad "NumPy reads $z"; fi
  if $PY -m zipfile -t "$tmp/$z" >/dev/null 2>&1; then ok "zipfile -t $z"; else bad "zipfile -t $z"; fi
  if unzip -tqq "$tmp/$z" >/dev/null 2>&1; then ok "unzip -t $z"; else bad "unzip -t $z"; fi
done
rm -f "$tmp"/big_*.npz

# ---- 2. more than 65,535 members
cat >"$tmp/many.lua" <<'EOF'
local np = require "npio"
local t = {}
for i = 0, 69999 do t[#t + 1] = {string.format("m%05d", i), np.arange(i % 5 + 1) + i} end
np.savez_compressed(arg[1], t, {progress = false})
local z <close> = np.load(arg[1])
assert(#z.files == 70000 and z.m69999[1] == 69999)
EOF
if "$NPIO" "$tmp/many.lua" "$tmp/many.npz" 2>&1; then ok "npio writes and reads 70,000 members"
else bad "npio: 70,000 members"; fi
if $PY - "$tmp/many.npz" <<'EOF'
import sys, numpy as np
with np.load(sys.argv[1]) as z:
    assert len(z.files) == 70000 and z.files[-1] == 'm69999'
    assert list(z['m69999']) == [69999 + k for k in range(5)]
    assert list(z['m00000']) == [0]
EOF
then ok "NumPy reads 70,000 members"; else bad "NumPy reads 70,000 members"; fi
if unzip -tqq "$tmp/many.npz" >/dev/null 2>&1; then ok "unzip -t many.npz"; else bad "unzip -t many.npz"; fi

# ---- 3. a million entries
if $PY "$root/tests/adv/npz/gen.py" "$tmp/adv" --big >/dev/null 2>&1; then
  t0=$(date +%s%N)
  out=$("$NPIO" "$root/tests/adv/npz/check.lua" "$tmp/adv" big_1m_entries.npz 2>&1)
  t1=$(date +%s%N)
  echo "1,000,000 entries: listed and checked in $(( (t1 - t0) / 1000000 )) ms"
  if grep -q " 0 failed" <<<"$out"; then ok "1,000,000 entries"; else bad "1,000,000 entries: $out"; fi
else
  bad "gen.py --big"
fi

echo "$p passed, $f failed"
[ "$f" -eq 0 ]
