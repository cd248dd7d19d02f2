-- npy_malformed.lua -- runs the malformed .npy corpus (RELIABILITY A).
--
--   npio tests/interop/npy_malformed.lua DIR [--only NAME] [--rss-only]
--
-- DIR holds the files and manifest.lua written by tests/adv/npy/gen.py.
-- Every file is np.load'ed under pcall in this one process:
--   reject: the error must be a string starting "npio.load: <path>:" and
--           containing one of the manifest's substrings;
--   accept: str(dtype), shape, data bytes and elements as NumPy gives;
--   either: one of the two.
-- Cases flagged rss must not grow the process's address space by more
-- than 256 MiB (VmPeak); npy_malformed.sh also runs them under ulimit -v.
-- The mmap_truncate case runs only with --only (it may raise SIGBUS, so
-- the shell script gives it its own process).
-- Prints one line per failure and "N passed, N failed".

local np = require "npio"

local dir = assert(arg[1], "usage: npy_malformed.lua DIR [--only NAME] [--rss-only]")
local only, rss_only
do
  local i = 2
  while arg[i] do
    if arg[i] == "--only" then only = arg[i + 1]; i = i + 2
    elseif arg[i] == "--rss-only" then rss_only = true; i = i + 1
    else error("unknown argument " .. arg[i]) end
  end
end

local env = {
  math = math,
  F = function(s)
    if s == "nan" then return 0.0 / 0.0 end
    if s == "inf" then return math.huge end
    if s == "-inf" then return -math.huge end
    return (assert(tonumber(s), s))
  end,
}
local M = assert(loadfile(dir .. "/manifest.lua", "t", env))()

local passed, failed = 0, 0
local function fail(c, msg)
  io.write("FAIL ", c.name, " (", c.expect, "; NumPy: ", c.numpy, "): ",
           msg, "\n")
end

local H = dofile((arg[0]:match("^(.*)/[^/]*$") or ".") .. "/../spec/helpers.lua")
local same = H.same
local function show(v) return H.show(v, 8) end

-- Peak virtual size of this process in KiB (Linux), or nil.
local function vmpeak()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmPeak:%s*(%d+)"))
end

local function check_reject(c, path, msg)
  if type(msg) ~= "string" then
    fail(c, "error value is a " .. type(msg) .. ", not a string")
    return false
  end
  local prefix = "npio.load: " .. path .. ":"
  if msg:sub(1, #prefix) ~= prefix then
    fail(c, "message does not start with " .. show(prefix) .. ": " .. show(msg))
    return false
  end
  for _, s in ipairs(c.sub or {}) do
    if msg:find(s, 1, true) then return true end
  end
  fail(c, "message names none of " .. show(c.sub) .. ": " .. show(msg))
  return false
end

local function check_accept(c, a)
  if type(a) ~= "userdata" then
    fail(c, "np.load returned a " .. type(a))
    return false
  end
  local ok, s = pcall(function() return tostring(a.dtype) end)
  if not ok or s ~= c.str then
    fail(c, "tostring(a.dtype) = " .. show(s) .. ", NumPy: " .. show(c.str))
    return false
  end
  local shape = a.shape
  if not same(shape, c.shape) then
    fail(c, "shape " .. show(shape) .. ", NumPy: " .. show(c.shape))
    return false
  end
  if c.bytes then
    local ok2, b = pcall(a.tobytes, a)
    if not ok2 or b ~= c.bytes then
      fail(c, "a:tobytes() = " .. show(b) .. ", NumPy: " .. show(c.bytes))
      return false
    end
  end
  if c.list ~= nil then
    local ok2, l = pcall(a.tolist, a)
    if not ok2 or not same(l, c.list) then
      fail(c, "a:tolist() = " .. show(l) .. ", NumPy: " .. show(c.list))
      return false
    end
    if #c.shape == 2 and c.shape[1] > 0 and c.shape[2] > 0 then
      -- element access through the (possibly Fortran) strides
      for i = 1, c.shape[1] do
        for j = 1, c.shape[2] do
          local ok3, v = pcall(function() return a[{i, j}] end)
          if not ok3 or not same(v, c.list[i][j]) then
            fail(c, string.format("a[{%d, %d}] = %s, NumPy: %s", i, j,
                                  show(v), show(c.list[i][j])))
            return false
          end
        end
      end
    end
  end
  return true
end

local function load_case(c, path)
  local opts = c.opts
  if c.special == "offset" then
    local f = assert(io.open(path, "rb"))
    assert(f:seek("set", c.offset))
    local ok, a = pcall(np.load, f, opts)
    f:close()
    return ok, a
  end
  if opts then return pcall(np.load, path, opts) end
  return pcall(np.load, path)
end

local function run(c)
  local path = dir .. "/" .. c.file
  local before = c.rss and vmpeak()
  local ok, res = load_case(c, path)
  local good
  if c.expect == "reject" then
    if ok then
      local _, ds = pcall(function() return tostring(res.dtype) end)
      local _, sh = pcall(function() return res.shape end)
      fail(c, "loaded (" .. show(ds) .. " " .. show(sh)
           .. "), expected an error naming " .. show(c.sub))
      good = false
    else
      good = check_reject(c, path, res)
    end
  elseif c.expect == "accept" then
    if not ok then
      fail(c, "raised " .. show(res))
      good = false
    else
      good = check_accept(c, res)
    end
  else -- either
    if ok then good = check_accept(c, res)
    else good = check_reject(c, path, res) end
  end
  if c.special == "mmap_truncate" and ok then
    -- shrink the file under the live map, then touch the map
    local f = assert(io.open(path, "wb"))
    f:close()
    local ok2, v = pcall(function() return res:tolist() end)
    io.write("mmap_truncate: reading after truncation ",
             ok2 and "gave values" or ("raised " .. show(v)), "\n")
  end
  res = nil
  collectgarbage()
  if c.rss and before then
    local after = vmpeak()
    if after and after - before > 256 * 1024 then
      fail(c, string.format("address space grew by %d MiB for a %d-byte file",
                            (after - before) // 1024, c.size))
      good = false
    end
  end
  return good
end

for _, c in ipairs(M) do
  local want
  if only then want = (c.name == only)
  elseif rss_only then want = c.rss
  else want = c.special ~= "mmap_truncate" end
  if want then
    if run(c) then passed = passed + 1 else failed = failed + 1 end
  end
end

io.write(string.format("%d passed, %d failed\n", passed, failed))
os.exit(failed == 0 and 0 or 1, true)
