-- check.lua -- runs the hostile archives of tests/adv/npz/gen.py.
--
--   npio tests/adv/npz/check.lua DIR [FILE]
--
-- Each case of DIR/cases.lua lands in its expected class (see gen.py):
-- the error messages must contain the expected text, listing must work
-- for archives whose members cannot be read, and valid archives must
-- read. With FILE only that case runs. At the end the process's peak
-- RSS (VmHWM) is printed, and must stay under NPZ_RSS_CAP_MB (default
-- 512) unless the build is a sanitizer one.
-- Prints one line per failure and "N passed, N failed".

local np = require "npio"

local dir = assert(arg[1], "usage: check.lua DIR [FILE]")
local only = arg[2]
local passed, failed = 0, 0
local function fail(name, msg)
  failed = failed + 1
  io.write("FAIL ", name, ": ", tostring(msg), "\n")
end
local function pass() passed = passed + 1 end

-- the error must be a string holding 'msg' (plain text)
local function expect_error(name, what, ok, err, msg)
  if ok then
    fail(name, what .. " succeeded, expected an error with " ..
               string.format("%q", msg))
  elseif type(err) ~= "string" or not err:find(msg, 1, true) then
    fail(name, what .. ": expected " .. string.format("%q", msg) ..
               ", got " .. tostring(err))
  else
    pass()
  end
end

local function shapestr(s)
  local t = {}
  for i = 1, #s do t[i] = tostring(s[i]) end
  return table.concat(t, "x")
end

local cases = dofile(dir .. "/cases.lua")
local ran = 0
for _, c in ipairs(cases) do
  if not only or only == c.file then
    ran = ran + 1
    local path = dir .. "/" .. c.file
    if c.expect == "open" then
      local ok, err = pcall(np.load, path)
      expect_error(c.file, "np.load", ok, err, c.msg)
      ok, err = pcall(np.info, path)
      expect_error(c.file, "np.info", ok, err, c.msg)
    else
      local ok, err = pcall(function()
        local z <close> = np.load(path)
        if c.count and #z.files ~= c.count then
          fail(c.file, "lists " .. #z.files .. " members, expected " .. c.count)
        else
          pass()
        end
        if c.expect == "read" then
          local ok2, err2 = pcall(function() return z[c.key] end)
          expect_error(c.file, "z[" .. c.key .. "]", ok2, err2, c.msg)
          -- the handle survives a failed read
          ok2, err2 = pcall(function() return #z.files end)
          if ok2 then pass() else fail(c.file, "after the error: " .. err2) end
        elseif c.expect == "info" then
          local ok2, err2 = pcall(np.info, path)
          expect_error(c.file, "np.info", ok2, err2, c.msg)
          ok2, err2 = pcall(z.info, z, z.files[1])
          expect_error(c.file, "z:info", ok2, err2, c.msg)
        else   -- ok: every member reads (the first 100 of huge listings)
          local n = 0
          for k, v in pairs(z) do
            n = n + 1
            if n >= 100 then break end
          end
          pass()
          if c.key then
            local v = z[c.key]
            if c.shape then
              if type(v) ~= "userdata" or shapestr(v.shape) ~= shapestr(c.shape) then
                fail(c.file, "member " .. c.key .. " is not an array of shape " ..
                             shapestr(c.shape))
              else
                pass()
              end
            elseif c.bytes then
              if v == c.bytes then pass()
              else fail(c.file, "member " .. c.key .. " is " .. tostring(v)) end
            end
          end
          local rows = np.info(path)
          if type(rows) == "table" then pass() else fail(c.file, "np.info") end
        end
      end)
      if not ok then fail(c.file, err) end
    end
    collectgarbage()
  end
end
if ran == 0 then fail("cases", "no case ran") end

-- peak RSS of this process
local f = io.open("/proc/self/status")
if f then
  local s = f:read("a")
  f:close()
  local hwm = tonumber(s:match("VmHWM:%s*(%d+)"))
  local cap = tonumber(os.getenv("NPZ_RSS_CAP_MB") or "512")
  if hwm then
    io.write(string.format("peak RSS %.1f MiB\n", hwm / 1024))
    if os.getenv("NPZ_SAN") ~= "1" and hwm / 1024 > cap then
      fail("rss", string.format("peak RSS %.1f MiB above %d MiB", hwm / 1024, cap))
    end
  end
end

io.write(passed, " passed, ", failed, " failed\n")
os.exit(failed == 0 and 0 or 1, true)
