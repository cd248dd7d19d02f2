-- text_diff.lua DIR -- runs npio on the cases text_cases.py wrote to DIR
-- and compares with NumPy's results: dtype, shape and bytes of every
-- array (the mask too), the same rejections, and for savetxt the same
-- output bytes. Prints "N passed, N failed".
local np = require "npio"

local dir = assert(arg[1], "usage: text_diff.lua DIR")
local cases = dofile(dir .. "/cases.lua")
local passed, failed = 0, 0
local verbose = os.getenv("VERBOSE")

local function readfile(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- Python's str.splitlines(True) for \n, \r and \r\n.
local function split_lines(s)
  local t, i = {}, 1
  while i <= #s do
    local j = s:find("[\r\n]", i)
    if not j then t[#t + 1] = s:sub(i); break end
    if s:sub(j, j) == "\r" and s:sub(j + 1, j + 1) == "\n" then j = j + 1 end
    t[#t + 1] = s:sub(i, j)
    i = j + 1
  end
  return t
end

local function shape_str(a)
  return "(" .. table.concat(a.shape, ",") .. ")"
end

-- Deep equality of tolist() values, NaN equal to NaN of either sign.
local function same(x, y)
  if type(x) == "table" and type(y) == "table" then
    for k, v in pairs(x) do if not same(v, y[k]) then return false end end
    for k in pairs(y) do if x[k] == nil then return false end end
    return true
  end
  if x ~= x and y ~= y then return true end
  if x == 0 and y == 0 and math.type(x) == "float" and 1 / x ~= 1 / y then
    return false                    -- -0.0 is not 0.0
  end
  return x == y and math.type(x) == math.type(y)
end

-- nil if equal, else a description of the difference.
local function compare(got, want)
  if tostring(got.dtype) ~= tostring(want.dtype) then
    return ("dtype %s, numpy %s"):format(tostring(got.dtype), tostring(want.dtype))
  end
  if shape_str(got) ~= shape_str(want) then
    return ("shape %s, numpy %s"):format(shape_str(got), shape_str(want))
  end
  if got:tobytes() ~= want:tobytes() and
     not (want.size < 100000 and same(got:tolist(), want:tolist())) then
    return ("values differ: %s\nnumpy: %s"):format(tostring(got), tostring(want))
  end
  return nil
end

local function fail(c, i, msg)
  failed = failed + 1
  io.stderr:write(("FAIL [%d] %s %s %s: %s\n"):format(i, c.fn, c.name,
    c.path or c.npy or "", msg))
end

for i, c in ipairs(cases) do
  if c.fn == "savetxt" then
    local a = np.load(c.npy)
    local out = os.tmpname()
    local ok, err = pcall(np.savetxt, out, a, c.opts)
    if c.error then
      if ok then fail(c, i, "npio accepted what NumPy rejects: " .. c.numpy_error)
      else passed = passed + 1 end
    elseif not ok then
      fail(c, i, "npio raised: " .. tostring(err))
    else
      local got, want = readfile(out), readfile(c.expected)
      if got == want then passed = passed + 1
      else
        fail(c, i, ("output differs\nnpio:  %q\nnumpy: %q"):format(
          got:sub(1, 300), want:sub(1, 300)))
      end
    end
    os.remove(out)
  else
    local input = c.path
    if c.lines then input = split_lines(readfile(c.path)) end
    local res = table.pack(pcall(np[c.fn], input, c.opts))
    local ok = res[1]
    if c.error then
      if ok then
        fail(c, i, "npio accepted what NumPy rejects: " .. c.numpy_error)
      else
        passed = passed + 1
        if verbose then print("  rejected: " .. tostring(res[2])) end
      end
    elseif not ok then
      fail(c, i, "npio raised: " .. tostring(res[2]))
    else
      local bad
      local got = {}
      for k = 2, res.n do got[#got + 1] = res[k] end
      local mask
      if c.mask then mask = table.remove(got) end
      if #got ~= #c.results then
        bad = ("%d results, numpy %d"):format(#got, #c.results)
      else
        for k, f in ipairs(c.results) do
          local want = np.load(f)
          local g = got[k]
          if type(g) ~= "userdata" then g = np.array(g, want.dtype) end
          bad = compare(g, want)
          if bad then bad = ("result %d: %s"):format(k, bad) break end
        end
        if not bad and c.mask then
          bad = compare(mask, np.load(c.mask))
          if bad then bad = "mask: " .. bad end
        end
      end
      if bad then fail(c, i, bad) else passed = passed + 1 end
    end
  end
end

print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
