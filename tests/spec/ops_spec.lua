-- ops_spec.lua -- the array engine from Lua: operators with broadcasting
-- and NEP 50 weak scalars, reductions with 1-based axes, indices as
-- 1-based results, masks, joining, and the error messages. The values
-- here are worked out by hand; tests/interop/ops_diff.sh compares
-- thousands of generated cases with NumPy itself.
local np = require "npio"
local H = dofile("tests/spec/helpers.lua")

local function list(a) return a:tolist() end

describe("operators", function()
  it("broadcast rows against columns", function()
    local a = np.array({1, 2, 3})
    local b = np.array({{10}, {20}})
    local c = a + b
    assert.same({2, 3}, c.shape)
    assert.same({{11, 12, 13}, {21, 22, 23}}, list(c))
    assert.equal("int64", tostring(c.dtype))
  end)

  it("treat Lua numbers as weak scalars (NEP 50)", function()
    local f32 = np.array({1.5, 2.5}, "float32")
    assert.equal("float32", tostring((f32 * 2.5).dtype))
    assert.equal("float32", tostring((2 * f32).dtype))
    local i8 = np.array({1, 2}, "int8")
    assert.equal("int8", tostring((i8 + 1).dtype))
    assert.equal("float64", tostring((i8 + 1.5).dtype))
    assert.equal("int64", tostring((np.array({true}) + 1).dtype))
    H.checkerror("Lua integer 300 out of bounds for int8",
                 function() return i8 + 300 end)
    H.checkerror("out of bounds for uint8",
                 function() return np.array({1}, "uint8") + (-1) end)
  end)

  it("compare weak integers out of range correctly", function()
    local i8 = np.array({-5, 100}, "int8")
    assert.same({true, true}, list(i8:lt(300)))
    assert.same({false}, list(np.array({1}, "uint8"):lt(-1)))
  end)

  it("promote array types as NumPy", function()
    local function dt(x, y) return tostring((np.zeros(1, x) + np.zeros(1, y)).dtype) end
    assert.equal("int16", dt("int8", "uint8"))
    assert.equal("float64", dt("int64", "uint64"))
    assert.equal("float32", dt("int16", "float16"))
    assert.equal("complex128", dt("float64", "complex64"))
    assert.equal("float64", tostring((np.array({1}) / np.array({2})).dtype))
  end)

  it("divide integers with NumPy's sign rules", function()
    local a = np.array({7, -7, 7, -7, 5})
    local b = np.array({2, 2, -2, -2, 0})
    assert.same({3, -4, -4, 3, 0}, list(a // b))
    assert.same({1, 1, -1, -1, 0}, list(a % b))
    local f = np.array({7.5, -7.5}) % 2
    assert.same({1.5, 0.5}, list(f))
  end)

  it("wrap integer overflow and give inf/nan for float division by 0", function()
    assert.same({-128}, list(np.array({127}, "int8") + 1))
    assert.same({255}, list(np.array({0}, "uint8") - np.array({1}, "uint8")))
    local r = list(np.array({1.0, -1.0, 0.0}) / 0)
    assert.equal(math.huge, r[1])
    assert.equal(-math.huge, r[2])
    assert.is_true(r[3] ~= r[3])
  end)

  it("raise on integers to negative powers and bool subtract", function()
    H.checkerror("Integers to negative integer powers are not allowed",
                 function() return np.array({2}) ^ -1 end)
    H.checkerror("boolean subtract", function()
      return np.array({true}) - np.array({false}) end)
    H.checkerror("boolean negative", function() return -np.array({true}) end)
  end)

  it("show both shapes when broadcasting fails", function()
    H.checkerror("operands could not be broadcast together with shapes (3,) (4,)",
                 function() return np.zeros(3) + np.zeros(4) end)
    H.checkerror("shapes (2,3) (2,)",
                 function() return np.add(np.zeros({2, 3}), np.zeros(2)) end)
  end)

  it("return Lua values for scalar inputs", function()
    assert.equal(2.0, np.sqrt(4))
    assert.equal(3, np.add(1, 2))
    assert.is_true(np.isnan(0 / 0))
  end)
end)

describe("elementwise functions", function()
  it("give NumPy's loop types", function()
    assert.equal("float16", tostring(np.sqrt(np.array({4}, "int8")).dtype))
    assert.equal("float32", tostring(np.exp(np.array({1}, "int16")).dtype))
    assert.equal("int8", tostring(np.sign(np.array({-3}, "int8")).dtype))
    assert.equal("bool", tostring(np.isnan(np.array({1, 2})).dtype))
  end)

  it("clip, where, nan_to_num, round", function()
    assert.same({0, 0, 2, 5, 5}, list(np.clip(np.array({-1, 0, 2, 7, 5}), 0, 5)))
    assert.same({1, 0}, list(np.array({1, -3}):clip(0)))
    local x = np.array({1.0, 0 / 0, 3.0})
    assert.same({1.0, 0.0, 3.0}, list(np.where(np.isnan(x), 0, x)))
    local y = list(np.nan_to_num(np.array({0 / 0, math.huge})))
    assert.same({0.0, 1.7976931348623157e308}, y)
    assert.same({2.0, 2.0, -0.0}, list(np.round(np.array({2.5, 1.5, -0.4}))))
    assert.same({0.12, 1.5}, list(np.array({0.1234, 1.5}):round(2)))
  end)

  it("isclose and allclose", function()
    assert.is_true(np.allclose(np.array({1.0, 2.0}), np.array({1.0, 2.0 + 1e-9})))
    assert.is_false(np.allclose(np.array({1.0}), np.array({1.1})))
    assert.same({true, false}, list(np.isclose(np.array({0 / 0, 1}), np.array({0 / 0, 2}),
                                               {equal_nan = true})))
  end)
end)

describe("reductions", function()
  local m = np.arange(12):reshape({3, 4})

  it("take 1-based axes, negative from the end", function()
    assert.same({12, 15, 18, 21}, list(m:sum(1)))
    assert.same({6, 22, 38}, list(m:sum(2)))
    assert.same({6, 22, 38}, list(m:sum(-1)))
    assert.same({{6}, {22}, {38}}, list(m:sum({axis = 2, keepdims = true})))
    assert.equal(66, m:sum())
    assert.equal(66, np.sum(m, {axis = {1, 2}}))
  end)

  it("give NumPy's dtypes", function()
    assert.equal("int64", tostring(np.array({1, 2}, "int8"):sum({axis = 1, keepdims = true}).dtype))
    assert.equal("uint64", tostring(np.cumsum(np.array({1}, "uint8")).dtype))
    assert.equal("float64", tostring(np.array({{1, 2}}, "int32"):mean(1).dtype))
    assert.equal(math.type(m:sum()), "integer")
    assert.equal(math.type(m:mean()), "float")
  end)

  it("std/var with ddof, nan variants", function()
    assert.equal(1.0, np.array({1, 2, 3}):var({ddof = 1}))
    local x = np.array({1.0, 0 / 0, 3.0})
    assert.equal(4.0, x:nansum())
    assert.equal(2.0, x:nanmean())
    assert.equal(1.0, x:nanstd())
    assert.equal(1.0, x:nanmin())
    assert.is_true(x:max() ~= x:max())
  end)

  it("return 1-based argmin/argmax", function()
    assert.equal(12, m:argmax())
    assert.same({3, 3, 3, 3}, list(m:argmax(1)))
    assert.same({1, 1, 1}, list(np.argmin(m, 2)))
  end)

  it("raise for bad axes and empty min/max", function()
    H.checkerror("axis 3 is out of bounds for array of dimension 2",
                 function() return m:sum(3) end)
    H.checkerror("duplicate value in 'axis'",
                 function() return m:sum({axis = {1, 1}}) end)
    H.checkerror("zero-size array to reduction operation maximum",
                 function() return np.zeros(0):max() end)
    H.checkerror("attempt to get argmax of an empty sequence",
                 function() return np.zeros(0):argmax() end)
  end)

  it("refuse non-numeric dtypes", function()
    H.checkerror("npio.sum", function() return np.zeros(2, "U3"):sum() end)
    H.checkerror("npio.add", function() return np.zeros(2, "S3") + 1 end)
  end)
end)

describe("sorting, masks, joining", function()
  it("sort with NaN last and stable 1-based argsort", function()
    local x = np.array({3.0, 0 / 0, 1.0, 3.0})
    local s = list(np.sort(x))
    assert.same({1.0, 3.0, 3.0}, {s[1], s[2], s[3]})
    assert.is_true(s[4] ~= s[4])
    assert.same({3, 1, 4, 2}, list(np.argsort(x)))
    local y = np.array({5, 2, 9})
    y:sort()
    assert.same({2, 5, 9}, list(y))
  end)

  it("unique with its index, inverse and counts", function()
    local v, idx, inv, cnt = np.unique(np.array({3, 1, 3, 2}),
      {return_index = true, return_inverse = true, return_counts = true})
    assert.same({1, 2, 3}, list(v))
    assert.same({2, 4, 1}, list(idx))
    assert.same({3, 1, 3, 2}, list(inv))
    assert.same({1, 1, 2}, list(cnt))
  end)

  it("index and assign with boolean masks", function()
    local a = np.arange(6):reshape({2, 3})
    assert.same({4, 5}, list(a[a:gt(3)]))
    a[a:gt(3)] = 0
    assert.same({{0, 1, 2}, {3, 0, 0}}, list(a))
    assert.same({{3, 0, 0}}, list(a[np.array({false, true})]))
    H.checkerror("boolean index did not match",
                 function() return a[np.array({true, false, true})] end)
  end)

  it("concatenate, stack, split, nonzero, dot", function()
    local a, b = np.array({1, 2}), np.array({3.5})
    local c = np.concatenate({a, b})
    assert.same({1.0, 2.0, 3.5}, list(c))
    assert.same({2, 2}, np.stack({a, a}).shape)
    assert.same({2, 2}, np.stack({a, a}, 2).shape)
    assert.same({1, 2, 1, 2}, list(np.hstack({a, a})))
    assert.same({2, 2}, np.vstack({a, a}).shape)
    local parts = np.split(np.arange(6), {2, 5})
    assert.same({0, 1}, list(parts[1]))
    assert.same({2, 3, 4}, list(parts[2]))
    assert.same({5}, list(parts[3]))
    local r, k = np.nonzero(np.array({{0, 1}, {1, 0}}))
    assert.same({1, 2}, list(r))
    assert.same({2, 1}, list(k))
    assert.equal(11, np.dot(np.array({1, 2}), np.array({3, 4})))
    assert.same({{7, 10}, {15, 22}},
                list(np.matmul(np.array({{1, 2}, {3, 4}}), np.array({{1, 2}, {3, 4}}))))
    H.checkerror("not aligned", function()
      return np.dot(np.zeros({2, 3}), np.zeros({4, 2})) end)
    H.checkerror("must match exactly", function()
      return np.concatenate({np.zeros({2, 3}), np.zeros({2, 4})}) end)
  end)

  it("make views with flip, squeeze, expand_dims", function()
    local a = np.arange(3)
    assert.same({2, 1, 0}, list(np.flip(a)))
    assert.same({1, 3}, np.expand_dims(a, 1).shape)
    assert.same({3, 1}, np.expand_dims(a, -1).shape)
    assert.same({3}, np.squeeze(np.zeros({1, 3, 1})).shape)
  end)
end)

describe("closed memory maps", function()
  it("raise instead of crashing", function()
    local path = H.tmpname(".npy")
    np.save(path, np.arange(10.0))
    local m = np.load(path, {mmap_mode = "r"})
    assert.equal(45.0, m:sum())
    m:close()
    H.checkerror("closed", function() return m + 1 end)
    H.checkerror("closed", function() return m:sum() end)
    H.checkerror("closed", function() return np.sqrt(m) end)
  end)
end)
