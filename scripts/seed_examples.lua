-- seed_examples.lua -- the chapter's practical examples with .npz: model
-- weights, training checkpoints, preprocessed data, and checkpointing at
-- intervals instead of every epoch. Each result is checked.
local np = require "npio"

-- {== Save Model Weights
local weights = {
  layer1 = np.random.randn(784, 256),
  layer2 = np.random.randn(256, 128),
  layer3 = np.random.randn(128, 10),
  biases1 = np.zeros(256),
  biases2 = np.zeros(128),
  biases3 = np.zeros(10),
}
np.savez_compressed("model_weights.npz", weights)
do
  local data <close> = np.load("model_weights.npz")
  local w1, b1 = data.layer1, data.biases1
  assert(np.array_equal(w1, weights.layer1) and np.array_equal(b1, weights.biases1))
  assert(#data.files == 6, "six arrays")
end
-- }==

-- {== Checkpoint Training Progress
local function save_checkpoint(epoch, w, optimizer_state, loss_history)
  np.savez(string.format("checkpoint_epoch_%d.npz", epoch), {
    weights = w,
    optimizer_state = optimizer_state,
    loss_history = np.array(loss_history),
    epoch = np.array(epoch),
  })
end

local function load_checkpoint(filename)
  local data <close> = np.load(filename)
  return {
    weights = data.weights,
    optimizer_state = data.optimizer_state,
    loss_history = data.loss_history:tolist(),
    epoch = data.epoch:tolist(),           -- a 0-d array gives a Lua value
  }
end

local w = np.random.randn(10, 5)
save_checkpoint(7, w, np.ones(5), {0.9, 0.5, 0.25})
local ck = load_checkpoint("checkpoint_epoch_7.npz")
assert(ck.epoch == 7 and #ck.loss_history == 3 and ck.loss_history[3] == 0.25)
assert(np.array_equal(ck.weights, w), "weights differ")
-- }==

-- {== Save Preprocessed Data
local function preprocess_and_save(raw, output_path)
  local mean = raw:mean(1)                 -- axis=1 is NumPy's axis=0
  local std = raw:std(1)
  local normalized = (raw - mean) / std
  np.savez(output_path, {data = normalized, mean = mean, std = std})
end
-- the chapter reads raw data with np.loadtxt; a generated matrix stands in
local raw = np.random.rand(100, 4) * 10 + 5
preprocess_and_save(raw, "preprocessed.npz")
do
  local f <close> = np.load("preprocessed.npz")
  local data, mean, std = f.data, f.mean, f.std
  assert(np.allclose(data * std + mean, raw), "normalisation does not invert")
  assert(np.allclose(data:mean(1), np.zeros(4), {atol = 1e-12}), "column means")
end
-- }==

-- {== Checkpoint every 100 epochs, not every epoch
local wts = np.random.randn(4, 4)
local saved = 0
for epoch = 0, 999 do
  wts = wts * 0.999                        -- "train_one_epoch"
  if epoch % 100 == 0 then
    np.savez(string.format("checkpoint_%d.npz", epoch), {weights = wts, epoch = epoch})
    saved = saved + 1
  end
end
assert(saved == 10, "ten checkpoints")
do
  local last <close> = np.load("checkpoint_900.npz")
  assert(last.epoch:tolist() == 900)
end
-- }==
print("seed_examples: ok")
