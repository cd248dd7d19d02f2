-- The npio side of random_streams.sh: the same calls as random_gen.py,
-- after np.random.seed(seed), saved as DIR/lua_<seed>_<k>.npy.
local np = require "npio"
local D = assert(arg[1], "usage: random_streams.lua DIR")
local N = 10000
local r = np.random
local P7 = {0.1, 0.2, 0.05, 0.3, 0.15, 0.1, 0.1}
local P50 = np.arange(1, 51) / (50 * 51 / 2)

local function shuffled(a) r.shuffle(a); return a end

local gens = {
  function() return r.rand(N) end,
  function() return r.randn(N) end,
  function() return r.random(N) end,
  function() return r.uniform(-2, 3, N) end,
  function() return r.normal(1.5, 2.0, N) end,
  function() return r.randint(0, 10, N) end,
  function() return r.randint(-1000, 2^40 // 1, N) end,
  function() return r.randint(0, 2^32 // 1, N) end,
  function() return r.randint(-5, 100, N, "int8") end,
  function() return r.randint(0, 60000, N, "uint16") end,
  function() return r.randint(0, 2, N, "bool") end,
  function() return r.randint(-10^6 // 1, 10^6 // 1, N, "int32") end,
  function() return r.choice(1000, N) end,
  function() return r.choice(np.arange(7) * 1.5, N, {p = P7}) end,
  function() return r.choice(N, 5000, {replace = false}) end,
  function() return r.choice(50, 20, {replace = false, p = P50}) end,
  function() return r.permutation(N) end,
  function() return shuffled(np.arange(N)) end,
  function() return shuffled(np.arange(3000):reshape({1000, 3})) end,
  function() return r.permutation(np.arange(N) * 2.5) end,
  function()
    local parts = {r.randn(3), r.rand(3), r.randn(5), {r.randn()}, r.rand(2),
                   {r.normal()}, {r.randint(0, 100) + 0.0}, r.randn(7)}
    return np.concatenate(parts)
  end,
  function()
    local t = {}
    for i = 1, 50 do t[i] = r.randint(0, 100) + 0.0 end
    for i = 51, 100 do t[i] = r.rand() end
    return np.array(t)
  end,
}

for _, seed in ipairs({0, 1, 42, 0xffffffff}) do
  for k, f in ipairs(gens) do
    r.seed(seed)
    local ok, v = pcall(f)
    if ok then
      np.save(string.format("%s/lua_%d_%d.npy", D, seed, k - 1), v)
    else
      io.stderr:write(string.format("seed %d gen %d: %s\n", seed, k - 1, v))
    end
  end
end
