-- demo.lua -- the bundled example workflow (`make demo`).
-- Makes a small dataset, checkpoints it as .npy files NumPy can read,
-- loads it back, checks every byte and prints a short report.
local np = require "npio"

local dir = os.getenv("NPIO_DEMO_DIR") or os.tmpname():gsub("[^/]*$", "")
local function path(name) return dir .. "npio_demo_" .. name end

local t0 = np.clock()

-- 1. compute: a feature matrix and labels
local n, k = 1000, 8
local x = np.arange(n * k, "float64"):reshape(n, k)
x[{{}, 1}] = 1.0                          -- a bias column
local labels = np.arange(n, "int32")
local big_endian = labels:astype(">i4")   -- as a big-endian instrument would write

-- 2. save: one array per file, atomically
np.save(path("features"), x)
np.save(path("labels"), labels)
np.save(path("labels_be"), big_endian)
np.save(path("features_f"), x.T)          -- Fortran order, saved without a copy

-- 3. load and check
local x2 = np.load(path("features.npy"))
local l2 = np.load(path("labels.npy"))
local b2 = np.load(path("labels_be.npy"))
local f2 = np.load(path("features_f.npy"))
assert(np.array_equal(x, x2), "features differ after a round trip")
assert(np.array_equal(labels, l2), "labels differ after a round trip")
assert(np.array_equal(labels, b2), "big-endian labels differ")
assert(tostring(b2.dtype) == ">i4", "byte order was not preserved")
assert(f2.flags.f_contiguous and np.array_equal(f2, x.T), "Fortran order lost")

-- 4. grow a checkpoint in place: append rows (data first, header last)
np.save(path("log"), np.zeros({0, k}))
for i = 1, 3 do
  np.save(path("log"), x[{{i, i}}], {append = true})
end
local log = np.load(path("log.npy"))
assert(log.shape[1] == 3 and log[{3, 2}] == x[{3, 2}], "append failed")

for _, f in ipairs({"features", "labels", "labels_be", "features_f", "log"}) do
  os.remove(path(f .. ".npy"))
end

print(string.format("npio %s demo: %d x %d float64 features, %d labels",
                    np.__version__, n, k, #labels))
print(string.format("  saved and reloaded 4 .npy files (C, Fortran, big-endian) "
                    .. "and appended 3 rows: all equal"))
print(string.format("  first row: %s", table.concat(x[1]:tolist(), " ")))
print(string.format("  took %.1f ms", (np.clock() - t0) * 1000))
