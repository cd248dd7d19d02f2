#!/usr/bin/env bash
# text_big.sh -- the big text cases (make test-big): the parser/formatter
# property test with 10 million values per kind, a 1,000,000 x 10 CSV read
# by loadtxt and genfromtxt and written by savetxt, compared with NumPy
# byte for byte, with peak memory within the targets; and a 300 MB line
# without a newline, which must be refused at max_line in bounded memory.
# Runs only with NPIO_BIG=1 (make test-big). Prints "N passed, N failed".
set -u
if [ "${NPIO_BIG:-0}" != 1 ]; then
  echo "text_big: skipped (set NPIO_BIG=1, or run make test-big)"
  echo "0 passed, 0 failed"
  exit 0
fi
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# 1. the property test at 10x the size make test uses
if [ -x build/tests/test_txt_num ]; then
  if build/tests/test_txt_num --big; then ok "property test --big"; else ko "property test --big"; fi
fi

# 2. 1M x 10: NumPy writes, npio reads; npio writes, bytes equal NumPy's
"$PY" - "$dir" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
np.random.seed(1)
a = np.random.randn(1000000, 10)
a[::20, 3] = np.nan
np.save(d + "/a.npy", a)
np.savetxt(d + "/e.csv", a, delimiter=",")
np.savetxt(d + "/g.csv", a, fmt="%.6g", delimiter=",")
np.save(d + "/g.npy", np.loadtxt(d + "/g.csv", delimiter=","))
EOF
for kind in loadtxt genfromtxt; do
  for f in e g; do
    want=$dir/a.npy
    [ "$f" = g ] && want=$dir/g.npy
    out=$( { /usr/bin/time -f "RSS %M" "$NPIO" -e "
      local x = np.$kind('$dir/$f.csv', {delimiter=','})
      np.save('$dir/got.npy', x)" ; } 2>&1 )
    rss=$(sed -nE 's/.*RSS ([0-9]+).*/\1/p' <<<"$out")
    # result 80 MB: loadtxt <= 1.5x + 64 MB, genfromtxt <= 2x + 64 MB
    if [ "$kind" = loadtxt ]; then limit=$(( (120 + 64) * 1024 )); else limit=$(( (160 + 64) * 1024 )); fi
    if cmp -s "$dir/got.npy" "$want" && [ "${rss:-0}" -le "$limit" ]; then
      ok "$kind $f.csv: same bytes as NumPy, peak RSS ${rss} KB"
    else
      ko "$kind $f.csv (peak RSS ${rss:-?} KB, limit $limit KB): $out"
    fi
  done
done
"$NPIO" -e "
  local a = np.load('$dir/a.npy')
  np.savetxt('$dir/e2.csv', a, {delimiter=','})
  np.savetxt('$dir/g2.csv', a, {fmt='%.6g', delimiter=','})"
if cmp -s "$dir/e.csv" "$dir/e2.csv"; then ok "savetxt %.18e bytes"; else ko "savetxt %.18e bytes"; fi
if cmp -s "$dir/g.csv" "$dir/g2.csv"; then ok "savetxt %.6g bytes"; else ko "savetxt %.6g bytes"; fi

# 3. a 300 MB line: refused at max_line, memory bounded
head -c 300000000 /dev/zero | tr '\0' '1' >"$dir/line.txt"
out=$( { /usr/bin/time -f "RSS %M" "$NPIO" -e "
  local ok, err = pcall(np.loadtxt, '$dir/line.txt')
  print(ok and 'accepted' or err)" ; } 2>&1 )
rss=$(sed -nE 's/.*RSS ([0-9]+).*/\1/p' <<<"$out")
if grep -q 'max_line' <<<"$out" && [ "${rss:-0}" -le $(( 320 * 1024 )) ]; then
  ok "300 MB line refused (peak RSS ${rss} KB)"
else
  ko "300 MB line: $out"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
