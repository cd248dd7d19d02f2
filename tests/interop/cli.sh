#!/usr/bin/env bash
# cli.sh -- the npio command: options, arg table, exit codes (0/1/2),
# error reports, the sandbox, --mem, --timeout, SIGINT, the REPL (on a
# pseudo-terminal driven by /usr/bin/python3's pty module) and `npio info`
# (checked against NumPy).
#
#   bash tests/interop/cli.sh                    (./npio)
#   NPIO=./build-san/npio bash tests/interop/cli.sh
#
# Prints one line per failure and "N passed, N failed"; exits 1 when
# anything failed. Every run is bounded by `timeout` so a hang fails.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
root=$(cd "$(dirname "$0")/../.." && pwd)
case $NPIO in /*) ;; *) NPIO="$PWD/$NPIO" ;; esac

if [ ! -x "$NPIO" ]; then
  echo "cli: $NPIO not built"; echo "0 passed, 1 failed"; exit 1
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/box" "$T/home" "$T/outside"
export HOME="$T/home" TERM=dumb
unset NPIO_HISTORY LUA_INIT LUA_INIT_5_4
VERSION=$(sed -n 's/^#define NPIO_VERSION "\(.*\)"/\1/p' "$root/runtime/include/npio.h")

pass=0 fail=0
IN=/dev/null

# run CMD...: runs it (bounded) with stdin from $IN; sets RC, $T/out, $T/err
run() {
  timeout 60 "$@" <"$IN" >"$T/out" 2>"$T/err"
  RC=$?
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/err"; then
    fail=$((fail + 1))
    echo "FAIL sanitizer report running: $*"
    grep -E 'ERROR: |runtime error:|SUMMARY' "$T/err" | head -n 5
  fi
}

# runin DIR CMD...: run, from folder DIR
runin() {
  local d=$1; shift
  cd "$d" && run "$@"; cd "$T"
}

report_fail() {
  fail=$((fail + 1))
  echo "FAIL $1: $2"
  echo "  stdout: $(head -c 400 "$T/out")"
  echo "  stderr: $(head -c 600 "$T/err")"
}

# check NAME RC [STDOUT-TEXT [STDERR-TEXT]]: exit status and plain-text
# substrings (one line each) of the last run
check() {
  local name=$1 want=$2 o=${3-} e=${4-} why=""
  [ "$RC" = "$want" ] || why="exit status $RC, expected $want"
  if [ -n "$o" ] && ! grep -qF -- "$o" "$T/out"; then why="$why; stdout lacks '$o'"; fi
  if [ -n "$e" ] && ! grep -qF -- "$e" "$T/err"; then why="$why; stderr lacks '$e'"; fi
  if [ -z "$why" ]; then pass=$((pass + 1)); else report_fail "$name" "$why"; fi
}

# same NAME EXPECTED: the last run's stdout equals EXPECTED exactly
same() {
  if [ "$(cat "$T/out")" == "$2" ]; then pass=$((pass + 1))
  else report_fail "$1" "stdout differs from: $(printf '%q' "$2")"; fi
}

# nostderr NAME: the last run wrote nothing on stderr
nostderr() {
  if [ ! -s "$T/err" ]; then pass=$((pass + 1))
  else report_fail "$1" "unexpected stderr"; fi
}

cd "$T"

# ---------------------------------------------------------------- options
run "$NPIO" -v
check "-v" 0 "npio $VERSION" ""
check "-v names Lua" 0 "Lua 5.4"
run "$NPIO" --version
check "--version" 0 "npio $VERSION"
run "$NPIO" -h
check "-h" 0 "usage: npio"
nostderr "-h quiet"
run "$NPIO" --help
check "--help" 0 "--sandbox"
run "$NPIO" -x
check "unknown option" 2 "" "unrecognized option '-x'"
run "$NPIO" -vx
check "bad -v" 2 "" "unrecognized option"
run "$NPIO" --bogus
check "unknown long option" 2 "" "unrecognized option '--bogus'"
run "$NPIO" -e
check "-e without argument" 2 "" "'-e' needs an argument"
run "$NPIO" -l
check "-l without argument" 2 "" "'-l' needs an argument"
run "$NPIO" -l -e
check "-l with an option as argument" 2
run "$NPIO" --mem
check "--mem without argument" 2 "" "needs an argument"
run "$NPIO" --mem lots -e 'print(1)'
check "--mem bad value" 2 "" "bad --mem value"
run "$NPIO" --mem 0 -e 'print(1)'
check "--mem zero" 2
run "$NPIO" --timeout -1 -e 'print(1)'
check "--timeout negative" 2 "" "bad --timeout value"
run "$NPIO" --timeout
check "--timeout without argument" 2
run "$NPIO" --sandbox=yes -e 'print(1)'
check "--sandbox takes no value" 2
run "$NPIO" --mem=64M --timeout=30 -e 'print("ok")'
check "--opt=value forms" 0 "ok"

# -e and -l in order, and the np global
run "$NPIO" -e 'x = 20' -e 'print(x + 22)'
same "-e in order" "42"
run "$NPIO" -e'print(7)'
same "-e joined" "7"
run "$NPIO" -e 'print(type(np), require("npio") == np, np.__version__)'
same "np global and require" "table	true	$VERSION"
cat > "$T/mymod.lua" <<'EOF'
return { answer = 42, name = ... }
EOF
run "$NPIO" -l mymod -e 'print(mymod.answer, mymod.name)'
same "-l mod" "42	mymod"
run "$NPIO" -l m=mymod -e 'print(m.answer, mymod)'
same "-l g=mod" "42	nil"
run "$NPIO" -l no_such_module_xyz
check "-l missing module" 1 "" "module 'no_such_module_xyz' not found"
run "$NPIO" -W -e 'warn("hello")'
check "-W turns warnings on" 0 "" "Lua warning: hello"
run "$NPIO" -e 'warn("hello")'
nostderr "warnings off by default"

# ------------------------------------------------------------- arg table
cat > "$T/args.lua" <<'EOF'
print(#arg, arg[0], arg[1], arg[2], arg[-1], select("#", ...), ...)
EOF
run "$NPIO" args.lua one two
same "arg table" "2	args.lua	one	two	$NPIO	2	one	two"
run "$NPIO" -e 'y=1' args.lua a
same "arg with options" "1	args.lua	a	nil	y=1	1	a"
run "$NPIO" -- args.lua -x
same "-- ends options" "1	args.lua	-x	nil	--	1	-x"
run "$NPIO" args.lua -e 'not an option'
same "options after the script are its arguments" "2	args.lua	-e	not an option	$NPIO	2	-e	not an option"

# ----------------------------------------------------------------- stdin
IN="$T/args.lua" run "$NPIO" - a b
same "- runs stdin with args" "2	-	a	b	$NPIO	2	a	b"
printf 'print(6 * 7)\n' > "$T/in.lua"
IN="$T/in.lua" run "$NPIO"
same "piped stdin runs as a script" "42"
printf 'print(y * 2)\n' > "$T/in2.lua"
IN="$T/in2.lua" run "$NPIO" -e 'y = 21' -i
check "-i after -e reads stdin as a REPL" 0 "42"
check "-i prints the version" 0 "npio $VERSION"
printf '1 + 1\nreturn 3, 4\n=5\nfor i = 1, 2 do\nprint("i", i)\nend\nerror("oops")\nprint("after")\n{1, "a", k = true, t = {2}}\n' > "$T/repl.txt"
IN="$T/repl.txt" run "$NPIO" -i
check "REPL prints expressions" 0 "> 2"
check "REPL prints several values" 0 "3	4"
check "REPL =expr" 0 "5"
check "REPL multi-line" 0 "i	2"
check "REPL goes on after an error" 0 "after" "oops"
check "REPL shows a table's members" 0 '{1, "a", k = true, t = {2}}'

# -------------------------------------------------------- errors, status
cat > "$T/boom.lua" <<'EOF'
local function inner() error("boom here") end
local function outer() inner() end
outer()
EOF
run "$NPIO" boom.lua
check "script error status" 1 "" "npio: boom.lua:1: boom here"
check "script error traceback" 1 "" "stack traceback:"
check "traceback names the function" 1 "" "'inner'"
printf 'x = = 1\n' > "$T/syntax.lua"
run "$NPIO" syntax.lua
check "syntax error" 1 "" "syntax.lua:1:"
run "$NPIO" no_such_script.lua
check "missing script" 1 "" "cannot open no_such_script.lua"
run "$NPIO" -e 'error({})'
check "non-string error" 1 "" "(error object is a table value)"
run "$NPIO" -e 'error(setmetatable({}, {__tostring = function() return "custom" end}))'
check "error with __tostring" 1 "" "custom"
run "$NPIO" -e 'os.exit(3)'
check "os.exit status" 3
run "$NPIO" -e 'print(1)' -e 'error("second")' -e 'print("never")'
check "stops at the first failing -e" 1 "1" "second"
if grep -q never "$T/out"; then report_fail "-e after error" "ran on"; else pass=$((pass + 1)); fi

# ---------------------------------------------------------------- SIGINT
cat > "$T/spin.lua" <<'EOF'
io.stdout:write("ready\n") io.stdout:flush()
while true do end
EOF
# (no `timeout` wrapper here: it would send SIGINT to the whole group a
# second time; a watcher kills the process if it hangs)
: >"$T/out"
"$NPIO" spin.lua >"$T/out" 2>"$T/err" </dev/null &
p=$!
( sleep 30; kill -KILL $p 2>/dev/null ) &
w=$!
for _ in $(seq 400); do grep -q ready "$T/out" 2>/dev/null && break; sleep 0.05; done
kill -INT $p
wait $p
echo $? >"$T/rc"
kill $w 2>/dev/null; wait $w 2>/dev/null
RC=$(cat "$T/rc")
check "SIGINT interrupts" 1 "" "interrupted!"

# --------------------------------------------------------------- sandbox
B="$T/box"
SB=("$NPIO" --sandbox --root "$B")
run "${SB[@]}" -e 'print(os.execute, io.popen, os.exit, os.remove, os.rename, os.tmpname, os.getenv)'
same "sandbox: no os.execute/exit/remove/..." "nil	nil	nil	nil	nil	nil	nil"
run "${SB[@]}" -e 'print(debug, string.dump, ("").dump, dofile, loadfile, package.loadlib, package.cpath, io.tmpfile)'
same "sandbox: no debug/dump/dofile/loadlib" "nil	nil	nil	nil	nil	nil	nil	nil"
run "${SB[@]}" -e 'print(getmetatable(""))'
same "sandbox: string metatable hidden" "false"
run "${SB[@]}" -e 'print(type(print), type(pcall), type(string.format), type(table.sort), type(math.sqrt), type(utf8.char), type(coroutine.wrap), type(os.clock), type(io.write), type(np.zeros))'
same "sandbox: the allowed set" "function	function	function	function	function	function	function	function	function	function"
run "${SB[@]}" -e 'print(io.open("/etc/passwd"))'
check "sandbox: io.open outside the root" 0 "outside the sandbox root"
run "${SB[@]}" -e 'io.lines("/etc/passwd")'
check "sandbox: io.lines outside the root" 1 "" "outside the sandbox root"
runin "$B" "${SB[@]}" -e 'print(io.open("../outside/new.txt", "w"))'
check "sandbox: new file outside via .." 0 "outside the sandbox root"
if [ -e "$T/outside/new.txt" ]; then report_fail "sandbox: created outside" "file exists"; else pass=$((pass + 1)); fi
ln -s /etc/passwd "$B/link"
ln -s "$T/outside/target.txt" "$B/dangling"
runin "$B" "$NPIO" --sandbox -e 'print(io.open("link"))'
check "sandbox: symlink to outside" 0 "outside the sandbox root"
runin "$B" "$NPIO" --sandbox -e 'print(io.open("dangling", "w"))'
check "sandbox: dangling symlink refused" 0 "symbolic link"
if [ -e "$T/outside/target.txt" ]; then report_fail "sandbox: wrote through link" "file exists"; else pass=$((pass + 1)); fi
runin "$B" "$NPIO" --sandbox -e 'local f = assert(io.open("ok.txt", "w")) f:write("inside") f:close() for l in io.lines("ok.txt") do print(l) end'
same "sandbox: files under the root work" "inside"
"$NPIO" - "$B/chunk.luac" >/dev/null 2>&1 <<'EOF'
local f = io.open(arg[1], "wb") f:write(string.dump(function() print("bin") end)) f:close()
EOF
run "$NPIO" "$B/chunk.luac"
same "binary chunk runs outside the sandbox" "bin"
run "${SB[@]}" "$B/chunk.luac"
check "sandbox: binary script refused" 1 "" "binary chunk"
runin "$B" "$NPIO" --sandbox -e 'local s = io.open("chunk.luac", "rb"):read("a") print(load(s)) print(load(s, "x", "b")) print(load(s, "x", "bt", {}))'
check "sandbox: load of a binary chunk refused" 0 "attempt to load a binary chunk"
if grep -q '^function' "$T/out"; then report_fail "sandbox: binary load" "a chunk loaded"; else pass=$((pass + 1)); fi
run "${SB[@]}" -e 'print(load("return 1 + 1")())'
same "sandbox: load of text works" "2"
run "${SB[@]}" -e 'print(load("return x", "c", "t", {x = 5})())'
same "sandbox: load with env" "5"
run "${SB[@]}" -e 'setmetatable({}, {__gc = function() end})'
check "sandbox: __gc refused" 1 "" "__gc metamethods are not allowed"
run "${SB[@]}" -e 'print(getmetatable(np.zeros(1)), getmetatable(io.stdout), getmetatable(setmetatable({}, {k = 1})).k)'
same "sandbox: userdata metatables hidden" "nil	nil	1"
run "${SB[@]}" -e 'require "lpeg"'
check "sandbox: no C modules" 1 "" "module 'lpeg' not found"
run "${SB[@]}" --timeout 10 -e 'local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) return s[k] end return t.x'
check "sandbox: endless __index recursion" 1 "" "stack overflow"
run "${SB[@]}" --timeout 10 -e 'local function f() return 1 + f() end f()'
check "sandbox: deep recursion" 1 "" "stack overflow"
run "${SB[@]}" --timeout 10 -e 'local t = {} for i = 1, 200 do t[i] = (i * 7919) % 101 end print(pcall(table.sort, t, function(a, b) return true end))'
check "sandbox: inconsistent sort comparator" 0 "false"
printf 'return { v = "sbmod" }\n' > "$B/sbmod.lua"
run "${SB[@]}" -e 'print(require("sbmod").v, require("string") == string, require("os").execute)'
same "sandbox: require of Lua files under the root" "sbmod	true	nil"
run "${SB[@]}" -e 'require "mymod"'
check "sandbox: require does not look outside the root" 1 "" "module 'mymod' not found"
run "${SB[@]}" -e 'print(pcall(np.save, "/tmp/npio_sandbox_escape_test.npy", np.zeros(2)))'
check "sandbox: np.save outside the root refused" 0 "outside the sandbox root"
if [ -e /tmp/npio_sandbox_escape_test.npy ]; then report_fail "sandbox: np.save wrote" "file exists"; rm -f /tmp/npio_sandbox_escape_test.npy; else pass=$((pass + 1)); fi
"$PY" -c "import numpy as np; np.save('$T/outside/o.npy', np.arange(3))" 2>/dev/null
run "${SB[@]}" -e "np.load('$T/outside/o.npy')"
check "sandbox: np.load outside the root refused" 1 "" "outside the sandbox root"
runin "$B" "$NPIO" --sandbox -e 'np.save("in.npy", np.arange(3)) print(np.load("in.npy")[3])'
same "sandbox: np.save/np.load under the root" "2"
run "$NPIO" --sandbox --root "$T/no/such/dir" -e 'print(1)'
check "sandbox: missing root" 1 "" "sandbox root"

# ---------------------------------------------------------------- --mem
run "$NPIO" --mem 64M -e 's = string.rep("x", 100 * 1024 * 1024)'
check "--mem: string.rep" 1 "" "memory limit of 64M exceeded"
run "$NPIO" --mem 64M -e 'a = np.zeros(1 << 40)'
check "--mem: np.zeros of a huge array" 1 "" "memory limit of 64M exceeded"
run "$NPIO" --mem 64M -e 'a = np.zeros(10 * 1024 * 1024)'
check "--mem: 80 MB array" 1 "" "memory limit of 64M exceeded"
run "$NPIO" --mem 64M -e 't = {} for i = 1, 1e8 do t[i] = i end'
check "--mem: table growth" 1 "" "memory limit of 64M exceeded"
run "$NPIO" --mem 64M -e 'collectgarbage("stop") local t = {} for i = 1, 1e7 do t[i] = {} end'
check "--mem: collector stopped" 1 "" "memory limit"
run "$NPIO" --mem 64M -e 'local s = string.rep("x", 1e6) local a = np.zeros(100000) print(#s, a.size)'
same "--mem: under the limit" "1000000	100000"
run "$NPIO" --mem 64M -e 'print(pcall(string.rep, "x", 1 << 30)) print("still here")'
check "--mem: a caught memory error" 0 "still here"
run "$NPIO" --mem 1G -e 'print("big ok")'
check "--mem G suffix" 0 "big ok"
run "$NPIO" --sandbox --root "$B" --mem 32M -e 'local t = {} while true do t[#t + 1] = string.rep("y", 1000) .. #t end'
check "--mem in the sandbox" 1 "" "memory limit of 32M exceeded"

# ------------------------------------------------------------- --timeout
run "$NPIO" --timeout 1 -e 'while true do end'
check "--timeout: busy loop" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 1 -e 'while true do pcall(function() while true do end end) end'
check "--timeout: pcall cannot swallow it" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 1 -e 'while true do xpcall(function() while true do end end, function(m) while true do end end) end'
check "--timeout: looping error handler" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 1 -e 'coroutine.wrap(function() while true do end end)()'
check "--timeout: inside a coroutine" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 0.5 -e 'local function f() return f() end f()'
check "--timeout: endless tail calls" 1 "" "timeout of 0.5 s exceeded"
run "$NPIO" --sandbox --root "$B" --timeout 1 -e 'while true do pcall(error, "x") end'
check "--timeout in the sandbox" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 1 -e 'string.rep("a", 200000):find(".-.-.-b")'
check "--timeout: stuck in C (watchdog)" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 1 -e 'setmetatable({}, {__gc = function() while true do end end})'
check "--timeout: looping finalizer at exit (watchdog)" 1 "" "timeout of 1 s exceeded"
run "$NPIO" --timeout 30 -e 'print("quick")'
same "--timeout: a quick script" "quick"

# -------------------------------------------------- the REPL on a terminal
cat > "$T/ptydrive.py" <<'EOF'
# Runs argv on a pseudo-terminal, types stdin's lines (<TAB> is a tab,
# <NOEOL> at the end sends no newline), then ^D until it exits.
import os, pty, select, signal, sys, time
data = sys.stdin.buffer.read()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def pump(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
pump(0.5)
for line in data.split(b"\n")[:-1]:
    noeol = line.endswith(b"<NOEOL>")
    line = line.replace(b"<NOEOL>", b"").replace(b"<TAB>", b"\t")
    os.write(fd, line + (b"" if noeol else b"\n"))
    pump(0.3)
st = None
for _ in range(40):
    os.write(fd, b"\x04")
    pump(0.25)
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        break
else:
    os.kill(pid, signal.SIGKILL)
    _, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(st))
EOF
if [ -x "$PY" ]; then
  cat > "$T/tty.txt" <<'EOF'
x = 41
x + 1
for i = 1, 2 do
print("loop", i)
end
xyzzy_long_name = 7
xyzzy_lo<TAB> * 6
string.fo<TAB>"<%d>", 5)
s = "abc"
s:upp<TAB>)
tbl = {alpha_field = 11}
tbl.alp<TAB>
a = np.zeros({2, 3})
a.nd<TAB>
a:resh<TAB>6)).shape[1]
error("in the repl")
print("still" .. "alive")
EOF
  IN="$T/tty.txt" run "$PY" "$T/ptydrive.py" "$NPIO"
  check "tty REPL: version banner" 0 "npio $VERSION"
  check "tty REPL: expression" 0 "42"
  check "tty REPL: multi-line" 0 "loop	2"
  check "tty REPL: global completion" 0 "xyzzy_long_name * 6"
  check "tty REPL: completed global evaluates" 0 "42"
  check "tty REPL: field completion" 0 "string.format("
  check "tty REPL: completed call evaluates" 0 "<5>"
  check "tty REPL: method completion" 0 "s:upper()"
  check "tty REPL: method call" 0 "ABC"
  check "tty REPL: table member" 0 "tbl.alpha_field"
  check "tty REPL: table member value" 0 "11"
  check "tty REPL: array field" 0 "a.ndim"
  check "tty REPL: array method" 0 "a:reshape("
  check "tty REPL: error reported" 0 "in the repl"
  check "tty REPL: goes on after the error" 0 "stillalive"
  if grep -qF 'x + 1' "$HOME/.npio_history"; then pass=$((pass + 1))
  else report_fail "tty REPL: history file" "no ~/.npio_history entry"; fi
  printf 'for i = 1, 3 do\n' > "$T/tty2.txt"
  IN="$T/tty2.txt" run "$PY" "$T/ptydrive.py" "$NPIO"
  check "tty REPL: ^D ends an unfinished chunk" 0 "<eof>"
else
  echo "cli: $PY missing: REPL terminal tests skipped"
fi

# ------------------------------------------------------------ npio info
run "$NPIO" info
check "info without files" 2 "" "usage: npio info"
run "$NPIO" info --frob x.npy
check "info bad option" 2 "" "unrecognized option '--frob'"
if "$NPIO" -e 'os.exit(type(np.info) == "function" and 0 or 1)' 2>/dev/null; then
  "$PY" - "$T" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
a = np.arange(12, dtype='<f8').reshape(3, 4)
np.save(d + '/x.npy', a)
np.save(d + '/v.npy', np.arange(5, dtype='>i4'))
with open(d + '/expect.txt', 'w') as f:
    f.write('%s %s %d\n' % (a.dtype, str(a.shape), a.nbytes))
    b = np.arange(5, dtype='>i4')
    f.write('%s %s %d\n' % (b.dtype, str(b.shape), b.nbytes))
EOF
  read -r dt1 sh1a sh1b nb1 < <(sed -n 1p "$T/expect.txt")
  read -r dt2 sh2 nb2 < <(sed -n 2p "$T/expect.txt")
  run "$NPIO" info x.npy
  check "info .npy" 0 "$dt1"
  if grep -E "^  x +$dt1 +\\$sh1a $sh1b +$nb1\$" "$T/out" >/dev/null; then pass=$((pass + 1))
  else report_fail "info .npy row" "no row 'x $dt1 $sh1a $sh1b $nb1'"; fi
  run "$NPIO" info v.npy missing.npy x.npy
  check "info: unreadable file -> status 1" 1 "" "missing.npy"
  if grep -E "^  v +$dt2 +\\$sh2 +$nb2\$" "$T/out" >/dev/null && grep -q "^  x " "$T/out"; then
    pass=$((pass + 1))
  else report_fail "info: others still listed" "rows missing"; fi
  run "$NPIO" info --json x.npy v.npy
  check "info --json" 0
  if "$PY" - "$T/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 2, d
assert d[0]['dtype'] == 'float64' and d[0]['shape'] == [3, 4] and d[0]['nbytes'] == 96, d[0]
assert d[1]['dtype'] == '>i4' and d[1]['shape'] == [5] and d[1]['nbytes'] == 20, d[1]
assert d[0]['file'] == 'x.npy'
EOF
  then pass=$((pass + 1)); else report_fail "info --json content" "json check failed"; fi
else
  run "$NPIO" info x.npy
  check "info without np.info" 1 "" "np.info is not available"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
