-- memmap_stats.lua -- column statistics of a float32 .npy that may be
-- larger than the memory you give the process, computed block by block
-- over a memory map and written to a small .npz.
--
--   npio scripts/memmap_stats.lua [input.npy [output.npz [rows_per_block]]]
--
-- With no input it makes a demo file (a few MB, with NaNs) in a temp folder.
-- Per column: count of non-NaN values, mean, std (population, as NumPy's
-- nanstd), min, max and the number of NaNs. Memory stays at a few blocks
-- whatever the file size: a:blocks() advises the kernel to read ahead and
-- to drop the pages of finished blocks.
local np = require "npio"

local input, output = arg and arg[1], arg and arg[2]
local rows = tonumber(arg and arg[3]) or 65536
local tmp

if not input then
  tmp = os.tmpname()
  input, output = tmp .. ".npy", tmp .. "_stats.npz"
  np.random.seed(7)
  local n, k = 100000, 6
  local m = np.open_memmap(input, {mode = "w+", dtype = "<f4", shape = {n, k}})
  for i, block in m:blocks(rows) do
    local b = np.random.randn(block.shape[1], k) * 3 + 10
    b[np.less(np.random.rand(block.shape[1], k), 0.01)] = 0 / 0   -- ~1% NaN
    block[{}] = b
  end
  m:flush()
  m:close()
end
output = output or input:gsub("%.npy$", "") .. "_stats.npz"

local a = np.load(input, {mmap_mode = "r"})
assert(a.ndim == 2, "expects a 2-D array")
local k = a.shape[2]

-- running per-column state, combined block by block (Chan et al.)
local count = np.zeros(k)              -- non-NaN values so far
local mean = np.zeros(k)
local m2 = np.zeros(k)                 -- sum of squared deviations
local mn = np.full(k, math.huge)
local mx = np.full(k, -math.huge)
local nans = np.zeros(k, "int64")

local t0 = np.clock()
for _, block in a:blocks(rows) do
  local x = block:astype("float64")
  local isnan = np.isnan(x)
  local nb = (block.shape[1] - isnan:sum(1)):astype("float64")
  nans = nans + isnan:sum(1)
  local bmean = np.where(np.greater(nb, 0), np.nansum(x, 1) / np.maximum(nb, 1), 0)
  local dev = np.where(isnan, 0, x - bmean)
  local bm2 = (dev * dev):sum(1)
  local total = count + nb
  local delta = bmean - mean
  local w = np.where(np.greater(total, 0), nb / np.maximum(total, 1), 0)
  mean = mean + delta * w
  m2 = m2 + bm2 + delta * delta * count * w
  count = total
  mn = np.fmin(mn, np.nanmin(np.where(isnan, math.huge, x), 1))
  mx = np.fmax(mx, np.nanmax(np.where(isnan, -math.huge, x), 1))
end
local std = np.sqrt(m2 / np.maximum(count, 1))

np.savez(output, {count = count:astype("int64"), mean = mean, std = std,
                  min = mn, max = mx, nan_count = nans})

print(string.format("%s: %d rows x %d columns of %s, %.1f MB in %.2f s",
                    input, a.shape[1], k, tostring(a.dtype),
                    a.nbytes / 1e6, np.clock() - t0))
print("column  count       mean        std        min        max   NaNs")
for j = 1, math.min(k, 20) do
  print(string.format("%6d %6d %10.4f %10.4f %10.4f %10.4f %6d", j, count[j],
                      mean[j], std[j], mn[j], mx[j], nans[j]))
end
print("statistics written to " .. output)
a:close()
if tmp then os.remove(input); os.remove(output); os.remove(tmp) end
