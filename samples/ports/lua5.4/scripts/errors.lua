-- Errors and control flow: error values and levels, pcall/xpcall, tracebacks, runtime error
-- messages, to-be-closed variables, goto, closures, varargs, and an uncaught error at the end.
local function thrower(kind)
  if kind == 1 then error("plain message") end
  if kind == 2 then error("no position", 0) end
  if kind == 3 then error({code = 42}) end
  if kind == 4 then error("level two", 2) end
  if kind == 5 then local t = nil; return t.x end
  if kind == 6 then return 1 + {} end
  if kind == 7 then return #5 end
  if kind == 8 then return ("x")() end
  if kind == 9 then return nil .. "a" end
  if kind == 10 then return math.floor("a") end
  if kind == 11 then assert(false, "assertion message") end
  if kind == 12 then assert(nil) end
  if kind == 13 then return 1 < "2" end
  if kind == 14 then return string.rep("x", -1) .. undefined_global.field end
end
for k = 1, 14 do
  local ok, err = pcall(thrower, k)
  print(k, ok, type(err) == "table" and ("table code " .. err.code) or err)
end
print(xpcall(thrower, function(m) return "handled: " .. m end, 1))
print(xpcall(thrower, debug.traceback, 5))
print(select("#", pcall(error)))
print(pcall(error, nil))
print(pcall(setmetatable, 1, {}))
local ok, msg = pcall(string.format, "%d", 1.5)
print(ok, msg)
print(pcall(load("return 1 +")))
print(load("syntax error here"))
print(load("return ...", "chunk", "t")(1, 2))
print(pcall(load, "\27Lua", "bin", "t"))
do
  local log = {}
  do
    local a <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "a closed " .. tostring(e) end})
    local b <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "b closed " .. tostring(e) end})
    local c <const> = 10
    log[#log + 1] = "body " .. c
  end
  print(table.concat(log, "; "))
  log = {}
  print(pcall(function()
    local r <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "closed on error: " .. tostring(e) end})
    error("boom", 0)
  end), table.concat(log))
end
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    io.write(i, ":", j, " ")
    ::continue::
  end
end
print()
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc(); inc(); inc()
print(get())
local function va(...) local t = table.pack(...) return t.n, select(-1, ...) end
print(va(1, nil, 3, nil))
print(string.format("%s", setmetatable({}, {__tostring = function() return "custom" end})))
print(pcall(string.rep, "x", 1 << 40))
print(debug.getinfo(1, "l").currentline, debug.getinfo(print).what, debug.traceback("tb", 1):match("^tb\nstack traceback:") ~= nil)
collectgarbage("collect")
print(collectgarbage("isrunning"), type(collectgarbage("count")), collectgarbage("incremental"), collectgarbage("generational"))
local gcd = false
setmetatable({}, {__gc = function() gcd = true end})
collectgarbage()
collectgarbage()
print("finalizer ran", gcd)
local function deep(n) return n == 0 and 0 or 1 + deep(n - 1) end
print(deep(10000))
print(pcall(function() local function inf(n) return 1 + inf(n + 1) end return inf(1) end))
error("uncaught at the end")
