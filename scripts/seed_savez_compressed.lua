-- seed_savez_compressed.lua -- NumPy's reference page for
-- numpy.savez_compressed (its example), and the chapter's
-- "np.savez_compressed() -- Compressed Archive" section, in Lua.
local np = require "npio"

-- the reference page's example
local test_array = np.random.rand(3, 2)
local test_vector = np.random.rand(4)
np.savez_compressed("123", {a = test_array, b = test_vector})  -- adds .npz
local loaded <close> = np.load("123.npz")
print(np.array_equal(test_array, loaded.a))    -- true
print(np.array_equal(test_vector, loaded.b))   -- true
assert(np.array_equal(test_array, loaded.a) and np.array_equal(test_vector, loaded.b))

-- the chapter: a large array, uncompressed and compressed
local large_array = np.random.randn(1000, 1000)
np.savez("uncompressed.npz", {data = large_array})          -- ~8 MB
np.savez_compressed("compressed.npz", {data = large_array})  -- smaller
local function size(p)
  local f = assert(io.open(p, "rb"))
  local n = f:seek("end")
  f:close()
  return n
end
local su, sc = size("uncompressed.npz"), size("compressed.npz")
print(string.format("uncompressed %.2f MB, compressed %.2f MB", su / 1e6, sc / 1e6))
assert(su > 8e6 and sc < su, "compression did not shrink the archive")
local c <close> = np.load("compressed.npz")
assert(np.array_equal(c.data, large_array), "compressed data differ")
print("seed_savez_compressed: ok")
