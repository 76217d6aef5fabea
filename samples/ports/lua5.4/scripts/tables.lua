-- Tables: the table library, length, sorting, metatables, iteration in a stable order.
local t = {}
for i = 1, 10 do t[#t + 1] = i * i end
table.insert(t, 1, 0)
table.insert(t, 5, -1)
print(#t, table.concat(t, ","), table.remove(t), table.remove(t, 1), #t)
print(table.unpack({1, 2, 3, nil, 5}, 1, 5))
print(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), " "), select(2, table.unpack(table.pack("a", "b", "c"))))
local words = {"pear", "Apple", "fig", "banana", "cherry", "apple", "date"}
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return a:lower() < b:lower() or (a:lower() == b:lower() and a < b) end)
print(table.concat(words, " "))
local nums = {}
local x = 7
for i = 1, 2000 do x = (x * 75 + 74) % 65537; nums[i] = x end
table.sort(nums, function(a, b) return a > b end)
local sum = 0
for i, v in ipairs(nums) do sum = sum + v * i end
print(nums[1], nums[2000], sum)
local map = {zeta = 1, alpha = 2, mid = 3, [10] = "ten", [2.5] = "float", [true] = "bool"}
local keys = {}
for k in pairs(map) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
print(table.concat(keys, " "))
local vec = setmetatable({}, {
  __index = function(_, k) return "missing " .. tostring(k) end,
  __newindex = function(t2, k, v) rawset(t2, k, v * 2) end,
  __len = function() return 42 end,
  __call = function(self, a) return "called with " .. a end,
  __tostring = function() return "<vec>" end,
  __concat = function(a, b) return "concat" end,
})
vec.x = 5
print(vec.x, vec.y, #vec, vec("arg"), tostring(vec), vec .. "s", rawlen(vec), rawget(vec, "y"))
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({a[1] + b[1], a[2] + b[2]}, V) end
V.__eq = function(a, b) return a[1] == b[1] and a[2] == b[2] end
V.__lt = function(a, b) return a[1] < b[1] end
V.__le = function(a, b) return a[1] <= b[1] end
V.__unm = function(a) return setmetatable({-a[1], -a[2]}, V) end
function V.new(a, b) return setmetatable({a, b}, V) end
function V:str() return "(" .. self[1] .. "," .. self[2] .. ")" end
local a, b = V.new(1, 2), V.new(3, 4)
print((a + b):str(), (-a):str(), a == V.new(1, 2), a < b, b <= a, a ~= b)
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1
collectgarbage()
print(next(weak))
local big = {}
for i = 1, 200000 do big[i] = i end
for i = 1, 200000, 2 do big[i] = nil end
local n = 0
for _, v in pairs(big) do n = n + 1 end
print(n, #big % 2)
local grid = {}
for i = 1, 50 do grid[i] = {} for j = 1, 50 do grid[i][j] = (i * j) % 7 end end
local s = 0
for i = 1, 50 do for j = 1, 50 do s = s + grid[i][j] end end
print(s)
