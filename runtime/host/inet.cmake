# SPDX-License-Identifier: MIT
# Host tests of the network stack's pure parts (label: unit): the runtime options that configure
# the guest's address (uk.ip, uk.netmask, uk.gw, uk.dns), as GoogleTest unit tests under
# ASan/UBSan and as a libFuzzer fuzzer run for a bounded time on its seeds (as fs.cmake's).
# Included from runtime/host/CMakeLists.txt.
add_executable(ukrt_inet_tests
    ${runtime}/lib/string.cpp
    ${runtime}/net/network_options.cpp
    ${runtime}/net/network_options_test.cpp
)
target_include_directories(ukrt_inet_tests PRIVATE ${runtime})
target_compile_features(ukrt_inet_tests PRIVATE cxx_std_20)
target_compile_options(ukrt_inet_tests PRIVATE -Wall -Wextra
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(ukrt_inet_tests PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_libraries(ukrt_inet_tests PRIVATE GTest::gtest GTest::gtest_main)
gtest_discover_tests(ukrt_inet_tests PROPERTIES LABELS unit)

find_program(UKSDK_CLANGXX_19 clang++-19)
set(UKSDK_FUZZ_SECONDS 20 CACHE STRING "How long each fuzzer runs in the unit tests")
if(UKSDK_CLANGXX_19)
    execute_process(COMMAND ${UKSDK_CLANGXX_19} -print-file-name=libclang_rt.fuzzer-x86_64.a
        OUTPUT_VARIABLE inet_libfuzzer OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
if(NOT UKSDK_CLANGXX_19 OR NOT EXISTS "${inet_libfuzzer}")
    message(WARNING "uksdk: clang++-19 with libFuzzer (libclang-rt-19-dev) not found; the network option fuzzer is not built")
    return()
endif()
set(fuzzer ${CMAKE_CURRENT_BINARY_DIR}/fuzzers/network_options_fuzzer)
set(fuzzer_sources ${runtime}/net/fuzz/network_options_fuzzer.cpp ${runtime}/net/network_options.cpp
    ${runtime}/lib/string.cpp)
add_custom_command(OUTPUT ${fuzzer}
    COMMAND ${UKSDK_CLANGXX_19} -std=c++20 -g -O1 -I${runtime}
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
        ${fuzzer_sources} -o ${fuzzer}
    DEPENDS ${fuzzer_sources}
    COMMENT "Building the network_options fuzzer"
    VERBATIM)
add_custom_target(network_options_fuzzer ALL DEPENDS ${fuzzer})
# New inputs go to the corpus directory in the build tree, never into the seeds.
set(corpus ${CMAKE_CURRENT_BINARY_DIR}/network_options_fuzzer-corpus)
set(seeds ${runtime}/net/fuzz/network_options_seeds)
add_test(NAME unit.fuzz.network_options_fuzzer
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
        sh -c "mkdir -p '${corpus}' && exec '${fuzzer}' -max_total_time=${UKSDK_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 '${corpus}' '${seeds}'")
set_tests_properties(unit.fuzz.network_options_fuzzer PROPERTIES LABELS unit TIMEOUT 120)
