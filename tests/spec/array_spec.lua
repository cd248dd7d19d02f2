-- array_spec.lua -- the array userdata: creation, fields, 1-based indexing
-- and views, broadcasting assignment, element values, data-moving methods,
-- and regressions for bugs found in review.
local np = require "npio"
local H = dofile("tests/spec/helpers.lua")
local checkerror = H.checkerror

describe("creation", function()
  it("infers dtypes as np.array does", function()
    assert.are.equal("int64", tostring(np.array({1, 2}).dtype))
    assert.are.equal("float64", tostring(np.array({1, 2.5}).dtype))
    assert.are.equal("bool", tostring(np.array({true, false}).dtype))
    assert.are.equal("<U3", tostring(np.array({"ab", "héé"}).dtype))
    assert.are.equal(0, np.array(5).ndim)
    assert.are.equal("float64", tostring(np.array(2.5).dtype))
    assert.are.same({2, 0}, np.array({{}, {}}).shape)
  end)

  it("refuses ragged nesting with NumPy's message", function()
    checkerror("inhomogeneous shape after 1 dimensions", np.array, {{1, 2}, {3}})
    checkerror("inhomogeneous", np.array, {{1, 2}, 3})
  end)

  it("builds from arrays inside tables", function()
    local r = np.array({np.arange(3), np.arange(3, 6)})
    assert.are.same({{0, 1, 2}, {3, 4, 5}}, r:tolist())
  end)

  it("makes zeros, ones, empty, full, eye", function()
    assert.are.same({0, 0}, np.zeros(2):tolist())
    assert.are.same({{1, 1}}, np.ones({1, 2}, "i2"):tolist())
    assert.are.same({3}, np.empty(3).shape)
    assert.are.equal("int64", tostring(np.full(2, 7).dtype))
    assert.are.equal("bool", tostring(np.full(2, true).dtype))
    assert.are.same({{1, 0, 0}, {0, 1, 0}}, np.eye(2, 3, "i4"):tolist())
  end)

  it("computes arange and linspace as NumPy", function()
    assert.are.same({0, 1, 2}, np.arange(3):tolist())
    assert.are.same({5, 3, 1}, np.arange(5, 0, -2):tolist())
    assert.are.same({}, np.arange(3, 1):tolist())
    local f = np.arange(0, 1, 0.1)
    assert.are.equal(10, #f)
    assert.are.equal(0.30000000000000004, f[4])    -- start + 3 * delta
    assert.are.same({0, 0.25, 0.5, 0.75, 1}, np.linspace(0, 1, 5):tolist())
    checkerror("maximum allowed size exceeded", np.arange, 0, math.mininteger, -1)
    checkerror("step must not be zero", np.arange, 0, 5, 0)
  end)

  it("reads raw bytes with frombuffer and fromfile", function()
    local s = string.pack("<i4i4i4", 7, 8, 9)
    assert.are.same({8, 9}, np.frombuffer(s, "<i4", {offset = 4}):tolist())
    assert.are.same({7}, np.frombuffer(s, "<i4", 1):tolist())
    checkerror("multiple of element size", np.frombuffer, "abc", "<i2")
    checkerror("itemsize cannot be zero", np.frombuffer, "", {{"x", "<f8", {0}}})
    local p = H.tmpname(".bin")
    H.writefile(p, s)
    assert.are.same({7, 8, 9}, np.fromfile(p, "<i4"):tolist())
    assert.are.same({8}, np.fromfile(p, "<i4", {count = 1, offset = 4}):tolist())
    checkerror("npio.fromfile: " .. H.tmpdir() .. "/missing: No such file",
               np.fromfile, H.tmpdir() .. "/missing", "u1")
  end)
end)

describe("fields and indexing", function()
  local a
  before_each(function() a = np.arange(12):reshape(3, 4) end)

  it("has NumPy's fields", function()
    assert.are.same({3, 4}, a.shape)
    assert.are.same({32, 8}, a.strides)
    assert.are.equal(2, a.ndim)
    assert.are.equal(12, a.size)
    assert.are.equal(96, a.nbytes)
    assert.are.equal(3, #a)
    assert.are.same({4, 3}, a.T.shape)
  end)

  it("indexes 1-based, negatives from the end", function()
    assert.are.equal(0, a[{1, 1}])
    assert.are.equal(11, a[{-1, -1}])
    assert.are.same({4, 5, 6, 7}, a[2]:tolist())
    checkerror("out of bounds", function() return a[{4, 1}] end)
    checkerror("out of bounds", function() return a[{1, 0}] end)
    checkerror("too many indices", function() return a[{1, 1, 1}] end)
  end)

  it("slices with inclusive ranges and steps, as views", function()
    assert.are.same({{5, 6}, {9, 10}}, a[{{2, 3}, {2, 3}}]:tolist())
    assert.are.same({8, 4, 0}, a[{{3, 1, -1}, 1}]:tolist())
    assert.are.same({{0, 2}, {8, 10}}, a[{{1, -1, 2}, {1, 4, 2}}]:tolist())
    assert.are.same({0, 4}, a[{{-1, -10}, {}}].shape)   -- clamped, empty
    local v = a[{{2, 3}}]
    v[{1, 1}] = 100
    assert.are.equal(100, a[{2, 1}])
    checkerror("step cannot be zero", function() return a[{{1, 3, 0}}] end)
    checkerror("out of range", function() return a[{{1, 3, math.mininteger}}] end)
  end)

  it("assigns with broadcasting", function()
    a[{{}, 2}] = 0
    assert.are.same({0, 0, 0}, a[{{}, 2}]:tolist())
    a[{{1, 2}}] = np.array({1, 2, 3, 4})
    assert.are.same({{1, 2, 3, 4}, {1, 2, 3, 4}}, a[{{1, 2}}]:tolist())
    a[3] = {9, 8, 7, 6}
    assert.are.same({9, 8, 7, 6}, a[3]:tolist())
    checkerror("could not broadcast input array from shape (3) into shape (3,4)",
               function() a[{}] = np.arange(3) end)
  end)

  it("copies before an overlapping self-assignment", function()
    local b = np.arange(5)
    b[{{2, 5}}] = b[{{1, 4}}]
    assert.are.same({0, 0, 1, 2, 3}, b:tolist())
  end)

  it("refuses values the dtype cannot hold", function()
    local i8 = np.zeros(2, "int8")
    checkerror("out of bounds for int8", function() i8[1] = 300 end)
    checkerror("cannot convert float NaN to integer", function() i8[1] = 0 / 0 end)
    i8[1] = -3.7
    assert.are.equal(-3, i8[1])
  end)

  it("keeps views alive after the base is collected", function()
    local v = np.arange(1000):reshape(10, 100)[{{5, 6}}]
    collectgarbage(); collectgarbage()
    assert.are.equal(400, v[{1, 1}])
  end)
end)

describe("element values", function()
  it("returns Lua values of each kind", function()
    assert.are.equal(math.type(np.array({1}, "u8")[1]), "integer")
    assert.are.equal(-1, np.array({-1}, "i8"):astype("u8")[1])   -- wrapped
    assert.are.equal(1.5, np.array({1.5}, "f2")[1])
    local c = np.zeros(2, "c16")
    c[1] = {1.5, -2}                                             -- {re, im}
    assert.are.same({1.5, -2}, c[1])
    assert.are.same({2}, np.array({1.5, -2}, "c16").shape)       -- as NumPy
    assert.are.equal("ab", np.array({"ab"}, "S5")[1])             -- NULs stripped
    assert.are.equal("é", np.array({"é"}, ">U2")[1])
    assert.are.equal(true, np.array({1}, "bool")[1])
  end)

  it("reads and writes structured records", function()
    local r = np.zeros(2, {{"x", "<f8"}, {"n", "<i4"}, {"v", "<f4", {3}}})
    r[1] = {x = 1.5, n = 3, v = {1, 2, 3}}
    r[2] = {2.5, 4, {4, 5, 6}}
    assert.are.same({x = 1.5, n = 3, v = {1, 2, 3}}, r[1])
    assert.are.same({1.5, 2.5}, r:field("x"):tolist())
    assert.are.same({2, 3}, r:field("v").shape)
    checkerror("no field of name y", r.field, r, "y")
    checkerror("valid UTF-8", np.zeros, 1, {{"\xff", "<f8"}})
  end)
end)

describe("methods", function()
  it("reshapes with -1 and refuses bad sizes", function()
    local a = np.arange(6)
    assert.are.same({2, 3}, a:reshape(2, -1).shape)
    assert.are.same({3, 2}, a:reshape({3, 2}).shape)
    checkerror("cannot reshape array of size 6 into shape (4,-1)", a.reshape, a, 4, -1)
  end)

  it("transposes with 1-based axes", function()
    local a = np.zeros({2, 3, 4})
    assert.are.same({4, 2, 3}, a:transpose(3, 1, 2).shape)
    assert.are.same({4, 3, 2}, a:transpose().shape)
    checkerror("repeated axis", a.transpose, a, 1, 1, 2)
    checkerror("out of bounds", a.transpose, a, math.mininteger, 1, 2)
  end)

  it("converts with astype as NumPy (truncation, byte order)", function()
    local f = np.array({1.9, -1.9, 300.5})
    assert.are.same({1, -1, 300}, f:astype("i4"):tolist())
    local be = f:astype(">f8")
    assert.are.equal(">f8", tostring(be.dtype))
    assert.are.same(f:tolist(), be:tolist())
    assert.are.equal(string.pack(">d", 1.9), be[{{1, 1}}]:tobytes())
  end)

  it("copies, flattens, fills, byteswaps", function()
    local a = np.arange(6, "<i2"):reshape(2, 3)
    assert.is_true(a.T:copy().flags.c_contiguous)
    assert.is_true(a.T:copy("K").flags.f_contiguous)
    assert.are.same({0, 3, 1, 4, 2, 5}, a.T:flatten():tolist())
    local b = np.zeros(3, "i4"):fill(7)
    assert.are.same({7, 7, 7}, b:tolist())
    assert.are.same({256, 512}, np.array({1, 2}, "<i2"):byteswap():tolist())
    assert.are.same({1, 2}, np.array({1, 2}, "<i2"):newbyteorder(">"):byteswap():tolist())
  end)

  it("gives bytes in C order", function()
    local a = np.array({{1, 2}, {3, 4}}, "<i2")
    assert.are.equal(string.pack("<i2i2i2i2", 1, 3, 2, 4), a.T:tobytes())
    local p = H.tmpname(".bin")
    a.T:tofile(p)
    assert.are.equal(string.pack("<i2i2i2i2", 1, 3, 2, 4), H.readfile(p))
  end)

  it("prints like NumPy's repr", function()
    assert.are.equal("array([1, 2, 3])", tostring(np.array({1, 2, 3})))
    assert.are.equal("array([[0., 1.],\n       [2., 3.]])",
                     tostring(np.arange(4, "f8"):reshape(2, 2)))
    assert.are.equal("array([1, 2], dtype=int32)", tostring(np.array({1, 2}, ">i4")))
  end)

  it("compares with array_equal", function()
    assert.is_true(np.array_equal(np.arange(3), {0, 1, 2}))
    assert.is_false(np.array_equal(np.arange(3), np.arange(4)))
    assert.is_false(np.array_equal({0 / 0}, {0 / 0}))
    assert.is_true(np.array_equal({0 / 0}, {0 / 0}, {equal_nan = true}))
  end)
end)

describe("dtypes", function()
  it("prints as NumPy's str(dtype)", function()
    assert.are.equal("float64", tostring(np.dtype("f8")))
    assert.are.equal(">i4", tostring(np.dtype(">i4")))
    assert.are.equal("|S10", tostring(np.dtype("S10")))
    assert.are.equal("datetime64[s]", tostring(np.dtype("M8[s]")))
    assert.are.equal("[('f0', '<i8'), ('f1', '<f8'), ('f2', '<U5')]",
                     tostring(np.dtype({"i8", "f8", "U5"})))
    assert.is_true(np.dtype("f8") == np.dtype("float64"))
    checkerror("data type 'f7' not understood", np.dtype, "f7")
    checkerror("object arrays are not supported", np.dtype, "O")
  end)
end)
