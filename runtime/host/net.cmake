# SPDX-License-Identifier: MIT
# Host tests of the portable parts of the socket code (label: unit), under ASan/UBSan: the byte
# queue of AF_UNIX receive queues, AF_UNIX address parsing, control-message walking and writing.
# Included from runtime/host/CMakeLists.txt.
add_executable(ukrt_net_tests
    fakes.cpp
    fs_fakes.cpp
    ${runtime}/lib/format.cpp
    ${runtime}/lib/string.cpp
    ${runtime}/mm/kmalloc.cpp
    ${runtime}/mm/slab.cpp
    ${runtime}/net/unix_address.cpp
    ${runtime}/net/unix_address_test.cpp
    ${runtime}/net/unix_byte_queue.cpp
    ${runtime}/net/unix_byte_queue_test.cpp
    ${runtime}/net/unix_control.cpp
    ${runtime}/net/unix_control_test.cpp
)
target_include_directories(ukrt_net_tests PRIVATE ${runtime})
target_compile_features(ukrt_net_tests PRIVATE cxx_std_20)
target_compile_options(ukrt_net_tests PRIVATE -Wall -Wextra
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(ukrt_net_tests PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_libraries(ukrt_net_tests PRIVATE GTest::gtest GTest::gtest_main)
gtest_discover_tests(ukrt_net_tests PROPERTIES LABELS unit)
