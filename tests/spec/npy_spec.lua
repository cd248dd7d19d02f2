-- npy_spec.lua -- np.save / np.load on .npy files (SPEC: Binary files).
--
-- Expected header bytes below were produced once by NumPy 1.24.2
-- (np.save into a BytesIO) and pasted here; they are never npio's output.

local np = require "npio"
local H = dofile("tests/spec/helpers.lua")
local checkerror, tmpname = H.checkerror, H.tmpname

-- NumPy's 1.0 header: magic, version, length 118 (0x76), dict, padding to
-- 128 bytes. 'spaces' is the padding NumPy wrote, counted from its output.
local function np_header_v1(dict, spaces)
  local h = "\x93NUMPY\x01\x00\x76\x00" .. dict .. (" "):rep(spaces) .. "\n"
  assert(#h == 128)
  return h
end

local HDR = {
  f8_5x4 = np_header_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (5, 4), }", 58),
  f8_3x4 = np_header_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", 58),
  f8_4x5_F = np_header_v1("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 5), }", 59),
  f8_5 = np_header_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", 60),
  f8_4 = np_header_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", 60),
  be_f8_2x3 = np_header_v1("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", 58),
  i4_2x3_F = np_header_v1("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", 59),
  i8_4x3 = np_header_v1("{'descr': '<i8', 'fortran_order': False, 'shape': (4, 3), }", 58),
  u1_10x2 = np_header_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (10, 2), }", 57),
  -- a latin-1 field name stays in version 1.0, written as the byte 0xE9
  latin1 = np_header_v1("{'descr': [('\xe9', '<i4')], 'fortran_order': False, 'shape': (2,), }", 51),
}
-- a field name outside latin-1 needs version 3.0 (UTF-8, 4-byte length)
HDR.v3 = "\x93NUMPY\x03\x00\x74\x00\x00\x00" ..
  "{'descr': [('\u{65e5}\u{672c}', '<i4')], 'fortran_order': False, 'shape': (2,), }" ..
  (" "):rep(44) .. "\n"
assert(#HDR.v3 == 128)

local function f8bytes(t)
  local s = {}
  for i = 1, #t do s[i] = string.pack("<d", t[i]) end
  return table.concat(s)
end

local function range(a, b)
  local t = {}
  for i = a, b do t[#t + 1] = i end
  return t
end

describe("np.save / np.load", function()

  it("round-trips an array through a path", function()
    local p = tmpname(".npy")
    local a = np.array({{1.5, -2}, {3, 4}})
    np.save(p, a)
    local b = np.load(p)
    assert.are.equal("float64", tostring(b.dtype))
    assert.are.same({2, 2}, b.shape)
    assert.are.same({{1.5, -2.0}, {3.0, 4.0}}, b:tolist())
  end)

  it("writes NumPy's exact header and C-order data", function()
    local p = tmpname(".npy")
    np.save(p, np.arange(12, "f8"):reshape({3, 4}))
    assert.are.equal(HDR.f8_3x4 .. f8bytes(range(0, 11)), H.readfile(p))
  end)

  it("writes a non-contiguous view in C order", function()
    local p = tmpname(".npy")
    local v = np.arange(20):reshape({4, 5})[{{}, {1, 5, 2}}]
    np.save(p, v)
    local s = {}
    for r = 0, 3 do
      for _, c in ipairs({0, 2, 4}) do s[#s + 1] = string.pack("<i8", r * 5 + c) end
    end
    assert.are.equal(HDR.i8_4x3 .. table.concat(s), H.readfile(p))
  end)

  it("writes Fortran-contiguous arrays with fortran_order True", function()
    local p = tmpname(".npy")
    -- (2,3) Fortran: transpose of a C (3,2) array
    local a = np.array({{1, 4}, {2, 5}, {3, 6}}, "<i4"):transpose()
    np.save(p, a)
    local data = string.pack("<i4<i4<i4<i4<i4<i4", 1, 4, 2, 5, 3, 6)
    assert.are.equal(HDR.i4_2x3_F .. data, H.readfile(p))
  end)

  it("uses version 3.0 for non-latin-1 field names, 1.0 for latin-1", function()
    local p = tmpname(".npy")
    np.save(p, np.zeros(2, {{"\u{65e5}\u{672c}", "<i4"}}))
    assert.are.equal(HDR.v3 .. ("\0"):rep(8), H.readfile(p))
    local q = tmpname(".npy")
    np.save(q, np.zeros(2, {{"\u{e9}", "<i4"}}))
    assert.are.equal(HDR.latin1 .. ("\0"):rep(8), H.readfile(q))
    assert.are.equal("[('\u{e9}', '<i4')]", tostring(np.load(q).dtype))
  end)

  describe("paths", function()
    it("appends .npy to a path that lacks it", function()
      local base = tmpname()
      np.save(base, np.zeros(3))
      assert.is_true(H.exists(base .. ".npy"))
      assert.is_false(H.exists(base))
      local withsuffix = tmpname(".npy")
      np.save(withsuffix, np.zeros(3))
      assert.is_true(H.exists(withsuffix))
      assert.is_false(H.exists(withsuffix .. ".npy"))
    end)

    it("checks the suffix case-sensitively, as NumPy does", function()
      local base = tmpname(".NPY")
      np.save(base, np.zeros(3))
      assert.is_true(H.exists(base .. ".npy"))
    end)

    it("does not append .npy when loading", function()
      local base = tmpname()
      np.save(base, np.zeros(3))
      local msg = checkerror("npio.load: " .. base .. ":", np.load, base)
      assert.is_truthy(msg)
    end)

    it("names the function and the file in errors", function()
      local p = tmpname("/missing/x.npy")
      checkerror("npio.load: " .. p .. ":", np.load, p)
      local msg = checkerror("npio.save: ", np.save, p, np.zeros(2))
      assert.is_truthy(msg:find(p, 1, true), msg)
    end)
  end)

  describe("Lua file handles", function()
    it("saves two arrays to one handle and loads them in sequence", function()
      local p = tmpname(".bin")
      local f = assert(io.open(p, "wb"))
      np.save(f, np.arange(4, "f8"))
      np.save(f, np.array({{1, 2}, {3, 4}}, "<i4"))
      -- the handle stays open and usable
      assert.is_truthy(f:write("x"))
      f:close()
      local s = H.readfile(p)
      assert.are.equal(HDR.f8_4 .. f8bytes({0, 1, 2, 3}), s:sub(1, 160))
      assert.are.equal("x", s:sub(-1))

      local g = assert(io.open(p, "rb"))
      local a = np.load(g)
      local b = np.load(g)
      assert.are.same({0.0, 1.0, 2.0, 3.0}, a:tolist())
      assert.are.same({{1, 2}, {3, 4}}, b:tolist())
      assert.are.equal("int32", tostring(b.dtype))
      -- the handle is left just after the second array
      assert.are.equal("x", g:read(1))
      g:close()
    end)

    it("does not create files named after the handle", function()
      local d = H.tmpsubdir()
      local f = assert(io.open(d .. "/data", "wb"))
      np.save(f, np.zeros(2))
      f:close()
      assert.are.same({"data"}, H.listdir(d))
    end)

    it("loads from a handle positioned after other bytes", function()
      local p = tmpname(".bin")
      local f = assert(io.open(p, "wb"))
      f:write("HEAD")
      np.save(f, np.arange(5, "f8"))
      f:close()
      local g = assert(io.open(p, "rb"))
      assert.are.equal("HEAD", g:read(4))
      assert.are.same({0.0, 1.0, 2.0, 3.0, 4.0}, np.load(g):tolist())
      g:close()
    end)

    it("raises at the end of the file", function()
      local p = tmpname(".npy")
      np.save(p, np.zeros(2))
      local g = assert(io.open(p, "rb"))
      np.load(g)
      checkerror("npio.load: ", np.load, g)
      g:close()
    end)

    it("refuses a closed handle", function()
      local p = tmpname(".npy")
      local f = assert(io.open(p, "wb"))
      f:close()
      assert.has_error(function() np.save(f, np.zeros(2)) end)
      assert.has_error(function() np.load(f) end)
    end)

    it("raises when the handle cannot be written", function()
      local p = tmpname(".npy")
      H.writefile(p, "")
      local f = assert(io.open(p, "rb"))
      checkerror("npio.save: ", np.save, f, np.zeros(2))
      f:close()
    end)
  end)

  describe("atomic save", function()
    it("replaces the file and leaves no temporary file", function()
      local d = H.tmpsubdir()
      np.save(d .. "/x.npy", np.zeros(3))
      np.save(d .. "/x.npy", np.arange(5, "f8"))
      assert.are.same({"x.npy"}, H.listdir(d))
      assert.are.equal(HDR.f8_5 .. f8bytes({0, 1, 2, 3, 4}), H.readfile(d .. "/x.npy"))
    end)

    it("keeps the old file when the value cannot be saved", function()
      local d = H.tmpsubdir()
      local p = d .. "/x.npy"
      np.save(p, np.arange(5, "f8"))
      local old = H.readfile(p)
      assert.has_error(function() np.save(p, function() end) end)
      assert.are.equal(old, H.readfile(p))
      assert.are.same({"x.npy"}, H.listdir(d))
    end)

    it("keeps the old file when the disk refuses the write", function()
      -- a child process whose file-size limit (ulimit -f, with SIGXFSZ
      -- ignored) makes write() fail with EFBIG part-way through
      local d = H.tmpsubdir()
      local p = d .. "/x.npy"
      np.save(p, np.arange(5, "f8"))
      local old = H.readfile(p)
      local ok, code, out = H.run_lua(([[
        local np = require "npio"
        local ok, err = pcall(np.save, %q, np.zeros(1000000))
        io.write(tostring(ok), "\n", tostring(err), "\n")
      ]]):format(p), "trap '' XFSZ; ulimit -f 64;")
      assert.is_true(ok, "child failed (" .. tostring(code) .. "): " .. out)
      assert.are.equal("false", out:match("^(%a+)\n"), out)
      assert.is_truthy(out:find("npio.save: " .. p, 1, true), out)
      assert.are.equal(old, H.readfile(p))
      assert.are.same({"x.npy"}, H.listdir(d))
    end)

    it("keeps the old file when the folder is read-only", function()
      if H.is_root() then
        pending("running as root: permissions do not stop writes")
        return
      end
      local d = H.tmpsubdir()
      local p = d .. "/x.npy"
      np.save(p, np.arange(5, "f8"))
      local old = H.readfile(p)
      os.execute("chmod 555 " .. H.shq(d))
      local msg = checkerror("npio.save: ", np.save, p, np.zeros(3))
      os.execute("chmod 755 " .. H.shq(d))
      assert.is_truthy(msg:find(p, 1, true), msg)
      assert.are.equal(old, H.readfile(p))
      assert.are.same({"x.npy"}, H.listdir(d))
    end)

    it("renames over the target (a hard link keeps the old contents)", function()
      local d = H.tmpsubdir()
      local p, link = d .. "/x.npy", d .. "/link.npy"
      np.save(p, np.zeros(3))
      local old = H.readfile(p)
      assert(os.execute("ln " .. H.shq(p) .. " " .. H.shq(link)))
      np.save(p, np.arange(5, "f8"))
      assert.are.equal(old, H.readfile(link))
      assert.are.equal(HDR.f8_5 .. f8bytes({0, 1, 2, 3, 4}), H.readfile(p))
    end)

    it("writes in place with atomic=false", function()
      local d = H.tmpsubdir()
      local p, link = d .. "/x.npy", d .. "/link.npy"
      np.save(p, np.zeros(3))
      assert(os.execute("ln " .. H.shq(p) .. " " .. H.shq(link)))
      np.save(p, np.arange(5, "f8"), {atomic = false})
      local want = HDR.f8_5 .. f8bytes({0, 1, 2, 3, 4})
      assert.are.equal(want, H.readfile(p))
      assert.are.equal(want, H.readfile(link))
      assert.are.same({"link.npy", "x.npy"}, H.listdir(d))
    end)

    it("accepts durable=true", function()
      local d = H.tmpsubdir()
      np.save(d .. "/x.npy", np.arange(5, "f8"), {durable = true})
      assert.are.equal(HDR.f8_5 .. f8bytes({0, 1, 2, 3, 4}), H.readfile(d .. "/x.npy"))
      assert.are.same({"x.npy"}, H.listdir(d))
    end)
  end)

  describe("append", function()
    it("grows the first axis of a C-order file, header as NumPy's", function()
      local p = tmpname(".npy")
      np.save(p, np.arange(12, "<f8"):reshape({3, 4}))
      np.save(p, np.arange(12, 20, "<f8"):reshape({2, 4}), {append = true})
      assert.are.equal(HDR.f8_5x4 .. f8bytes(range(0, 19)), H.readfile(p))
      local a = np.load(p)
      assert.are.same({5, 4}, a.shape)
      assert.are.equal(19.0, a[{5, 4}])
    end)

    it("grows the last axis of a Fortran-order file", function()
      local p = tmpname(".npy")
      -- (4,3) Fortran holding 0..11 column by column, then (4,2) more
      np.save(p, np.arange(12, "<f8"):reshape({3, 4}):transpose())
      np.save(p, np.arange(12, 20, "<f8"):reshape({2, 4}):transpose(), {append = true})
      assert.are.equal(HDR.f8_4x5_F .. f8bytes(range(0, 19)), H.readfile(p))
      local a = np.load(p)
      assert.are.same({4, 5}, a.shape)
      assert.are.equal(5.0, a[{2, 2}])
      assert.are.equal(19.0, a[{4, 5}])
    end)

    it("grows a 1-D file", function()
      local p = tmpname(".npy")
      np.save(p, np.arange(3, "<f8"))
      np.save(p, np.array({3.0, 4.0}, "<f8"), {append = true})
      assert.are.equal(HDR.f8_5 .. f8bytes(range(0, 4)), H.readfile(p))
    end)

    it("keeps the header length when the row count gains a digit", function()
      local p = tmpname(".npy")
      np.save(p, np.zeros({9, 2}, "u1"))
      np.save(p, np.ones({1, 2}, "u1"), {append = true})
      assert.are.equal(HDR.u1_10x2 .. ("\0"):rep(18) .. "\1\1", H.readfile(p))
    end)

    it("refuses another dtype or shape and leaves the file alone", function()
      local p = tmpname(".npy")
      np.save(p, np.arange(12, "<f8"):reshape({3, 4}))
      local old = H.readfile(p)
      checkerror("npio.save: ", np.save, p, np.zeros({2, 4}, "<i4"), {append = true})
      checkerror("npio.save: ", np.save, p, np.zeros({2, 4}, ">f8"), {append = true})
      checkerror("npio.save: ", np.save, p, np.zeros({2, 3}, "<f8"), {append = true})
      checkerror("npio.save: ", np.save, p, np.zeros({4}, "<f8"), {append = true})
      assert.are.equal(old, H.readfile(p))
    end)
  end)

  describe("max_header_size", function()
    it("refuses headers longer than the limit", function()
      local p = tmpname(".npy")
      np.save(p, np.zeros(3))               -- header text is 118 bytes
      checkerror("max_header_size", np.load, p, {max_header_size = 100})
      assert.are.same({3}, np.load(p, {max_header_size = 118}).shape)
    end)

    it("writes version 2.0 for a huge header; loads it only when allowed", function()
      -- NumPy's test_huge_header: 10001 int32 fields f0..f10000
      local fields = {}
      for i = 0, 10000 do fields[#fields + 1] = {"f" .. i, "<i4"} end
      local p = tmpname(".npy")
      np.save(p, np.zeros(1, fields))
      local s = H.readfile(p)
      -- NumPy 1.24 writes this header as 179008 bytes, version 2.0
      assert.are.equal("\x93NUMPY\x02\x00" .. string.pack("<I4", 179008 - 12), s:sub(1, 12))
      assert.are.equal("{'descr': [('f0', '<i4'), ('f1', '<i4'), ", s:sub(13, 53))
      assert.are.equal("\n", s:sub(179008, 179008))
      assert.are.equal(179008 + 4 * 10001, #s)
      checkerror("max_header_size", np.load, p)
      checkerror("max_header_size", np.load, p, {max_header_size = 20000})
      local a = np.load(p, {max_header_size = 180000})
      assert.are.same({1}, a.shape)
    end)
  end)

  describe("object arrays", function()
    local function object_file(descr)
      local dict = "{'descr': " .. descr .. ", 'fortran_order': False, 'shape': (2,), }"
      local pad = 64 - (10 + #dict + 1) % 64
      local p = tmpname(".npy")
      H.writefile(p, "\x93NUMPY\x01\x00" .. string.pack("<I2", #dict + pad + 1) ..
                  dict .. (" "):rep(pad) .. "\n" .. ("\0"):rep(16))
      return p
    end

    it("refuses object arrays with a clear error, pickles or not", function()
      local p = object_file("'|O'")
      checkerror("object", np.load, p)
      checkerror("npio.load: " .. p .. ":", np.load, p)
      checkerror("object", np.load, p, {allow_pickle = true})
      local q = object_file("[('a', '<i4'), ('b', '|O')]")
      checkerror("object", np.load, q, {allow_pickle = true})
    end)

    it("has no object dtype to save", function()
      assert.has_error(function() np.zeros(3, "O") end)
    end)
  end)

  describe("views", function()
    it("keep their base alive after collectgarbage()", function()
      local p = tmpname(".npy")
      np.save(p, np.arange(20, "f8"):reshape({4, 5}))
      local a = np.load(p)
      local v = a[{{2, 3}, {}}]
      local t = a:transpose()
      a = nil
      collectgarbage(); collectgarbage()
      assert.are.same({{5.0, 6.0, 7.0, 8.0, 9.0}, {10.0, 11.0, 12.0, 13.0, 14.0}}, v:tolist())
      assert.are.equal(13.0, t[{4, 3}])
      local q = tmpname(".npy")
      np.save(q, v)
      assert.are.same(v:tolist(), np.load(q):tolist())
    end)

    it("of a view keep the first base alive", function()
      local v
      do
        local a = np.arange(30, "<i4"):reshape({5, 6})
        local w = a[{{2, 5}, {}}]
        v = w[{{2, 3}, {2, 4}}]
      end
      collectgarbage(); collectgarbage()
      assert.are.same({{13, 14, 15}, {19, 20, 21}}, v:tolist())
    end)
  end)

  describe("byte order and memory order", function()
    it("loads big-endian files with correct elements", function()
      local p = tmpname(".npy")
      local vals = {1.5, -2.0, 0.0, 1e300, -1e-300, 3.25}
      local data = {}
      for i = 1, 6 do data[i] = string.pack(">d", vals[i]) end
      H.writefile(p, HDR.be_f8_2x3 .. table.concat(data))
      local a = np.load(p)
      assert.are.equal(">f8", tostring(a.dtype))
      assert.are.same({2, 3}, a.shape)
      assert.are.equal(1.5, a[{1, 1}])
      assert.are.equal(1e300, a[{2, 1}])
      assert.are.equal(3.25, a[{2, 3}])
      assert.are.equal(-2.0, a[{-2, -2}])
      assert.are.same({{1.5, -2.0, 0.0}, {1e300, -1e-300, 3.25}}, a:tolist())
      -- re-saving keeps the file's byte order
      local q = tmpname(".npy")
      np.save(q, a)
      assert.are.equal(H.readfile(p), H.readfile(q))
    end)

    it("loads Fortran-order files with correct elements", function()
      local p = tmpname(".npy")
      -- the (2,3) matrix {{1,2,3},{4,5,6}} stored column by column
      H.writefile(p, HDR.i4_2x3_F .. string.pack("<i4<i4<i4<i4<i4<i4", 1, 4, 2, 5, 3, 6))
      local a = np.load(p)
      assert.are.same({2, 3}, a.shape)
      assert.are.equal(2, a[{1, 2}])
      assert.are.equal(4, a[{2, 1}])
      assert.are.equal(6, a[{2, 3}])
      assert.are.same({{1, 2, 3}, {4, 5, 6}}, a:tolist())
      assert.are.equal(string.pack("<i4<i4<i4<i4<i4<i4", 1, 2, 3, 4, 5, 6), a:tobytes())
      -- without a copy: Fortran strides
      assert.are.same({4, 8}, a.strides)
      local q = tmpname(".npy")
      np.save(q, a)
      assert.are.equal(H.readfile(p), H.readfile(q))
    end)
  end)
end)
