-- random_spec.lua -- np.random: seeding, sizes, 1-based indices, state
-- save/restore and errors. Values are NumPy's own after np.random.seed(0)
-- (tests/interop/random_streams.sh compares 10,000 values per generator).
local np = require "npio"
local H = dofile("tests/spec/helpers.lua")

describe("np.random", function()
  it("reproduces NumPy's legacy stream after seed(0)", function()
    np.random.seed(0)
    assert.equal(0.5488135039273248, np.random.rand())
    np.random.seed(0)
    assert.equal(1.764052345967664, np.random.randn())
    np.random.seed(0)
    assert.same({5, 0, 3, 3, 7}, np.random.randint(0, 10, 5):tolist())
  end)

  it("gives shapes from sizes and Lua values without one", function()
    assert.same({2, 3}, np.random.rand(2, 3).shape)
    assert.same({4}, np.random.random(4).shape)
    assert.same({2, 2}, np.random.normal(0, 1, {2, 2}).shape)
    assert.equal("number", type(np.random.uniform()))
    assert.equal("integer", math.type(np.random.randint(5)))
    assert.equal("int8", tostring(np.random.randint(0, 5, 3, "int8").dtype))
  end)

  it("returns 1-based indices from permutation and choice(n)", function()
    np.random.seed(1)
    local p = np.random.permutation(10):tolist()
    table.sort(p)
    assert.same({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, p)
    for _ = 1, 50 do
      local c = np.random.choice(3)
      assert.is_true(c >= 1 and c <= 3)
    end
    local v = np.random.choice(np.array({10, 20, 30}), 5)
    for _, x in ipairs(v:tolist()) do assert.is_true(x % 10 == 0) end
  end)

  it("shuffles in place and restores a saved state", function()
    local a = np.arange(20)
    np.random.shuffle(a)
    assert.equal(190, a:sum())
    local st = np.random.get_state()
    local x = np.random.randn(5):tolist()
    np.random.set_state(st)
    assert.same(x, np.random.randn(5):tolist())
  end)

  it("refuses bad arguments as NumPy does", function()
    H.checkerror("Seed must be between 0 and 2**32 - 1",
                 function() np.random.seed(-1) end)
    H.checkerror("Seed must be between 0 and 2**32 - 1",
                 function() np.random.seed(2^32 // 1) end)
    H.checkerror("low >= high", function() np.random.randint(5, 5) end)
    H.checkerror("high is out of bounds for int8",
                 function() np.random.randint(0, 300, 2, "int8") end)
    H.checkerror("scale < 0", function() np.random.normal(0, -1) end)
    H.checkerror("probabilities do not sum to 1",
                 function() np.random.choice(3, 2, {p = {0.5, 0.2, 0.2}}) end)
    H.checkerror("Cannot take a larger sample than population",
                 function() np.random.choice(3, 5, {replace = false}) end)
  end)
end)
