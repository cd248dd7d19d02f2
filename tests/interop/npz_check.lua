-- npz_check.lua -- the npio side of tests/interop/npz_interop.sh.
--
--   npio tests/interop/npz_check.lua DIR
--
-- (a) numpy -> npio: opens every archive listed in DIR/cases.lua (NumPy
--     wrote them with np.savez / np.savez_compressed / zipfile), checks
--     z.files against NumPy's order and every member against its source
--     .npy (loaded with np.load: dtype, shape, C-order bytes), through
--     z[key], z.key, z:get(key), pairs(z), with mmap_mode "r" and "c",
--     and np.info.
-- (b) npio -> numpy: writes archives from the same sources into DIR/lua/
--     and lists what each must hold in DIR/lua_cases.txt, which
--     npz_gen.py check reads back with NumPy.
-- Prints one line per failure and "N passed, N failed"; exits 1 on a
-- failure.

local np = require "npio"

local dir = assert(arg[1], "usage: npz_check.lua DIR")
local passed, failed = 0, 0
local function fail(name, msg)
  failed = failed + 1
  io.write("FAIL ", name, ": ", tostring(msg), "\n")
end
local function pass() passed = passed + 1 end

local srccache = {}
local function src(name)
  local a = srccache[name]
  if not a then
    a = np.load(dir .. "/src/" .. name .. ".npy")
    srccache[name] = a
  end
  return a
end

local function shapestr(s)
  local t = {}
  for i = 1, #s do t[i] = tostring(s[i]) end
  return "(" .. table.concat(t, ",") .. ")"
end

-- a and b have the same dtype, shape and C-order bytes
local function same(a, b)
  if tostring(a.dtype) ~= tostring(b.dtype) or a.dtype ~= b.dtype then
    return false, "dtype " .. tostring(a.dtype) .. " vs " .. tostring(b.dtype)
  end
  if shapestr(a.shape) ~= shapestr(b.shape) then
    return false, "shape " .. shapestr(a.shape) .. " vs " .. shapestr(b.shape)
  end
  if a:tobytes() ~= b:tobytes() then return false, "bytes differ" end
  return true
end

local function check_member(where, got, m)
  if m.bytes then
    if got == m.bytes then pass()
    else fail(where, "expected bytes " .. string.format("%q", m.bytes) ..
                     ", got " .. tostring(got)) end
    return
  end
  if type(got) ~= "userdata" then
    fail(where, "expected an array, got " .. type(got))
    return
  end
  local ok, why = same(got, src(m.src))
  if ok then pass() else fail(where, why) end
end

-- {======================================================
-- (a) NumPy's archives
-- =======================================================

local cases = dofile(dir .. "/cases.lua")
for _, c in ipairs(cases) do
  local path = dir .. "/np/" .. c.file
  local ok, err = pcall(function()
    local z <close> = np.load(path)
    -- files, in NumPy's order
    local files = z.files
    local same_files = #files == #c.members
    for i, m in ipairs(c.members) do
      if files[i] ~= m.key then same_files = false end
    end
    if same_files and #z == #c.members then pass()
    else fail(c.file, "files differ from NumPy's: " ..
                      table.concat(files, ",", 1, math.min(#files, 6))) end
    for _, m in ipairs(c.members) do
      check_member(c.file .. ":" .. m.key, z[m.key], m)
    end
    -- the other ways in: get, field syntax, pairs
    if #c.members > 0 then
      local m = c.members[1]
      check_member(c.file .. ":get " .. m.key, z:get(m.key), m)
      if m.key:match("^[%a_][%w_]*$") and m.key ~= "files" and
         m.key ~= "info" and m.key ~= "get" and m.key ~= "close" then
        check_member(c.file .. ":field " .. m.key, z[m.key], m)
      end
    end
    local n = 0
    for k, v in pairs(z) do
      n = n + 1
      local m = c.members[n]
      if not m or k ~= m.key then
        fail(c.file, "pairs gave " .. tostring(k) .. " at " .. n)
        break
      end
      if n <= 30 then check_member(c.file .. ":pairs " .. k, v, m) end
    end
    if n == #c.members then pass() else fail(c.file, "pairs count " .. n) end
    -- np.info: one row per array member, dtype and shape as NumPy's
    local rows = np.info(path)
    local k = 0
    for _, m in ipairs(c.members) do
      if m.src then
        k = k + 1
        local r, s = rows[k], src(m.src)
        if r and r.name == m.key and r.dtype == tostring(s.dtype) and
           shapestr(r.shape) == shapestr(s.shape) and r.nbytes == s.nbytes then
          pass()
        else
          fail(c.file .. ":info " .. m.key, r and (r.name .. " " .. r.dtype ..
               " " .. shapestr(r.shape)) or "missing row")
        end
      end
    end
  end)
  if not ok then fail(c.file, err) end
  -- mapped members: aligned stored ones are views of the archive, others
  -- are read; either way read-only for "r" and writable for "c"
  for _, mode in ipairs({"r", "c"}) do
    ok, err = pcall(function()
      local z <close> = np.load(path, {mmap_mode = mode})
      for i, m in ipairs(c.members) do
        if i > 40 then break end
        local a = z[m.key]
        check_member(c.file .. ":mmap " .. mode .. " " .. m.key, a, m)
        if m.src and type(a) == "userdata" and a.nbytes > 0 then
          local w = a.flags.writeable
          if (mode == "r" and w) or (mode == "c" and not w) then
            fail(c.file .. ":mmap " .. m.key, "writeable is " .. tostring(w))
          end
        end
      end
    end)
    if not ok then fail(c.file .. " mmap " .. mode, err) end
  end
end

-- }======================================================

-- {======================================================
-- (b) npio's archives for NumPy
-- =======================================================

local out = assert(io.open(dir .. "/lua_cases.txt", "w"))
local function expect(file, key, srcname)
  out:write(file, "\t", key or "", "\t", srcname or "", "\n")
end

-- every source of a group, as {name, array} pairs
local names = {}
for _, c in ipairs(cases) do
  if c.file == "matrix.npz" or c.file == "a9.npz" then
    for _, m in ipairs(c.members) do names[#names + 1] = m.key end
  end
end

local function write(file, fn, arrays, opts, listing)
  local ok, err = pcall(fn, dir .. "/lua/" .. file, arrays, opts)
  if not ok then fail(file, err) return end
  pass()
  for _, l in ipairs(listing) do expect(file, l[1], l[2]) end
  if #listing == 0 then expect(file) end
end

do
  local pairs_list, listing = {}, {}
  for _, n in ipairs(names) do
    pairs_list[#pairs_list + 1] = {n, src(n)}
    listing[#listing + 1] = {n, n}
  end
  write("matrix.npz", np.savez, pairs_list, nil, listing)
  write("matrix_c.npz", np.savez_compressed, pairs_list, nil, listing)
  write("matrix_z64.npz", np.savez, pairs_list, {zip64 = true}, listing)
  write("matrix_c1.npz", np.savez_compressed, pairs_list,
        {level = 1, threads = 1}, listing)
  write("matrix_c12.npz", np.savez_compressed, pairs_list, {level = 12},
        listing)
  write("matrix_c0.npz", np.savez_compressed, pairs_list,
        {level = 0, zip64 = true}, listing)
end

-- positional arrays first (arr_0, ...), then names sorted by their bytes
write("positional.npz", np.savez,
      {src(names[1]), src(names[2]), zeta = src(names[3]),
       alpha = src(names[4]), ["caf\u{e9}"] = src(names[5])}, nil,
      {{"arr_0", names[1]}, {"arr_1", names[2]}, {"alpha", names[4]},
       {"caf\u{e9}", names[5]}, {"zeta", names[3]}})
write("empty.npz", np.savez, {}, nil, {})
write("empty_c.npz", np.savez_compressed, {}, nil, {})

-- views: Fortran, strided and reversed layouts written without copies
do
  local b = src("views_base")
  write("views.npz", np.savez_compressed,
        {{"t", b.T}, {"rows", b[{{1, 6, 2}, {}}]}, {"cols", b[{{}, {2, 7, 3}}]},
         {"rev", b[{{6, 1, -1}, {8, 1, -1}}]}}, nil,
        {{"t", "view_T"}, {"rows", "view_rows"}, {"cols", "view_cols"},
         {"rev", "view_rev"}})
end

-- 1000 members
do
  local t, listing = {}, {}
  for i = 0, 999 do
    local k = string.format("m%04d", i)
    t[#t + 1] = {k, src(k)}
    listing[#listing + 1] = {k, k}
  end
  write("many.npz", np.savez_compressed, t, nil, listing)
end

-- append: new members after the old ones, a replaced member keeps its
-- place, positional arrays take the next free arr_N
do
  local f = dir .. "/lua/append.npz"
  local ok, err = pcall(function()
    np.savez(f, {src(names[1]), x = src(names[2]), y = src(names[3])})
    np.savez_compressed(f, {src(names[4]), x = src(names[5]),
                            z = src(names[6])}, {mode = "a"})
    np.savez(f, {w = src(names[7])}, {mode = "a", atomic = false})
  end)
  if ok then
    pass()
    for _, l in ipairs({{"arr_0", names[1]}, {"x", names[5]}, {"y", names[3]},
                        {"arr_1", names[4]}, {"z", names[6]},
                        {"w", names[7]}}) do
      expect("append.npz", l[1], l[2])
    end
  else
    fail("append.npz", err)
  end
end

-- Lua file handles: a seekable file (local headers patched in place) and
-- a pipe (data descriptors)
do
  local t = {{"a", src(names[10])}, {"b", src(names[11])}}
  local ok, err = pcall(function()
    local fh = assert(io.open(dir .. "/lua/handle.npz", "wb"))
    np.savez_compressed(fh, t)
    fh:close()
    local p = assert(io.popen("cat > '" .. dir .. "/lua/pipe.npz'", "w"))
    np.savez_compressed(p, t)
    p:close()
    local p2 = assert(io.popen("cat > '" .. dir .. "/lua/pipe_s.npz'", "w"))
    np.savez(p2, t)
    p2:close()
  end)
  if ok then
    pass()
    for _, f in ipairs({"handle.npz", "pipe.npz", "pipe_s.npz"}) do
      expect(f, "a", names[10])
      expect(f, "b", names[11])
    end
  else
    fail("file handles", err)
  end
end

out:close()

-- }======================================================

io.write(passed, " passed, ", failed, " failed\n")
os.exit(failed == 0 and 0 or 1, true)
