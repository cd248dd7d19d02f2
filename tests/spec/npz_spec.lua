-- npz_spec.lua -- np.savez, np.savez_compressed, the NpzFile handle and
-- np.info (SPEC: Binary files). NumPy interop lives in
-- tests/interop/npz_interop.sh; hostile archives in npz_hostile.sh.

local np = require "npio"
local H = dofile("tests/spec/helpers.lua")
local checkerror, tmpname = H.checkerror, H.tmpname

-- {======================================================
-- A tiny zip writer (stored members) for archives npio would not write
-- =======================================================

local crctab = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if c & 1 == 1 then c = 0xEDB88320 ~ (c >> 1) else c = c >> 1 end
  end
  crctab[i] = c
end
local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do c = crctab[(c ~ s:byte(i)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

-- members: sequence of {name, bytes}
local function rawzip(members)
  local out, central = {}, {}
  local off = 0
  for _, m in ipairs(members) do
    local name, data = m[1], m[2]
    local crc = crc32(data)
    local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, 0, 0,
                           0x21, crc, #data, #data, #name, 0) .. name
    out[#out + 1] = lh .. data
    central[#central + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4",
      0x02014b50, 0x031e, 20, 0, 0, 0, 0x21, crc, #data, #data, #name, 0, 0,
      0, 0, 0x81a40000, off) .. name
    off = off + #lh + #data
  end
  local cd = table.concat(central)
  return table.concat(out) .. cd .. string.pack("<I4I2I2I2I2I4I4I2",
    0x06054b50, 0, 0, #members, #members, #cd, off, 0)
end

-- }======================================================

local function shape(a) return table.concat(a.shape, "x") end

describe("np.savez / np.savez_compressed", function()

  it("names positional arrays arr_0.. first, then names sorted by bytes", function()
    local p = tmpname(".npz")
    np.savez(p, {np.arange(3), np.eye(2), zeta = np.ones(2), alpha = np.zeros(1),
                 B = np.array({true})})
    local z <close> = np.load(p)
    assert.are.same({"arr_0", "arr_1", "B", "alpha", "zeta"}, z.files)
    assert.are.same({0, 1, 2}, z.arr_0:tolist())
    assert.are.same({{1.0, 0.0}, {0.0, 1.0}}, z.arr_1:tolist())
    assert.are.same({true}, z.B:tolist())
  end)

  it("keeps the order of {name, array} pairs", function()
    local p = tmpname(".npz")
    np.savez(p, {{"z", np.arange(2)}, {"a", np.arange(3)}, {"m", np.arange(4)}})
    local z <close> = np.load(p)
    assert.are.same({"z", "a", "m"}, z.files)
    assert.are.equal(4, #z.m)
  end)

  it("appends .npz to a path that lacks it, as NumPy", function()
    local p = tmpname("")
    np.savez(p, {x = np.arange(2)})
    assert.is_true(H.exists(p .. ".npz"))
    np.savez_compressed(p .. ".npz", {x = np.arange(2)})
    assert.is_false(H.exists(p .. ".npz.npz"))
  end)

  it("converts Lua values as np.array does", function()
    local p = tmpname(".npz")
    np.savez(p, {{1, 2, 3}, s = 2.5, t = {{true, false}}})
    local z <close> = np.load(p)
    assert.are.equal("int64", tostring(z.arr_0.dtype))
    assert.are.equal(0, z.s.ndim)
    assert.are.equal("bool", tostring(z.t.dtype))
  end)

  it("refuses a name clash with arr_N, as NumPy", function()
    checkerror("npio.savez: cannot use un-named variables and keyword arr_0",
               np.savez, tmpname(".npz"), {np.arange(2), arr_0 = np.arange(3)})
  end)

  it("checks its arguments", function()
    checkerror("bad argument #2", np.savez, tmpname(".npz"), 5)
    checkerror("neither a position", np.savez, tmpname(".npz"), {[2.5] = np.arange(2)})
    checkerror("must be a {name, array} pair", np.savez, tmpname(".npz"),
               {{"a", np.arange(2)}, np.arange(3)})
    checkerror("level must be 0..12", np.savez_compressed, tmpname(".npz"),
               {x = np.arange(2)}, {level = 13})
    checkerror("mode must be", np.savez, tmpname(".npz"), {x = np.arange(2)},
               {mode = "x"})
    checkerror("not a safe relative path", np.savez, tmpname(".npz"),
               {["../evil"] = np.arange(2)})
    checkerror("NUL", np.savez, tmpname(".npz"), {["a\0b"] = np.arange(2)})
  end)

  it("writes stored members with 64-byte aligned data", function()
    local p = tmpname(".npz")
    local t = {}
    for i = 1, 20 do t[#t + 1] = {"m" .. string.rep("x", i), np.arange(i)} end
    np.savez(p, t)
    local z <close> = np.load(p)
    for _, k in ipairs(z.files) do
      local info = z:info(k)
      assert.are.equal("stored", info.method)
      assert.are.equal(0, info.offset % 64)
      assert.are.equal(info.size, info.compressed_size)
    end
  end)

  it("compresses, at any level 0..12", function()
    local a = np.zeros({200, 200})
    local sizes = {}
    for _, level in ipairs({0, 1, 6, 9, 12}) do
      local p = tmpname(".npz")
      np.savez_compressed(p, {a = a}, {level = level})
      local z <close> = np.load(p)
      local info = z:info("a")
      assert.are.equal("deflated", info.method)
      assert.are.same(a:tolist()[1], z.a:tolist()[1])
      sizes[level] = info.compressed_size
    end
    assert.is_true(sizes[6] < sizes[0] / 50)
  end)

  it("writes the same bytes whatever the thread count", function()
    local a = np.arange(3e6):reshape(1000, 3000)
    local p1, p4 = tmpname(".npz"), tmpname(".npz")
    np.savez_compressed(p1, {a = a, b = a.T}, {threads = 1})
    np.savez_compressed(p4, {a = a, b = a.T}, {threads = 4})
    assert.is_true(H.readfile(p1) == H.readfile(p4))
  end)

  it("keeps dtype, byte order and Fortran order", function()
    local p = tmpname(".npz")
    local be = np.frombuffer(string.pack(">i4>i4>i4>i4>i4>i4", 0, 1, 2, 3, 4, 5),
                             ">i4"):reshape(2, 3)
    local f = np.asfortranarray(np.arange(6.0):reshape(2, 3))
    local rec = np.zeros(3, {{"x", "<f8"}, {"n", ">i2"}})
    np.savez_compressed(p, {be = be, f = f, rec = rec, c = np.zeros(2, "complex64")})
    local z <close> = np.load(p)
    assert.are.equal(">i4", tostring(z.be.dtype))
    assert.are.equal(be:tobytes(), z.be:tobytes())
    assert.is_true(z.f.flags.f_contiguous)
    assert.is_true(z:info("f").fortran_order)
    assert.are.same(f:tolist(), z.f:tolist())
    assert.are.equal(tostring(rec.dtype), tostring(z.rec.dtype))
    assert.are.equal("complex64", tostring(z.c.dtype))
  end)

  it("writes views (transposed, strided, reversed) without copying first", function()
    local p = tmpname(".npz")
    local b = np.arange(48):reshape(6, 8)
    local v = {t = b.T, r = b[{{1, 6, 2}, {}}], rev = b[{{6, 1, -1}, {8, 1, -1}}]}
    np.savez(p, v)
    local z <close> = np.load(p)
    for k, a in pairs(v) do assert.are.same(a:tolist(), z[k]:tolist()) end
  end)

  it("writes an empty archive", function()
    local p = tmpname(".npz")
    np.savez(p, {})
    local z <close> = np.load(p)
    assert.are.equal(0, #z.files)
    assert.are.equal(0, #z)
  end)

  it("writes zip64 records on request", function()
    local p = tmpname(".npz")
    np.savez(p, {a = np.arange(5)}, {zip64 = true})
    local s = H.readfile(p)
    assert.truthy(s:find("PK\6\6", 1, true))     -- zip64 end record
    local z <close> = np.load(p)
    assert.are.same({0, 1, 2, 3, 4}, z.a:tolist())
  end)

  it("writes to a Lua file handle", function()
    local p = tmpname(".npz")
    local f = assert(io.open(p, "wb"))
    np.savez_compressed(f, {a = np.arange(4)})
    f:close()
    local z <close> = np.load(p)
    assert.are.same({0, 1, 2, 3}, z.a:tolist())
  end)

  it("reports progress to a function, and a raising callback aborts cleanly", function()
    local p = tmpname(".npz")
    np.savez(p, {old = np.arange(3)})
    local before = H.readfile(p)
    local calls, last = 0, -1
    np.savez(tmpname(".npz"), {a = np.zeros(1000)}, {progress = function(done, total)
      calls = calls + 1
      assert.is_true(done >= last and done <= total)
      last = done
    end})
    assert.is_true(calls >= 1)
    checkerror("stop here", np.savez, p, {new = np.zeros(100)},
               {progress = function() error("stop here") end})
    assert.are.equal(before, H.readfile(p))        -- the old archive stays
    local left = H.listdir(H.tmpdir())
    for _, n in ipairs(left) do assert.is_nil(n:find("npio%-")) end
  end)
end)

describe("appending (mode = \"a\")", function()

  it("adds members without rewriting the old ones", function()
    local p = tmpname(".npz")
    np.savez(p, {a = np.arange(1000), b = np.ones(10)})
    local old = H.readfile(p)
    local z0 = np.load(p)
    local cd = z0:info("b").offset + 80    -- end of b's data
    z0:close()
    np.savez_compressed(p, {c = np.arange(5)}, {mode = "a"})
    local new = H.readfile(p)
    assert.are.equal(old:sub(1, cd), new:sub(1, cd))
    local z <close> = np.load(p)
    assert.are.same({"a", "b", "c"}, z.files)
    assert.are.equal("deflated", z:info("c").method)
    assert.are.equal("stored", z:info("a").method)
  end)

  it("replaces a member of the same name in its place", function()
    local p = tmpname(".npz")
    np.savez(p, {a = np.arange(3), b = np.arange(4)})
    np.savez(p, {a = np.array({9, 9})}, {mode = "a"})
    local z <close> = np.load(p)
    assert.are.same({"a", "b"}, z.files)
    assert.are.same({9, 9}, z.a:tolist())
  end)

  it("gives positional arrays the next free arr_N", function()
    local p = tmpname(".npz")
    np.savez(p, {np.arange(1), np.arange(2)})
    np.savez(p, {np.arange(3)}, {mode = "a", atomic = false})
    local z <close> = np.load(p)
    assert.are.same({"arr_0", "arr_1", "arr_2"}, z.files)
    assert.are.equal(3, #z.arr_2)
  end)

  it("creates a missing archive, and refuses to append to a non-archive", function()
    local p = tmpname(".npz")
    np.savez(p, {a = np.arange(2)}, {mode = "a"})
    assert.are.equal(2, #np.load(p).a)
    local junk = tmpname(".npz")
    H.writefile(junk, "not a zip file at all")
    checkerror("cannot append", np.savez, junk, {a = np.arange(2)}, {mode = "a"})
    assert.are.equal("not a zip file at all", H.readfile(junk))
  end)
end)

describe("the NpzFile handle", function()
  local p = tmpname(".npz")
  np.savez(p, {x = np.arange(6):reshape(2, 3), files = np.arange(2),
               info = np.arange(3), y = np.ones(2)})

  it("reads members by index and by field; its own names win", function()
    local z <close> = np.load(p)
    assert.are.same({"files", "info", "x", "y"}, z.files)
    assert.are.equal("2x3", shape(z.x))
    assert.are.equal("2x3", shape(z["x"]))
    assert.are.equal("function", type(z.info))
    assert.are.equal(2, #z:get("files"))
    assert.are.equal(3, #z:get("info"))
    assert.are.equal("2x3", shape(z:get("x.npy")))   -- the member name works too
    assert.are.equal(4, #z)
  end)

  it("raises for a missing member", function()
    local z <close> = np.load(p)
    checkerror("'nope' is not a file in the archive", function() return z.nope end)
    checkerror("'nope' is not a file in the archive", z.get, z, "nope")
    checkerror("member names are strings", function() return z[1] end)
  end)

  it("iterates with pairs in archive order", function()
    local z <close> = np.load(p)
    local keys = {}
    for k, v in pairs(z) do
      keys[#keys + 1] = k
      assert.are.equal("userdata", type(v))
    end
    assert.are.same({"files", "info", "x", "y"}, keys)
  end)

  it("describes a member without reading it", function()
    local z <close> = np.load(p)
    local i = z:info("x")
    assert.are.equal("x", i.name)
    assert.are.equal("x.npy", i.member)
    assert.are.equal("int64", i.dtype)
    assert.are.same({2, 3}, i.shape)
    assert.is_false(i.fortran_order)
    assert.are.equal(48, i.nbytes)
    assert.are.equal("stored", i.method)
  end)

  it("closes once, by close(), <close> or the collector", function()
    local z = np.load(p)
    assert.truthy(tostring(z):find("NpzFile '", 1, true))
    assert.truthy(tostring(z):find("with keys: files, info, x, y", 1, true))
    z:close()
    z:close()
    assert.are.equal("NpzFile (closed)", tostring(z))
    checkerror("attempt to use a closed NpzFile", function() return z.x end)
    checkerror("attempt to use a closed NpzFile", function() return z.files end)
    checkerror("attempt to use a closed NpzFile", z.info, z, "x")
    checkerror("attempt to use a closed NpzFile", function() return #z end)
    local saved
    do
      local z2 <close> = np.load(p)
      saved = z2
    end
    assert.are.equal("NpzFile (closed)", tostring(saved))
    np.load(p)
    collectgarbage()
    collectgarbage()
  end)

  it("returns members that are not .npy as strings, as NumPy returns bytes", function()
    local q = tmpname(".npz")
    local buf = io.open(p, "rb"):read("a")
    H.writefile(q, rawzip({{"notes.txt", "hello"}, {"fake.npy", "not an array"},
                           {"dir/", ""}}))
    local z <close> = np.load(q)
    assert.are.same({"notes.txt", "fake", "dir/"}, z.files)
    assert.are.equal("hello", z["notes.txt"])
    assert.are.equal("not an array", z.fake)
    assert.are.equal("", z["dir/"])
    assert.is_nil(z:info("notes.txt").dtype)
    assert.truthy(#buf > 0)
  end)

  it("names the member and the cause of a corrupt member", function()
    local q = tmpname(".npz")
    np.savez(q, {a = np.arange(100)})
    local s = H.readfile(q)
    local z0 = np.load(q)
    local off = z0:info("a").offset
    z0:close()
    s = s:sub(1, off + 10) .. string.char((s:byte(off + 11) + 1) % 256) .. s:sub(off + 12)
    H.writefile(q, s)
    local z <close> = np.load(q)
    checkerror("npio.load: " .. q .. ": member 'a.npy': CRC mismatch",
               function() return z.a end)
  end)

  it("honours max_header_size", function()
    local z <close> = np.load(p, {max_header_size = 20})
    checkerror("exceeds max_header_size", function() return z.x end)
  end)
end)

describe("mapped members (mmap_mode)", function()
  local p = tmpname(".npz")
  np.savez(p, {a = np.arange(1000.0), c = np.arange(10)})
  local pc = tmpname(".npz")
  np.savez_compressed(pc, {a = np.arange(1000.0)})

  it("maps stored members read-only from the archive", function()
    local z = np.load(p, {mmap_mode = "r"})
    local a = z.a
    assert.is_false(a.flags.writeable)
    assert.is_false(a.flags.owndata)
    checkerror("read-only", function() a[1] = 5 end)
    z:close()
    collectgarbage()
    assert.are.equal(999.0, a[1000])      -- the view keeps the map alive
  end)

  it("maps copy-on-write with 'c': the archive never changes", function()
    local before = H.readfile(p)
    local z <close> = np.load(p, {mmap_mode = "c"})
    local a = z.a
    a[1] = 42
    assert.are.equal(42.0, a[1])
    assert.are.equal(before, H.readfile(p))
  end)

  it("reads compressed members normally (read-only with 'r')", function()
    local z <close> = np.load(pc, {mmap_mode = "r"})
    assert.are.equal(999.0, z.a[1000])
    assert.is_false(z.a.flags.writeable)
  end)

  it("refuses modes that would write into the archive", function()
    checkerror("cannot map archive members", np.load, p, {mmap_mode = "r+"})
    checkerror("cannot map archive members", np.load, p, {mmap_mode = "w+"})
  end)
end)

describe("np.info", function()
  it("lists the arrays of an archive, header only", function()
    local p = tmpname(".npz")
    np.savez_compressed(p, {a = np.zeros({3, 4}, ">f4"), b = np.arange(5)})
    local rows = np.info(p)
    assert.are.equal(2, #rows)
    assert.are.equal("a", rows[1].name)
    assert.are.equal(">f4", rows[1].dtype)
    assert.are.same({3, 4}, rows[1].shape)
    assert.are.equal(48, rows[1].nbytes)
    assert.are.equal("deflated", rows[1].method)
    assert.is_true(rows[1].compressed_size < rows[1].size)
  end)

  it("describes a .npy file", function()
    local p = tmpname(".npy")
    np.save(p, np.arange(6):reshape(2, 3))
    local rows = np.info(p)
    assert.are.equal(1, #rows)
    assert.are.equal("int64", rows[1].dtype)
    assert.are.same({2, 3}, rows[1].shape)
    assert.are.equal(48, rows[1].nbytes)
    assert.are.equal(128, rows[1].offset)
  end)

  it("raises for what it cannot read", function()
    local p = tmpname(".bin")
    H.writefile(p, "hello")
    checkerror("npio.info: " .. p .. ": not a .npy or .npz file", np.info, p)
    checkerror("No such file", np.info, tmpname(".npz"))
  end)
end)
