-- seed_exercises.lua -- exercises 2 to 5 of the seed chapter (Array I/O:
-- save, load, savez), in Lua. Each checks its results and raises on a
-- mismatch.
local np = require "npio"

local function size(p)
  local f = assert(io.open(p, "rb"))
  local n = f:seek("end")
  f:close()
  return n
end

-- Exercise 2: three arrays with custom names, loaded with a scope-closed
-- handle, each compared with the original.
do
  local x = np.arange(10)
  local y = np.linspace(0, 1, 10)
  local z = np.eye(3)
  np.savez("test_arrays.npz", {x_data = x, y_data = y, z_data = z})
  local data <close> = np.load("test_arrays.npz")
  print("Stored arrays: " .. table.concat(data.files, ", "))
  print("x match: " .. tostring(np.array_equal(data.x_data, x)))
  print("y match: " .. tostring(np.allclose(data.y_data, y)))
  print("z match: " .. tostring(np.array_equal(data.z_data, z)))
  assert(np.array_equal(data.x_data, x) and np.allclose(data.y_data, y) and
         np.array_equal(data.z_data, z), "exercise 2")
  os.remove("test_arrays.npz")
end

-- Exercise 3: savez vs savez_compressed of randn(1000, 1000).
do
  local a = np.random.randn(1000, 1000)
  np.savez("uncompressed.npz", {data = a})
  np.savez_compressed("compressed.npz", {data = a})
  local su, sc = size("uncompressed.npz"), size("compressed.npz")
  print(string.format("Uncompressed: %.2f MB", su / 1e6))
  print(string.format("Compressed:   %.2f MB", sc / 1e6))
  print(string.format("Compression ratio: %.2fx", su / sc))
  assert(su / sc > 1.0 and su / sc < 1.2, "randn compresses by a few percent")
  os.remove("uncompressed.npz")
  os.remove("compressed.npz")
end

-- Exercise 4: checkpoint at epoch 3, resume, continue to epoch 5.
do
  local function save_checkpoint(path, epoch, weights, loss_history)
    np.savez(path, {epoch = np.array(epoch), weights = weights,
                    loss_history = np.array(loss_history)})
  end
  local function load_checkpoint(path)
    local data <close> = np.load(path)
    return {epoch = data.epoch:tolist(), weights = data.weights,
            loss_history = data.loss_history:tolist()}
  end
  local weights = np.random.randn(10, 5)
  local loss_history = {}
  local at3
  for epoch = 1, 5 do
    loss_history[#loss_history + 1] = 1.0 / epoch
    weights = weights * 0.99
    if epoch == 3 then
      save_checkpoint("ckpt.npz", epoch, weights, loss_history)
      at3 = weights
      print("Checkpoint saved at epoch " .. epoch)
    end
  end
  local ck = load_checkpoint("ckpt.npz")
  print("Resumed from epoch " .. ck.epoch)
  print("Weights shape: " .. table.concat(ck.weights.shape, "x"))
  assert(ck.epoch == 3 and #ck.loss_history == 3, "checkpoint contents")
  assert(np.array_equal(ck.weights, at3), "checkpoint weights")
  local w = ck.weights
  for epoch = ck.epoch + 1, 5 do
    w = w * 0.99
    ck.loss_history[#ck.loss_history + 1] = 1.0 / epoch
  end
  print("Final loss history: " .. table.concat(ck.loss_history, ", "))
  -- continuity: resuming gives what uninterrupted training gave
  assert(np.allclose(w, weights), "resumed training diverged")
  assert(#ck.loss_history == 5 and ck.loss_history[5] == 0.2)
  os.remove("ckpt.npz")
end

-- Exercise 5: load times of .npy, .csv (when the text functions are in
-- this build) and compressed .npz.
do
  local arr = np.random.randn(1000000)
  np.save("bench.npy", arr)
  np.savez_compressed("bench.npz", {data = arr})
  local rows = {}
  local t = np.clock()
  local a1 = np.load("bench.npy")
  rows[#rows + 1] = {"NPY", np.clock() - t, size("bench.npy")}
  if np.savetxt and np.loadtxt then
    np.savetxt("bench.csv", arr)
    t = np.clock()
    local a2 = np.loadtxt("bench.csv")
    rows[#rows + 1] = {"CSV", np.clock() - t, size("bench.csv")}
    assert(np.array_equal(a2, arr), "csv round trip")
  end
  t = np.clock()
  local a3
  do
    local f <close> = np.load("bench.npz")
    a3 = f.data
  end
  rows[#rows + 1] = {"NPZ (comp)", np.clock() - t, size("bench.npz")}
  assert(np.array_equal(a1, arr) and np.array_equal(a3, arr), "loads differ")
  print(string.format("%-12s %12s %10s", "Format", "Load time", "Size (MB)"))
  for _, r in ipairs(rows) do
    print(string.format("%-12s %11.4fs %10.2f", r[1], r[2], r[3] / 1e6))
  end
  for _, f in ipairs({"bench.npy", "bench.csv", "bench.npz"}) do os.remove(f) end
  -- Binary is fastest: its bytes are the array's memory, no parsing.
  -- CSV still has its place for other tools and for people reading it.
end
print("seed_exercises: ok")
