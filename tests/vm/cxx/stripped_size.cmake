# SPDX-License-Identifier: MIT
# Fails if IMAGE, stripped with STRIP, is larger than LIMIT bytes; prints the size either way.
# Usage: cmake -DIMAGE=... -DSTRIP=llvm-strip-19 -DLIMIT=1048576 -P stripped_size.cmake
get_filename_component(name ${IMAGE} NAME)
set(stripped ${CMAKE_CURRENT_BINARY_DIR}/${name}.stripped-size-check)
execute_process(COMMAND ${STRIP} -o ${stripped} ${IMAGE} RESULT_VARIABLE failed)
if(failed)
    message(FATAL_ERROR "${STRIP} failed on ${IMAGE}")
endif()
file(SIZE ${stripped} size)
file(REMOVE ${stripped})
math(EXPR kib "${size} / 1024")
if(size GREATER LIMIT)
    message(FATAL_ERROR "${name} stripped is ${size} bytes (${kib} KiB), more than ${LIMIT}")
endif()
message("${name} stripped is ${size} bytes (${kib} KiB), limit ${LIMIT}")
