-- Coroutines: generators, passing values both ways, status, errors, wrap, close.
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i, i * i) end return "done" end)
end
local g = gen(4)
for _ = 1, 5 do print(g()) end
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "finished", d + e
end)
print(coroutine.status(co), coroutine.resume(co, 1, 2))
print(coroutine.status(co), coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co), coroutine.resume(co))
local bad = coroutine.create(function() local x = nil; return x.field end)
print(coroutine.resume(bad))
print(coroutine.status(bad))
print(coroutine.isyieldable(), type(coroutine.running()), select(2, coroutine.running()))
local inner = coroutine.wrap(function()
  print("yieldable inside", coroutine.isyieldable(), select(2, coroutine.running()))
  local ok, v = pcall(function() return coroutine.yield("through pcall") end)
  print("pcall resumed", ok, v)
  return "end"
end)
print(inner())
print(inner("value"))
local closed = coroutine.create(function()
  local res <close> = setmetatable({}, {__close = function() print("closed resource") end})
  coroutine.yield(1)
end)
coroutine.resume(closed)
print(coroutine.close(closed), coroutine.status(closed))
local function producer()
  return coroutine.create(function() for _, w in ipairs({"alpha", "beta", "gamma"}) do coroutine.yield(w) end end)
end
local function filter(p)
  return coroutine.create(function()
    while true do
      local ok, w = coroutine.resume(p)
      if not w then break end
      coroutine.yield(w:upper())
    end
  end)
end
local f = filter(producer())
while true do
  local _, w = coroutine.resume(f)
  if not w then break end
  io.write(w, " ")
end
print()
local count = 0
local many = {}
for i = 1, 2000 do many[i] = coroutine.wrap(function() while true do count = count + 1; coroutine.yield() end end) end
for _ = 1, 5 do for i = 1, 2000 do many[i]() end end
print("resumes", count)
local deep = coroutine.wrap(function()
  local function rec(n) if n == 0 then coroutine.yield("bottom") return 0 end return 1 + rec(n - 1) end
  return rec(150)
end)
print(deep(), deep())
