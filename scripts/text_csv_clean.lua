-- text_csv_clean.lua -- a small preprocessing job: read a CSV with a
-- header and missing values, fill and normalise the numeric columns,
-- and write the result as CSV (for tools) and as .npz (for NumPy).
--
--   npio scripts/text_csv_clean.lua [input.csv [output_prefix]]
--
-- With no input it writes a demo CSV into a temp folder first.
local np = require "npio"

local input, prefix = arg[1], arg[2]
if not input then
  local dir = os.tmpname():gsub("[^/]*$", "")
  input = dir .. "npio_demo_sensors.csv"
  prefix = prefix or dir .. "npio_demo_sensors_clean"
  local f = assert(io.open(input, "w"))
  f:write("station,temp,humidity,wind\n")
  for i = 1, 500 do
    local t = (i % 37 == 0) and "" or string.format("%.2f", 15 + 10 * math.sin(i / 20))
    local h = (i % 53 == 0) and "N/A" or string.format("%.1f", 40 + (i % 30))
    f:write(string.format("S%03d,%s,%s,%.3f\n", i % 7, t, h, (i % 11) / 3))
  end
  f:close()
end
prefix = prefix or input:gsub("%.csv$", "") .. "_clean"

-- 1. read: names from the header, "N/A" and empty fields are missing
local data, mask = np.genfromtxt(input, {
  delimiter = ",", names = true, dtype = false, encoding = "utf-8",
  missing_values = "N/A", usemask = true,
})
print(("read %d rows: %s"):format(#data, tostring(data.dtype)))

-- 2. fill each numeric column with its mean and standardise it
local cols = {}
for _, name in ipairs({"temp", "humidity", "wind"}) do
  local x = data:field(name):astype("float64")
  local m = mask:field(name)
  local n, sum = 0, 0.0
  for i = 1, #x do
    if not m[i] then n = n + 1; sum = sum + x[i] end
  end
  local mean = sum / n
  for i = 1, #x do if m[i] then x[i] = mean end end
  local sd = x:std()
  cols[#cols + 1] = (x - mean) / sd
  print(("%-9s %3d missing, mean %8.3f, sd %7.3f"):format(name, #x - n, mean, sd))
end
local out = np.stack(cols, 2)

-- 3. write: CSV with a header, and an archive NumPy reads
np.savetxt(prefix .. ".csv", out, {fmt = "%.6g", delimiter = ",",
                                   header = "temp,humidity,wind", comments = ""})
np.savez(prefix .. ".npz", {features = out})
local back = np.loadtxt(prefix .. ".csv", {delimiter = ",", skiprows = 1})
assert(back.shape[1] == out.shape[1] and back.shape[2] == 3)
print(("wrote %s.csv and %s.npz (%d x %d)"):format(prefix, prefix,
      out.shape[1], out.shape[2]))
