// SPDX-License-Identifier: MIT
// Uses the installed Lua library: runs a chunk in an embedded interpreter.
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <stdio.h>

int main(void) {
    lua_State* L = luaL_newstate();
    luaL_openlibs(L);
    const char* chunk = "local function f(n) if n <= 1 then return 1 end return n * f(n - 1) end "
                        "print(_VERSION .. ': ' .. math.tointeger(f(10)))";
    if (luaL_dostring(L, chunk) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        return 1;
    }
    lua_close(L);
    return 0;
}
