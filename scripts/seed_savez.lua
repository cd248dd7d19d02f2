-- seed_savez.lua -- the "np.savez() -- Save Multiple Arrays" and "Loading
-- .npz Files" sections of the seed chapter (Array I/O: save, load, savez),
-- in Lua. Checks every result and raises on a mismatch.
local np = require "npio"

local x = np.array({1, 2, 3})
local y = np.array({4, 5, 6})
local z = np.array({{1, 2}, {3, 4}})

-- automatic names: arr_0, arr_1, arr_2
np.savez("arrays.npz", {x, y, z})
do
  local data <close> = np.load("arrays.npz")
  assert(table.concat(data.files, ",") == "arr_0,arr_1,arr_2", "positional names")
  assert(np.array_equal(data.arr_2, z), "arr_2 differs")
end

-- custom names (recommended): Lua tables keep no order, so npio writes
-- named arrays sorted by name
np.savez("arrays.npz", {x_data = x, y_data = y, matrix = z})

-- np.load returns an NpzFile (dict-like)
local data = np.load("arrays.npz")
print(data.x_data)                      -- array([1, 2, 3])
print(data.y_data)                      -- array([4, 5, 6])
print(data.matrix)                      -- array([[1, 2], [3, 4]])
assert(np.array_equal(data.x_data, x) and np.array_equal(data.y_data, y))
assert(np.array_equal(data.matrix, z), "matrix differs")
print(table.concat(data.files, ", "))   -- matrix, x_data, y_data
assert(table.concat(data.files, ",") == "matrix,x_data,y_data", "files")
data:close()                            -- close when done

-- or let the scope close it (Python's "with")
do
  local d <close> = np.load("arrays.npz")
  local s = d.x_data + d.y_data
  print(s)                              -- array([5, 7, 9])
  assert(np.array_equal(s, np.array({5, 7, 9})), "x + y")
end
print("seed_savez: ok")
