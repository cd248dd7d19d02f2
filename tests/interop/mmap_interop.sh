#!/usr/bin/env bash
# Memory maps against NumPy, both ways:
#  - np.memmap w+ files written by npio read by NumPy's fromfile/memmap;
#  - NumPy's memmap files read by npio;
#  - open_memmap .npy files created by npio load in NumPy (C and Fortran);
#  - r+ writes visible to NumPy after flush; c writes never reach the file.
# Prints "N passed, N failed".
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
check() {  # check NAME CMD...
  local name=$1; shift
  if out=$("$@" 2>&1); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: $out"; fi
}

# 1. npio writes with memmap w+, NumPy reads
check "npio w+ -> numpy fromfile" bash -c "
$NPIO -e '
local m = np.memmap(\"$T/a.bin\", {dtype=\">i4\", mode=\"w+\", shape={3, 4}})
for i = 1, 3 do for j = 1, 4 do m[{i, j}] = i * 100 + j end end
m:flush()' &&
$PY -c '
import numpy as np
a = np.fromfile(\"$T/a.bin\", dtype=\">i4\").reshape(3, 4)
e = np.array([[i * 100 + j for j in range(1, 5)] for i in range(1, 4)])
assert (a == e).all(), a
m = np.memmap(\"$T/a.bin\", dtype=\">i4\", mode=\"r\", shape=(3, 4))
assert (m == e).all()'"

# 2. NumPy writes with memmap, npio reads (offset, Fortran order)
check "numpy memmap -> npio" bash -c "
$PY -c '
import numpy as np
open(\"$T/b.bin\", \"wb\").write(b\"HDR\")
m = np.memmap(\"$T/b.bin\", dtype=\"<f8\", mode=\"r+\", offset=3, shape=(2, 3), order=\"F\")
m[:] = [[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]]
m.flush()' &&
$NPIO -e '
local m = np.memmap(\"$T/b.bin\", {dtype=\"<f8\", mode=\"r\", offset=3, shape={2, 3}, order=\"F\"})
local t = m:tolist()
assert(t[1][1] == 1.5 and t[1][3] == 3.5 and t[2][1] == 4.5 and t[2][3] == 6.5, \"values\")'"

# 3. open_memmap files created by npio load in NumPy, byte-identical headers
for order in false true; do
check "npio open_memmap fortran=$order -> numpy" bash -c "
$NPIO -e '
local m = np.open_memmap(\"$T/c$order.npy\", {mode=\"w+\", dtype=\"<i8\", shape={4, 5}, fortran_order=$order})
for i = 1, 4 do for j = 1, 5 do m[{i, j}] = i * 10 + j end end
m:flush()' &&
$PY -c '
import numpy as np, io
fo = \"$order\" == \"true\"
a = np.load(\"$T/c$order.npy\")
e = np.array([[i * 10 + j for j in range(1, 6)] for i in range(1, 5)])
assert (a == e).all(), a
assert a.flags.f_contiguous == fo
ref = np.lib.format.open_memmap(\"$T/ref.npy\", mode=\"w+\", dtype=\"<i8\", shape=(4, 5), fortran_order=fo)
ref[:] = e; ref.flush(); del ref
assert open(\"$T/ref.npy\", \"rb\").read() == open(\"$T/c$order.npy\", \"rb\").read(), \"bytes differ\"'"
done

# 4. r+ writes visible after flush; c writes never reach the file
check "r+ flush and c isolation" bash -c "
$PY -c '
import numpy as np
np.save(\"$T/d.npy\", np.arange(10, dtype=\"<f4\"))' &&
$NPIO -e '
local m = np.load(\"$T/d.npy\", {mmap_mode=\"r+\"})
m[3] = 42.5
m:flush()
local c = np.load(\"$T/d.npy\", {mmap_mode=\"c\"})
c[4] = -7
c:flush()' &&
$PY -c '
import numpy as np
a = np.load(\"$T/d.npy\")
assert a[2] == 42.5, a
assert a[3] == 3.0, a'"

# 5. a big-endian, structured .npy made by NumPy maps with the right values
check "numpy structured >f8 -> npio mmap" bash -c "
$PY -c '
import numpy as np
a = np.zeros(3, dtype=[(\"x\", \">f8\"), (\"n\", \"<i2\")])
a[\"x\"] = [1.25, -2.5, 1e300]; a[\"n\"] = [1, -2, 3]
np.save(\"$T/e.npy\", a)' &&
$NPIO -e '
local m = np.load(\"$T/e.npy\", {mmap_mode=\"r\"})
local x = m:field(\"x\")
assert(x[1] == 1.25 and x[2] == -2.5 and x[3] == 1e300, \"x\")
assert(m:field(\"n\")[2] == -2, \"n\")'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
