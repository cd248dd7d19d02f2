-- helpers.lua -- small helpers shared by the busted specs.
--
--   local H = require "tests.spec.helpers"   (or dofile("tests/spec/helpers.lua"))
--   H.checkerror(text, f, ...)  pcall(f, ...) must fail with a message that
--                               contains 'text' (plain find); returns it
--   H.tmpname([suffix])         a fresh path in a private temp folder that
--                               is removed when the Lua state closes
--   H.tmpdir()                  that folder
--   H.readfile(p) / H.writefile(p, s) / H.exists(p)
--   H.listdir(dir)              sorted names in a folder
--   H.lua_cmd()                 shell command running a Lua chunk with npio
--   H.run_lua(code [, prefix])  runs 'code' in a fresh process; returns
--                               ok, exit code, output
--   H.same(a, b [, strict])     deep equality telling NaN, -0.0, integer
--                               and float apart
--   H.show(v [, items, chars])  a short printable form for messages
--   H.is_root()                 true when file permissions do not bind us
--
-- Specs run from the repo root under ./npio and under stock lua5.4 with
-- package.cpath = "./?.so;..." so that require "npio" finds npio.so.

local M = {}

local function q(s) return string.format("%q", tostring(s)) end

--[[
** checkerror: plain-text error matching (npio's messages are full of
** Lua pattern characters: "npio.load: data.npy: ..."). Fails with a
** clear message when 'f' does not raise or raises something else.
--]]
function M.checkerror(text, f, ...)
  assert(type(text) == "string", "checkerror: text must be a string")
  assert(type(f) == "function", "checkerror: f must be a function")
  local ok, msg = pcall(f, ...)
  if ok then
    error("expected an error containing " .. q(text) ..
          ", but the call succeeded", 2)
  end
  if type(msg) ~= "string" then
    error("expected an error string containing " .. q(text) .. ", got a " ..
          type(msg) .. " (" .. tostring(msg) .. ")", 2)
  end
  if not msg:find(text, 1, true) then
    error("expected an error containing " .. q(text) .. ", got: " .. q(msg), 2)
  end
  return msg
end

-- {======================================================
-- Temporary files
-- =======================================================

local tmproot
local sentinel   -- its __gc removes tmproot when the state closes

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
M.shq = shq

function M.tmpdir()
  if tmproot then return tmproot end
  local base = os.getenv("TMPDIR") or "/tmp"
  local p = io.popen("mktemp -d " .. shq(base .. "/npio-spec.XXXXXX"))
  tmproot = p:read("l")
  p:close()
  assert(tmproot and #tmproot > 0, "mktemp -d failed")
  sentinel = setmetatable({}, {__gc = function()
    if tmproot then
      os.execute("chmod -R u+rwx " .. shq(tmproot) .. " 2>/dev/null; rm -rf " .. shq(tmproot))
    end
  end})
  M._sentinel = sentinel
  return tmproot
end

local counter = 0
function M.tmpname(suffix)
  counter = counter + 1
  return string.format("%s/t%04d%s", M.tmpdir(), counter, suffix or "")
end

-- A fresh empty folder inside the temp folder.
function M.tmpsubdir()
  local d = M.tmpname("d")
  assert(os.execute("mkdir " .. shq(d)))
  return d
end

function M.cleanup()
  if tmproot then
    os.execute("chmod -R u+rwx " .. shq(tmproot) .. " 2>/dev/null; rm -rf " .. shq(tmproot))
    tmproot = nil
  end
end

-- }======================================================

function M.readfile(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

function M.writefile(p, s)
  local f = assert(io.open(p, "wb"))
  assert(f:write(s))
  assert(f:close())
end

function M.exists(p)
  local f = io.open(p, "rb")
  if f then f:close() return true end
  return false
end

function M.listdir(dir)
  local t = {}
  local p = io.popen("ls -A " .. shq(dir))
  for l in p:lines() do t[#t + 1] = l end
  p:close()
  table.sort(t)
  return t
end

function M.is_root()
  local p = io.popen("id -u")
  local u = p:read("l")
  p:close()
  return u == "0"
end

-- The command that runs a Lua chunk with npio available: ./npio when it
-- exists (or $NPIO), else stock lua5.4 finding ./npio.so.
function M.lua_cmd()
  local npio = os.getenv("NPIO")
  if npio and M.exists(npio) then return shq(npio) end
  if M.exists("./npio") then return "./npio" end
  return "lua5.4 -e " .. shq('package.cpath = "./?.so;" .. package.cpath')
end

--[[
** run_lua: runs 'code' in a new process ('prefix' is shell text put
** before the command, e.g. "ulimit -f 64;"). Returns ok, exit status,
** combined output.
--]]
function M.run_lua(code, prefix)
  local f = M.tmpname(".lua")
  M.writefile(f, code)
  local out = M.tmpname(".out")
  local cmd = (prefix or "") .. " " .. M.lua_cmd() .. " " .. shq(f) ..
              " >" .. shq(out) .. " 2>&1"
  local ok, _, code_ = os.execute("sh -c " .. shq(cmd))
  return ok, code_, M.readfile(out) or ""
end

-- Deep equality that tells NaN, -0.0 and integer/float apart, over the
-- sequence part of tables; with 'strict', a key of 'a' outside its
-- sequence is a difference too.
function M.same(a, b, strict)
  if type(a) ~= type(b) then return false end
  if type(a) == "table" then
    if #a ~= #b then return false end
    for i = 1, #a do if not M.same(a[i], b[i], strict) then return false end end
    if strict then
      for k in pairs(a) do
        if math.type(k) ~= "integer" or k < 1 or k > #a then return false end
      end
    end
    return true
  end
  if type(a) == "number" then
    if math.type(a) ~= math.type(b) then return false end
    if math.type(a) == "float" then
      if a ~= a then return b ~= b end
      if a == 0 and b == 0 then return 1 / a == 1 / b end
    end
  end
  return a == b
end

-- A short printable form of a value for failure messages: at most
-- 'items' items of a table, strings cut at 'chars' characters.
function M.show(v, items, chars)
  items, chars = items or 8, chars or 300
  if type(v) == "string" then
    return (string.format("%q", #v > chars and v:sub(1, chars) .. "..." or v))
  end
  if type(v) == "table" then
    local t = {}
    for i = 1, math.min(#v, items) do t[#t + 1] = M.show(v[i], items, chars) end
    if #v > items then t[#t + 1] = "..." end
    return "{" .. table.concat(t, ", ") .. "}"
  end
  if math.type(v) == "float" then return string.format("%.17g", v) end
  return tostring(v)
end

return M
