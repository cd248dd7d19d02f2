-- mmap_spec.lua -- np.memmap, np.open_memmap, np.load{mmap_mode}, and the
-- flush/close/blocks methods: modes, growth, errors, use after close.
local np = require "npio"
local H = dofile("tests/spec/helpers.lua")

local function rawfile(bytes)
  local p = H.tmpname(".bin")
  H.writefile(p, bytes)
  return p
end

describe("np.memmap", function()
  it("maps a raw file with shape=nil sized from the file", function()
    local p = rawfile(string.pack("<i4i4i4i4", 1, 2, 3, 4))
    local m = np.memmap(p, {dtype = "<i4", mode = "r"})
    assert.are.same({4}, m.shape)
    assert.are.same({1, 2, 3, 4}, m:tolist())
  end)

  it("honours an offset that is not page-aligned", function()
    local p = rawfile("xyz" .. string.pack("<i2i2i2", 7, 8, 9))
    local m = np.memmap(p, {dtype = "<i2", mode = "r", offset = 3})
    assert.are.same({7, 8, 9}, m:tolist())
  end)

  it("writes through in r+ and reaches the file after flush", function()
    local p = rawfile(string.rep("\0", 16))
    local m = np.memmap(p, {dtype = "<f8", mode = "r+"})
    m[2] = 2.5
    m:flush()
    assert.are.equal(string.pack("<d", 2.5), H.readfile(p):sub(9, 16))
  end)

  it("keeps c-mode changes in memory only", function()
    local p = rawfile(string.pack("<i4i4", 5, 6))
    local m = np.memmap(p, {dtype = "<i4", mode = "c"})
    m[1] = 99
    assert.are.equal(99, m[1])
    m:flush()
    assert.are.equal(string.pack("<i4i4", 5, 6), H.readfile(p))
  end)

  it("creates a zero-filled file in w+ and grows files in r+", function()
    local p = H.tmpname(".bin")
    local m = np.memmap(p, {dtype = "uint8", mode = "w+", shape = {2, 3}})
    assert.are.equal(0, m[{2, 3}])
    m[{2, 3}] = 7
    m:flush()
    assert.are.equal("\0\0\0\0\0\7", H.readfile(p))
    local g = np.memmap(p, {dtype = "uint8", mode = "r+", shape = 10})
    assert.are.equal(10, #g)
    assert.are.equal(10, #H.readfile(p))
  end)

  it("lays out order='F' in Fortran order", function()
    local p = rawfile(string.pack("<i4i4i4i4i4i4", 1, 2, 3, 4, 5, 6))
    local m = np.memmap(p, {dtype = "<i4", mode = "r", shape = {2, 3}, order = "F"})
    assert.are.same({{1, 3, 5}, {2, 4, 6}}, m:tolist())
  end)

  it("refuses bad modes, shapes and offsets", function()
    local p = rawfile(string.rep("\0", 10))
    H.checkerror("mode must be one of", np.memmap, p, {mode = "x"})
    H.checkerror("not a multiple of the data-type size", np.memmap, p,
                 {dtype = "<f8", mode = "r"})
    H.checkerror("past the end of the file", np.memmap, p,
                 {dtype = "uint8", mode = "r", offset = 11})
    H.checkerror("greater than file size", np.memmap, p,
                 {dtype = "uint8", mode = "r", shape = 11})
    H.checkerror("negative dimensions", np.memmap, p,
                 {dtype = "uint8", mode = "r", shape = {-1}})
    H.checkerror("too large", np.memmap, p,
                 {dtype = "<f8", mode = "r", shape = {2^40, 2^40}})
    H.checkerror("shape must be given", np.memmap, H.tmpname(), {mode = "w+"})
    H.checkerror("npio.memmap: " .. H.tmpdir() .. "/nope", np.memmap,
                 H.tmpdir() .. "/nope", {mode = "r"})
  end)

  it("raises on writes to a read-only map", function()
    local p = rawfile(string.pack("<i4", 1))
    local m = np.memmap(p, {dtype = "<i4", mode = "r"})
    H.checkerror("read-only", function() m[1] = 2 end)
    H.checkerror("read-only", function() m:fill(3) end)
    H.checkerror("read-only", function() m[{{1, 1}}] = 3 end)
    assert.are.equal(1, m[1])
  end)

  it("raises on any use after close, through views too", function()
    local p = rawfile(string.pack("<i4i4i4", 1, 2, 3))
    local m = np.memmap(p, {dtype = "<i4", mode = "r+"})
    local v = m[{{2, 3}}]
    m:close()
    H.checkerror("closed", function() return m[1] end)
    H.checkerror("closed", function() return v[1] end)
    H.checkerror("closed", function() v[1] = 5 end)
    H.checkerror("closed", function() return v:tolist() end)
    H.checkerror("closed", function() return m:copy() end)
    H.checkerror("closed", np.save, H.tmpname(".npy"), v)
    m:close()   -- closing twice is harmless
    collectgarbage()
  end)

  it("detects a file truncated under a live map", function()
    local p = rawfile(string.rep("\1", 8192))
    local m = np.memmap(p, {dtype = "uint8", mode = "r"})
    local f = assert(io.open(p, "w"))   -- truncates to 0 bytes
    f:close()
    H.checkerror("truncated", function() return m:tolist() end)
  end)
end)

describe("np.open_memmap and mmap_mode", function()
  it("creates a .npy that np.load reads back", function()
    local p = H.tmpname(".npy")
    local m = np.open_memmap(p, {mode = "w+", dtype = "<f4", shape = {3, 2}})
    m[{3, 2}] = 1.5
    m:flush()
    local a = np.load(p)
    assert.are.same({3, 2}, a.shape)
    assert.are.equal(1.5, a[{3, 2}])
    assert.are.equal("float32", tostring(a.dtype))
  end)

  it("maps existing .npy files in r, r+ and c", function()
    local p = H.tmpname(".npy")
    np.save(p, np.arange(6):reshape(2, 3))
    local r = np.load(p, {mmap_mode = "r"})
    assert.are.same({{0, 1, 2}, {3, 4, 5}}, r:tolist())
    assert.is_false(r.flags.writeable)
    local w = np.open_memmap(p, {mode = "r+"})
    w[{1, 1}] = 10
    w:flush()
    assert.are.equal(10, np.load(p)[{1, 1}])
    local c = np.load(p, {mmap_mode = "c"})
    c[{1, 1}] = -1
    assert.are.equal(10, np.load(p)[{1, 1}])
  end)

  it("maps a Fortran-order file with Fortran strides", function()
    local p = H.tmpname(".npy")
    local a = np.arange(6):reshape(2, 3)
    np.save(p, a.T)
    local m = np.load(p, {mmap_mode = "r"})
    assert.is_true(m.flags.f_contiguous)
    assert.are.same(a.T:tolist(), m:tolist())
  end)

  it("refuses a truncated .npy before mapping", function()
    local p = H.tmpname(".npy")
    np.save(p, np.arange(100))
    local s = H.readfile(p)
    H.writefile(p, s:sub(1, #s - 8))
    H.checkerror("truncated: header says 800 data bytes, file has 792",
                 np.load, p, {mmap_mode = "r"})
  end)

  it("refuses w+ through np.load", function()
    local p = H.tmpname(".npy")
    np.save(p, np.arange(3))
    H.checkerror("np.open_memmap", np.load, p, {mmap_mode = "w+"})
  end)
end)

describe("a:blocks", function()
  it("visits every row once, in order, as views", function()
    local a = np.arange(10):reshape(5, 2)
    local seen = {}
    for i, b in a:blocks(2) do
      seen[#seen + 1] = {i, b.shape[1], b[{1, 1}]}
    end
    assert.are.same({{1, 2, 0}, {3, 2, 4}, {5, 1, 8}}, seen)
  end)

  it("works over a map and rejects bad block sizes", function()
    local p = H.tmpname(".npy")
    np.save(p, np.arange(7))
    local m = np.load(p, {mmap_mode = "r"})
    local total = 0
    for _, b in m:blocks(3) do
      for _, v in ipairs(b:tolist()) do total = total + v end
    end
    assert.are.equal(21, total)
    H.checkerror("rows must be positive", function() return m:blocks(0) end)
  end)
end)
