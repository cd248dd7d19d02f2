-- npz_tour.lua -- a tour of .npz archives in npio: a dataset written as
-- one compressed archive (members compressed in parallel), a member
-- added later without rewriting the others, a stored member mapped
-- straight from the archive, and np.info listing it all without reading
-- any data.
local np = require "npio"

-- 1. a small dataset: features, labels, and a Fortran-ordered matrix
local n = 20000
local x = np.random.randn(n, 16)
local y = np.arange(n) % 10
np.savez_compressed("dataset.npz", {x = x, y = y, w = x.T}, {level = 6})

-- 2. later: add the class means, and replace the labels, in place
local means = {}
for c = 0, 9 do means[#means + 1] = c * 1.5 end
np.savez("dataset.npz", {means = np.array(means), y = y + 100}, {mode = "a"})

-- 3. read lazily: each member is read (and its CRC checked) on access
do
  local z <close> = np.load("dataset.npz")
  print(z)                                  -- NpzFile 'dataset.npz' with keys: ...
  assert(table.concat(z.files, ",") == "w,x,y,means")
  assert(np.array_equal(z.x, x) and np.array_equal(z.w, x.T))
  assert(z.y[1] == 100 and z.y[n] == 109)
  for name, value in pairs(z) do
    io.write(string.format("  %-6s %s %s\n", name, tostring(value.dtype),
                           table.concat(value.shape, "x")))
  end
end

-- 4. map a stored member: no copy, the array's memory is the archive's
np.savez("big.npz", {a = np.arange(1e6)})
do
  local z <close> = np.load("big.npz", {mmap_mode = "r"})
  local a = z.a
  assert(not a.flags.writeable and a[1000000] == 999999)
  print(string.format("  mapped 'a' at offset %d (a multiple of 64)", z:info("a").offset))
  assert(z:info("a").offset % 64 == 0)
end

-- 5. what is inside, without reading any data (as `npio info` prints it)
for _, t in ipairs(np.info("dataset.npz")) do
  print(string.format("  %-6s %-8s %-10s %9d bytes, %9d stored (%s)", t.name, t.dtype,
                      table.concat(t.shape, "x"), t.nbytes, t.compressed_size, t.method))
end
os.remove("dataset.npz")
os.remove("big.npz")
print("npz_tour: ok")
