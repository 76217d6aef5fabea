# SPDX-License-Identifier: MIT
# Host tests of the virtio core (label: unit): the split virtqueue against fake devices and the
# virtio_mmio.device= parser under GoogleTest with ASan/UBSan, and a libFuzzer fuzzer that feeds
# the used-ring validation garbage. Included from runtime/host/CMakeLists.txt after fs.cmake.
set(virtio_core_sources
    ${runtime}/drivers/virtio/split_virtqueue.cpp
    ${runtime}/drivers/virtio/transport/mmio_option.cpp
    ${runtime}/lib/format.cpp
    ${runtime}/lib/string.cpp
)

add_executable(ukrt_virtio_tests
    fakes.cpp
    ${virtio_core_sources}
    ${runtime}/drivers/virtio/split_virtqueue_test.cpp
)
target_include_directories(ukrt_virtio_tests PRIVATE ${runtime})
target_compile_features(ukrt_virtio_tests PRIVATE cxx_std_20)
target_compile_options(ukrt_virtio_tests PRIVATE -Wall -Wextra
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(ukrt_virtio_tests PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_libraries(ukrt_virtio_tests PRIVATE GTest::gtest GTest::gtest_main)
gtest_discover_tests(ukrt_virtio_tests PROPERTIES LABELS unit)

# fs.cmake defines uksdk_fuzzer() only when clang++-19 with libFuzzer is there (it warns if not).
if(COMMAND uksdk_fuzzer)
    set(fuzz_core ${CMAKE_CURRENT_SOURCE_DIR}/fakes.cpp ${virtio_core_sources})
    uksdk_fuzzer(used_ring_fuzzer ${runtime}/drivers/virtio/fuzz/used_ring_fuzzer.cpp
        ${runtime}/drivers/virtio/fuzz/used_ring_seeds)
endif()
