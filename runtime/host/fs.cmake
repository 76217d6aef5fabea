# SPDX-License-Identifier: MIT
# Host tests of the file-system core (label: unit): GoogleTest unit tests under ASan/UBSan, and
# libFuzzer fuzzers for the cpio parser, path resolution and 9P reply decoding, each run for a bounded time on its
# seed corpus. Included from runtime/host/CMakeLists.txt.
set(fs_core_sources
    fakes.cpp
    fs_fakes.cpp
    ramfs_fakes.cpp
    wall_clock.cpp
    ${runtime}/fs/9p_protocol.cpp
    ${runtime}/fs/chacha20.cpp
    ${runtime}/fs/cpio.cpp
    ${runtime}/fs/directory.cpp
    ${runtime}/fs/initrd.cpp
    ${runtime}/fs/inode.cpp
    ${runtime}/fs/page_tree.cpp
    ${runtime}/fs/path.cpp
    ${runtime}/fs/ramfs.cpp
    ${runtime}/fs/vfs.cpp
    ${runtime}/lib/format.cpp
    ${runtime}/lib/string.cpp
    ${runtime}/mm/kmalloc.cpp
    ${runtime}/mm/slab.cpp
)

add_executable(ukrt_fs_tests
    ${fs_core_sources}
    ${runtime}/fs/9p_protocol_test.cpp
    ${runtime}/fs/chacha20_test.cpp
    ${runtime}/fs/cpio_test.cpp
    ${runtime}/fs/page_tree_test.cpp
    ${runtime}/fs/vfs_test.cpp
    ${runtime}/mm/slab_test.cpp
)
target_include_directories(ukrt_fs_tests PRIVATE ${runtime})
target_compile_features(ukrt_fs_tests PRIVATE cxx_std_20)
target_compile_options(ukrt_fs_tests PRIVATE -Wall -Wextra
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(ukrt_fs_tests PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_libraries(ukrt_fs_tests PRIVATE GTest::gtest GTest::gtest_main)
gtest_discover_tests(ukrt_fs_tests PROPERTIES LABELS unit)

# Fuzzers need clang's libFuzzer (Debian: libclang-rt-19-dev), whatever the host compiler is,
# so they are compiled by a custom command rather than as targets of this (maybe g++) project.
find_program(UKSDK_CLANGXX_19 clang++-19)
set(UKSDK_FUZZ_SECONDS 20 CACHE STRING "How long each fuzzer runs in the unit tests")
set(fuzz_flags)
if(UKSDK_CLANGXX_19)
    execute_process(COMMAND ${UKSDK_CLANGXX_19} -print-file-name=libclang_rt.fuzzer-x86_64.a
        OUTPUT_VARIABLE libfuzzer OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
if(NOT UKSDK_CLANGXX_19 OR NOT EXISTS "${libfuzzer}")
    message(WARNING "uksdk: clang++-19 with libFuzzer (libclang-rt-19-dev) not found; the fuzzers are not built")
    return()
endif()

set(fuzz_core)
foreach(source IN LISTS fs_core_sources)
    if(IS_ABSOLUTE ${source})
        list(APPEND fuzz_core ${source})
    else()
        list(APPEND fuzz_core ${CMAKE_CURRENT_SOURCE_DIR}/${source})
    endif()
endforeach()

function(uksdk_fuzzer name source seeds)
    set(binary ${CMAKE_CURRENT_BINARY_DIR}/fuzzers/${name})
    add_custom_command(OUTPUT ${binary}
        COMMAND ${UKSDK_CLANGXX_19} -std=c++20 -g -O1 -I${runtime}
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
            ${source} ${fuzz_core} -o ${binary}
        DEPENDS ${source} ${fuzz_core}
        COMMENT "Building the ${name} fuzzer"
        VERBATIM)
    add_custom_target(${name} ALL DEPENDS ${binary})
    # New inputs go to the first corpus directory (in the build tree), never into the seeds.
    set(corpus ${CMAKE_CURRENT_BINARY_DIR}/${name}-corpus)
    add_test(NAME unit.fuzz.${name}
        COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
            sh -c "mkdir -p '${corpus}' && exec '${binary}' -max_total_time=${UKSDK_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 '${corpus}' '${seeds}'")
    uksdk_timeout(fuzz_timeout 120)
    set_tests_properties(unit.fuzz.${name} PROPERTIES LABELS unit TIMEOUT ${fuzz_timeout})
endfunction()

uksdk_fuzzer(cpio_fuzzer ${runtime}/fs/fuzz/cpio_fuzzer.cpp ${runtime}/fs/fuzz/cpio_seeds)
uksdk_fuzzer(path_fuzzer ${runtime}/fs/fuzz/path_fuzzer.cpp ${runtime}/fs/fuzz/path_seeds)
uksdk_fuzzer(9p_reply_fuzzer ${runtime}/fs/fuzz/9p_reply_fuzzer.cpp ${runtime}/fs/fuzz/9p_reply_seeds)
