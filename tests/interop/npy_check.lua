-- npy_check.lua -- the npio side of tests/interop/npy_matrix.sh.
--
--   npio tests/interop/npy_check.lua DIR [--locale NAME]
--
-- (a) numpy -> npio: loads every file listed in DIR/expected.lua (written
--     by npy_gen.py with NumPy), checks dtype, shape, layout, data bytes
--     and elements against NumPy's description, then saves the array
--     again into DIR/out/ and checks the bytes equal NumPy's file.
-- (b) npio -> numpy: builds arrays in Lua and saves them into DIR/lua/,
--     where npy_gen.py check reads them with NumPy.
-- Prints one line per failure and "N passed, N failed"; exits 1 on a
-- failure.

local np = require "npio"

local dir = assert(arg[1], "usage: npy_check.lua DIR [--locale NAME]")
local locale
do
  local i = 2
  while arg[i] do
    if arg[i] == "--locale" then locale = arg[i + 1]; i = i + 2
    else error("unknown argument " .. arg[i]) end
  end
end

local passed, failed = 0, 0
local function fail(name, msg)
  failed = failed + 1
  io.write("FAIL ", name, ": ", msg, "\n")
end
local function pass() passed = passed + 1 end

if locale then
  -- RELIABILITY A9: headers must not depend on LC_NUMERIC
  if not os.setlocale(locale) then
    io.write("SKIP locale ", locale, " is not installed\n")
    io.write("0 passed, 0 failed\n")
    os.exit(0, true)
  end
end

-- {======================================================
-- Comparing values
-- =======================================================

local H = dofile((arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../spec/helpers.lua")
local function same(a, b) return H.same(a, b, true) end
local function show(v) return H.show(v, 6) end

local function readfile(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function firstdiff(a, b)
  for i = 1, math.min(#a, #b) do
    if a:byte(i) ~= b:byte(i) then return i - 1 end
  end
  return math.min(#a, #b)
end

local function header_of(s)
  local nl = s:find("\n", 1, true)
  return (nl and s:sub(1, nl) or s:sub(1, 160)):sub(1, 200)
end

-- Expected strides of a contiguous array of 'shape' (C or Fortran).
local function contig_strides(shape, itemsize, fortran)
  local st, n = {}, itemsize
  if fortran then
    for i = 1, #shape do st[i] = n; n = n * shape[i] end
  else
    for i = #shape, 1, -1 do st[i] = n; n = n * shape[i] end
  end
  return st
end

local function shape_str(s)
  local t = {}
  for i = 1, #s do t[i] = tostring(s[i]) end
  return "(" .. table.concat(t, ", ") .. (#s == 1 and ",)" or ")")
end

-- }======================================================

-- {======================================================
-- (a) numpy -> npio
-- =======================================================

local env = {
  math = math,
  F = function(s)
    if s == "nan" then return 0.0 / 0.0 end
    if s == "inf" then return math.huge end
    if s == "-inf" then return -math.huge end
    local v = tonumber(s)
    assert(math.type(v) == "float", s)
    return v
  end,
}
local chunk = assert(loadfile(dir .. "/expected.lua", "t", env))
local E = chunk()

os.execute("mkdir -p '" .. dir .. "/out'")

-- Walks every index tuple of 'shape' (1-based), calling fn(idx, expected).
local function each_index(shape, list, fn)
  local idx = {}
  local function rec(d, sub)
    if d > #shape then fn(idx, sub); return end
    for i = 1, shape[d] do
      idx[d] = i
      rec(d + 1, sub[i])
    end
    idx[d] = nil
  end
  rec(1, list)
end

local function check_loaded(c, a)
  -- dtype, shape, layout
  local ok, s = pcall(tostring, a.dtype)
  if not ok or s ~= c.str then
    fail(c.name, "tostring(a.dtype) = " .. show(s) .. ", NumPy's str(dtype) = "
         .. show(c.str))
    return false
  end
  local shape = a.shape
  if type(shape) ~= "table" or not same(shape, c.shape) then
    fail(c.name, "shape " .. show(shape) .. ", expected " .. shape_str(c.shape))
    return false
  end
  if a.ndim ~= #c.shape then
    fail(c.name, "ndim " .. tostring(a.ndim) .. ", expected " .. #c.shape)
    return false
  end
  local size = 1
  for i = 1, #c.shape do size = size * c.shape[i] end
  if size > 1 and #c.shape >= 2 then
    -- "Any byte order and Fortran order load without a copy": the
    -- array keeps the file's memory order.
    local want = contig_strides(c.shape, a.itemsize, c.fortran)
    if not same(a.strides, want) then
      fail(c.name, "strides " .. show(a.strides) .. ", expected "
           .. show(want) .. (c.fortran and " (Fortran file)" or ""))
      return false
    end
  end
  return true
end

local function check_values(c, a)
  local ok, b = pcall(a.tobytes, a)
  if not ok then fail(c.name, "a:tobytes() raised: " .. tostring(b)); return false end
  if b ~= c.bytes then
    fail(c.name, string.format("a:tobytes() differs from NumPy's at byte %d "
         .. "(%d bytes, expected %d)", firstdiff(b, c.bytes), #b, #c.bytes))
    return false
  end
  if c.list ~= nil then
    local ok2, l = pcall(a.tolist, a)
    if not ok2 then fail(c.name, "a:tolist() raised: " .. tostring(l)); return false end
    if not same(l, c.list) then
      fail(c.name, "a:tolist() = " .. show(l) .. ", expected " .. show(c.list))
      return false
    end
    -- element access through the strides (Fortran, byte order)
    if #c.shape == 1 then
      for i = 1, c.shape[1] do
        local ok3, v = pcall(function() return a[i] end)
        if not ok3 or not same(v, c.list[i]) then
          fail(c.name, string.format("a[%d] = %s, expected %s", i,
               show(v), show(c.list[i])))
          return false
        end
      end
    elseif #c.shape >= 2 then
      local bad
      each_index(c.shape, c.list, function(idx, want)
        if bad then return end
        local key = table.move(idx, 1, #idx, 1, {})
        local ok3, v = pcall(function() return a[key] end)
        if not ok3 or not same(v, want) then
          bad = string.format("a[{%s}] = %s, expected %s",
                              table.concat(key, ", "), show(v), show(want))
        end
      end)
      if bad then fail(c.name, bad); return false end
    end
  end
  if c.fields then
    for _, f in ipairs(c.fields) do
      local ok3, l = pcall(function() return a:field(f[1]):tolist() end)
      if not ok3 or not same(l, f[2]) then
        fail(c.name, "a:field(" .. show(f[1]) .. "):tolist() = " .. show(l)
             .. ", expected " .. show(f[2]))
        return false
      end
    end
  end
  return true
end

local function check_resave(c, a)
  local src = readfile(dir .. "/" .. c.file)
  local out = dir .. "/out/" .. c.name .. ".npy"
  local ok, err = pcall(np.save, out, a)
  if not ok then fail(c.name, "np.save raised: " .. tostring(err)); return false end
  local got = readfile(out)
  if not got then fail(c.name, "np.save wrote no file at " .. out); return false end
  if got ~= src then
    fail(c.name, string.format("re-saved file differs from NumPy's at byte %d "
         .. "(%d bytes, NumPy %d): npio %q, NumPy %q", firstdiff(got, src),
         #got, #src, header_of(got), header_of(src)))
    return false
  end
  os.remove(out)
  return true
end

for _, c in ipairs(E.matrix) do
  local path = dir .. "/" .. c.file
  local ok, a = pcall(np.load, path)
  if not ok then
    fail(c.name, "np.load raised: " .. tostring(a))
    failed = failed + 2            -- values and re-save not checked
  else
    if check_loaded(c, a) then pass() end
    if check_values(c, a) then pass() end
    if check_resave(c, a) then pass() end
  end
end

if locale then
  io.write(string.format("%d passed, %d failed\n", passed, failed))
  os.exit(failed == 0 and 0 or 1, true)
end

-- }======================================================

-- {======================================================
-- (b) npio -> numpy: Lua builds, npy_gen.py check reads
-- =======================================================

local L = dir .. "/lua/"

-- Each builder returns the array to save as L..name..".npy"; a few save
-- themselves (append) and return nothing. Names match
-- lua_expectations() in npy_gen.py.
local builders = {
  {"arr_i4_2x3", function() return np.array({{1, 2, 3}, {4, 5, 6}}, "<i4") end},
  {"arr_f8_be", function()
    -- 0/0 is a NaN with the sign bit set on x86; math.abs gives the
    -- positive quiet NaN that Python's math.nan is
    return np.array({1.5, -0.0, math.abs(0 / 0), math.huge, -math.huge, 2.0 ^ -1074}, ">f8")
  end},
  {"zeros_f4_2x3", function() return np.zeros({2, 3}, "f4") end},
  {"zeros_default_0x3", function() return np.zeros({0, 3}) end},
  {"zeros_u2_0d", function() return np.zeros({}, "u2") end},
  {"arange_2x3x4", function() return np.arange(24):reshape({2, 3, 4}) end},
  {"arange_f8_T", function() return np.arange(12, "f8"):reshape({3, 4}):transpose() end},
  {"arange_i2_be", function() return np.arange(6):astype(">i2") end},
  {"astype_f2", function() return np.arange(6):astype("f2") end},
  {"astype_c16", function() return np.arange(6):astype("c16") end},
  {"astype_bool", function() return np.arange(6):astype("bool") end},
  {"astype_S3", function() return np.arange(6):astype("S3") end},
  {"arr_S4", function() return np.array({"ab", "c", ""}, "S4") end},
  {"arr_U6", function() return np.array({"h\u{e9}llo", "x", "\u{65e5}\u{672c}"}, "U6") end},
  {"full_u8", function() return np.full({2, 2}, 7, "u8") end},
  {"zeros_m8_us", function() return np.zeros(3, "m8[us]") end},
  {"zeros_M8_s_be", function() return np.zeros(2, ">M8[s]") end},
  {"zeros_struct", function()
    return np.zeros(2, {{"x", "<f8"}, {"n", "<i4"}, {"v", "<f4", {3}}})
  end},
  {"scalar_int", function() return np.array(5) end},
  {"scalar_float", function() return np.array(2.5) end},
  {"arr_bool", function() return np.array({true, false, true}) end},
  {"view_rows", function() return np.arange(20):reshape({4, 5})[{{1, 4, 2}, {}}] end},
  {"view_cols", function() return np.arange(20):reshape({4, 5})[{{}, {1, 5, 2}}] end},
  {"eye3", function() return np.eye(3) end},
  {"linspace", function() return np.linspace(0, 1, 5) end},
  {"extreme_i8", function()
    return np.array({math.maxinteger, math.mininteger, 0}, "<i8")
  end},
  {"T_3d", function() return np.arange(24, "<i4"):reshape({2, 3, 4}):transpose() end},
  {"fortran_u1", function()
    -- np.asfortranarray(arange(6).reshape(2, 3)): the transpose of a
    -- C-contiguous (3, 2) copy of its transpose
    local c = np.arange(6, "u1"):reshape({2, 3}):transpose():copy()
    return c:transpose()
  end},
  {"append_rows", function()
    local p = L .. "append_rows.npy"
    np.save(p, np.arange(12, "<f8"):reshape({3, 4}))
    np.save(p, np.arange(8, "<f8"):reshape({2, 4}), {append = true})
  end},
  {"append_fortran", function()
    local p = L .. "append_fortran.npy"
    np.save(p, np.arange(12, "<f8"):reshape({3, 4}):transpose())
    np.save(p, np.arange(8, "<f8"):reshape({2, 4}):transpose(), {append = true})
  end},
  {"append_np_base", function()
    -- the base file was written by NumPy (npy_gen.py gen)
    np.save(L .. "append_np_base.npy", np.array({{10, 11}, {12, 13}}, "<i4"),
            {append = true})
  end},
  {"append_many", function()
    local p = L .. "append_many.npy"
    np.save(p, np.array({{0}}, "<i2"))
    for i = 1, 99 do np.save(p, np.array({{i}}, "<i2"), {append = true}) end
  end},
  {"append_digits", function()
    local p = L .. "append_digits.npy"
    np.save(p, np.zeros({9, 2}, "<u1"))
    np.save(p, np.zeros({1, 2}, "<u1"), {append = true})
  end},
}

-- RELIABILITY A9 in the Lua direction: NumPy's 144 basic arrays.
local function safe(s)
  return (s:gsub("[<>|]", {["<"] = "L", [">"] = "B", ["|"] = "N"}))
end
for _, t in ipairs({"u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f4",
                    "f8", "c8", "c16"}) do
  for _, e in ipairs({"<", ">"}) do
    local dt = (t == "u1" or t == "i1") and ("|" .. t) or (e .. t)
    local tag = "lua_a9_" .. (e == "<" and "le" or "be") .. "_" .. safe(dt)
    local function basic() return np.arange(1500):astype(dt) end
    builders[#builders + 1] = {tag .. "_empty", function() return np.zeros({0}, dt) end}
    builders[#builders + 1] = {tag .. "_rank0", function() return np.array(10, dt) end}
    builders[#builders + 1] = {tag .. "_1d", basic}
    builders[#builders + 1] = {tag .. "_2dC", function() return basic():reshape({30, 50}) end}
    builders[#builders + 1] = {tag .. "_2dF", function()
      return basic():reshape({30, 50}):transpose()
    end}
    builders[#builders + 1] = {tag .. "_2dnc", function()
      return basic():reshape({30, 50})[{{-1, 1, -1}, {1, -1, 2}}]
    end}
  end
end

local built = 0
for _, b in ipairs(builders) do
  local name, fn = b[1], b[2]
  local ok, a = pcall(fn)
  if not ok then
    fail("build " .. name, tostring(a))
  elseif a ~= nil then
    local ok2, err = pcall(np.save, L .. name .. ".npy", a)
    if not ok2 then fail("build " .. name, "np.save raised: " .. tostring(err))
    else built = built + 1 end
  else
    built = built + 1
  end
end
-- the files themselves are judged by npy_gen.py check
io.write(string.format("npio built and saved %d of %d arrays\n", built,
                       #builders))

io.write(string.format("%d passed, %d failed\n", passed, failed))
os.exit(failed == 0 and 0 or 1, true)
