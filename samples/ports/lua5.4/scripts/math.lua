-- Numbers: integers and floats, overflow, division, conversions, the math library, and Lua's
-- own pseudo-random generator with a fixed seed (the same sequence everywhere).
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, math.mininteger // -1)
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 % 2, -7.5 % 2, 5 // 0.0, -5 // 0.0, 0/0 ~= 0/0)
print(pcall(function() return 1 // 0 end))
print(pcall(function() return 1 % 0 end))
print(3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 62, 1 << 63, 1 << 64, -1 >> 1, 2^10, 10 / 2)
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), math.floor(-3.5), math.ceil(-3.5), math.floor(2^60))
print(math.abs(math.mininteger), math.abs(-0.0), math.fmod(7, -3), math.fmod(-7, 3), math.fmod(7.5, 2))
print(math.max(1, 2.5, -1), math.min(3, 1, 2), math.ult(1, -1), math.huge, -math.huge, math.pi)
print(string.format("%.12f %.12f %.12f %.12f %.12f", math.sqrt(2), math.exp(1), math.log(10), math.log(8, 2), math.log(100, 10)))
print(string.format("%.12f %.12f %.12f %.12f %.12f", math.sin(1), math.cos(1), math.tan(1), math.asin(0.5), math.atan(1, 2)))
print(string.format("%.6f", math.deg(1)), math.rad(180) == math.pi, 2^0.5 == math.sqrt(2))
print(8 // 3 * 3 + 8 % 3, 2^53 + 1, (2^53 + 1) | 0, pcall(function() return 2^64 | 0 end))
print(1e300 * 1e300, -1e300 * 1e300, 1/0 > math.maxinteger, math.maxinteger + 0.0 == 2^63, math.maxinteger < 2^63)
print(0.1 + 0.2 == 0.3, 0.1 + 0.2, 1 - 0.9, 100000000000000, 1e14, 123456789012345678)
math.randomseed(42)
local r = {}
for i = 1, 8 do r[i] = math.random(1, 1000) end
print(table.concat(r, " "))
print(math.random(0) ~= nil, math.random(5, 5), string.format("%.10f", math.random()))
math.randomseed(7, 11)
local hist = {0, 0, 0, 0, 0, 0}
for _ = 1, 60000 do local v = math.random(6); hist[v] = hist[v] + 1 end
print(table.concat(hist, " "))
print(pcall(math.random, 2, 1))
local acc = 0
for i = 1, 100000 do acc = (acc * 31 + i) % 1000000007 end
print(acc)
local fsum = 0.0
for i = 1, 100000 do fsum = fsum + 1 / i end
print(string.format("%.15f", fsum))
