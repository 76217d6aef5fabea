# SPDX-License-Identifier: MIT
# Fails if IMAGE defines a symbol whose demangled name matches the regular expression PATTERN, and
# names the first ones; prints how many symbols it looked at either way.
# Usage: cmake -DIMAGE=... -DNM=llvm-nm-19 -DPATTERN=... -P no_symbols.cmake
cmake_policy(SET CMP0007 NEW)
execute_process(COMMAND ${NM} --defined-only --demangle ${IMAGE}
    OUTPUT_VARIABLE symbols RESULT_VARIABLE failed)
if(failed OR symbols STREQUAL "")
    message(FATAL_ERROR "${NM} failed on ${IMAGE}")
endif()
string(REGEX REPLACE ";" "," symbols "${symbols}")
string(REPLACE "\n" ";" symbols "${symbols}")
list(LENGTH symbols total)
list(FILTER symbols INCLUDE REGEX "${PATTERN}")
list(LENGTH symbols found)
get_filename_component(name ${IMAGE} NAME)
if(found GREATER 0)
    list(SUBLIST symbols 0 10 first)
    list(JOIN first "\n  " first)
    message(FATAL_ERROR "${name} defines ${found} symbols matching '${PATTERN}', e.g.\n  ${first}")
endif()
message("${name}: none of its ${total} symbols matches '${PATTERN}'")
