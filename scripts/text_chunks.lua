-- text_chunks.lua -- reading a large CSV in chunks from one file handle
-- (each np.loadtxt call with max_rows continues where the last stopped),
-- keeping running column sums, then writing a summary with savetxt.
--
--   npio scripts/text_chunks.lua [input.csv [rows_per_chunk]]
--
-- With no input it writes a demo CSV (20,000 x 4) into a temp folder.
local np = require "npio"

local input, chunk = arg[1], tonumber(arg[2]) or 5000
if not input then
  input = os.tmpname():gsub("[^/]*$", "") .. "npio_demo_chunks.csv"
  np.random.seed(42)
  local x = np.random.randn(20000, 4)
  np.savetxt(input, x, {delimiter = ",", fmt = "%.6g", header = "a,b,c,d"})
end

local f = assert(io.open(input))
f:read("l")                                   -- the header line
local n, sums, chunks = 0, nil, 0
while true do
  local part = np.loadtxt(f, {delimiter = ",", max_rows = chunk, ndmin = 2})
  if part.shape[1] == 0 then break end
  local s = part:sum(1)                       -- column sums of this chunk
  sums = sums and sums + s or s
  n = n + part.shape[1]
  chunks = chunks + 1
end
f:close()

local means = sums / n
print(("%d rows in %d chunks; column means:"):format(n, chunks))
print(means)
local out = input:gsub("%.csv$", "") .. "_means.txt"
np.savetxt(out, means:reshape(1, -1), {fmt = "%.8f", delimiter = "\t",
                                       header = ("rows=%d"):format(n)})
io.write(io.open(out):read("a"))
