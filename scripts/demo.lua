-- demo.lua -- the bundled example workflow (`make demo`): preprocess a CSV
-- and checkpoint a (toy) training run, resuming from the checkpoint.
--   1. make a raw CSV with missing values (np.savetxt)
--   2. load it (np.loadtxt), normalise per column, fill NaNs with 0
--   3. save the prepared data and its statistics (np.savez)
--   4. "train" for 3 epochs, checkpoint atomically (np.savez), stop
--   5. resume from the checkpoint, train to epoch 5, check continuity
--   6. keep a growing .npy log of losses (np.save{append=true})
-- Every step checks its result and raises on a mismatch.
local np = require "npio"

local dir = os.getenv("NPIO_DEMO_DIR") or os.tmpname():gsub("[^/]*$", "")
local function path(name) return dir .. "npio_demo_" .. name end
local t0 = np.clock()

-- 1. raw data: 1000 rows x 8 columns, 2% missing, written as CSV
np.random.seed(42)
local n, k = 1000, 8
local raw = np.random.randn(n, k) * np.arange(1, k + 1) + 10
raw[np.less(np.random.rand(n, k), 0.02)] = 0 / 0
np.savetxt(path("raw.csv"), raw, {delimiter = ",", fmt = "%.6f",
                                  header = "eight features"})

-- 2. preprocess: normalise with NaN-aware statistics, then fill the NaNs
local data = np.loadtxt(path("raw.csv"), {delimiter = ","})
assert(data.shape[1] == n and data.shape[2] == k, "loadtxt shape")
local missing = np.isnan(data):sum()
local mean, std = np.nanmean(data, 1), np.nanstd(data, 1)   -- axis 1 = rows
local norm = (data - mean) / std
norm = np.where(np.isnan(norm), 0, norm)
assert(math.abs(np.mean(norm)) < 1e-2, "normalised mean")

-- 3. the prepared dataset
np.savez(path("prep.npz"), {data = norm, mean = mean, std = std})

-- 4. toy training: w <- w - lr * grad of a least-squares fit
local target = norm:sum(2) / k
local function train(state, epochs)
  for _ = 1, epochs do
    local pred = np.dot(norm, state.w)
    local err = pred - target
    state.w = state.w - np.dot(norm.T, err) * (0.5 / n)
    state.epoch = state.epoch + 1
    state.losses[#state.losses + 1] = np.mean(err * err)
  end
end
local function save_checkpoint(p, s)
  np.savez(p, {w = s.w, epoch = np.array(s.epoch),
               losses = np.array(s.losses)}, {durable = true})
end
local function load_checkpoint(p)
  local z <close> = np.load(p)
  return {w = z.w, epoch = z.epoch:item(), losses = z.losses:tolist()}
end

local run = {w = np.zeros(k), epoch = 0, losses = {}}
train(run, 3)
save_checkpoint(path("ckpt.npz"), run)

-- 5. resume in a "new process" from the checkpoint, and compare with an
-- uninterrupted run
local resumed = load_checkpoint(path("ckpt.npz"))
assert(resumed.epoch == 3 and np.array_equal(resumed.w, run.w), "checkpoint")
train(resumed, 2)
local straight = {w = np.zeros(k), epoch = 0, losses = {}}
train(straight, 5)
assert(np.array_equal(resumed.w, straight.w), "resume is not continuous")
assert(resumed.losses[5] < resumed.losses[1], "loss did not decrease")

-- 6. an append-only loss log: data first, header last, crash-safe
np.save(path("losses.npy"), np.zeros(0))
for _, l in ipairs(resumed.losses) do
  np.save(path("losses.npy"), np.array({l}), {append = true})
end
local log = np.load(path("losses.npy"))
assert(np.array_equal(log, np.array(resumed.losses)), "loss log")

-- the checkpoint and the prepared data as NumPy would list them
local info = np.info(path("ckpt.npz"))
local z <close> = np.load(path("prep.npz"))
print(string.format("npio %s demo", np.__version__))
print(string.format("  raw.csv: %d x %d, %d missing values filled after "
                    .. "normalising", n, k, missing))
print(string.format("  prep.npz: %s (%s), mean[1] = %.4f, std[1] = %.4f",
                    table.concat(z.files, ", "), tostring(z.data.dtype),
                    mean[1], std[1]))
print(string.format("  checkpoint at epoch 3 (%d members), resumed to epoch %d: "
                    .. "identical to an uninterrupted run", #info, resumed.epoch))
print(string.format("  loss %.5f -> %.5f, logged to an appendable .npy",
                    resumed.losses[1], resumed.losses[5]))
for _, f in ipairs({"raw.csv", "prep.npz", "ckpt.npz", "losses.npy"}) do
  os.remove(path(f))
end
print(string.format("  took %.1f ms", (np.clock() - t0) * 1000))
