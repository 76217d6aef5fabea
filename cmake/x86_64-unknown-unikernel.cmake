# SPDX-License-Identifier: MIT
# CMake toolchain file for uksdk: cmake -DCMAKE_TOOLCHAIN_FILE=<sdk>/cmake/x86_64-unknown-unikernel.cmake
# Everything resolves relative to this file, so the SDK tree can live anywhere.
cmake_minimum_required(VERSION 3.20)

get_filename_component(UKSDK_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(UKSDK_TRIPLE x86_64-unknown-unikernel)

# Platform/Unikernel.cmake lives beside this file.
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
set(CMAKE_SYSTEM_NAME Unikernel)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CMAKE_C_COMPILER "${UKSDK_ROOT}/bin/${UKSDK_TRIPLE}-clang")
set(CMAKE_CXX_COMPILER "${UKSDK_ROOT}/bin/${UKSDK_TRIPLE}-clang++")
set(CMAKE_ASM_COMPILER "${UKSDK_ROOT}/bin/${UKSDK_TRIPLE}-clang")
set(CMAKE_C_COMPILER_TARGET ${UKSDK_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${UKSDK_TRIPLE})
set(CMAKE_ASM_COMPILER_TARGET ${UKSDK_TRIPLE})
# The unversioned llvm-ar/ranlib on Debian 12 are LLVM 14 and cannot read LLVM 19 bitcode.
find_program(CMAKE_AR NAMES llvm-ar-19 REQUIRED)
find_program(CMAKE_RANLIB NAMES llvm-ranlib-19 REQUIRED)
find_program(CMAKE_NM NAMES llvm-nm-19)
find_program(CMAKE_OBJDUMP NAMES llvm-objdump-19)
find_program(CMAKE_OBJCOPY NAMES llvm-objcopy-19)
find_program(CMAKE_STRIP NAMES llvm-strip-19)

set(CMAKE_SYSROOT "${UKSDK_ROOT}/sysroot")
# Appended, not set: a user's own prefixes of target libraries (-DCMAKE_FIND_ROOT_PATH=/opt/uk-libs)
# stay search roots, before the sysroot. With the ONLY modes below, a prefix that is no root is
# looked for inside the sysroot, so -DCMAKE_PREFIX_PATH alone cannot name a directory outside it.
list(APPEND CMAKE_FIND_ROOT_PATH "${UKSDK_ROOT}/sysroot")
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Link real executables in checks: a static-library check cannot see that a function is missing.
set(CMAKE_TRY_COMPILE_TARGET_TYPE EXECUTABLE)
# add_test()/ctest/try_run boot the program in a unikernel, sharing the working directory the test
# runs in (--share-cwd: the guest sees it at the same path, starts in it, and what it writes there
# is on the host when it exits), so tests find their data files as on the host. UKSDK_SHARE_CWD=0
# in the environment of ctest turns the sharing off for a run; -DUKSDK_SHARE_CWD=OFF leaves the
# option out. A user's own emulator is kept: -DCMAKE_CROSSCOMPILING_EMULATOR="<sdk>/bin/uk-run;-m;2G"
# or a wrapper script. The value this file chose itself (remembered in UKSDK_DEFAULT_EMULATOR, or
# the plain uk-run that SDKs before --share-cwd chose) is no user's choice and follows
# UKSDK_SHARE_CWD.
option(UKSDK_SHARE_CWD "Tests and try_run share their working directory with the guest" ON)
# --pass-env: the test's environment (ctest's ENVIRONMENT property) reaches the program, as it
# does through the launcher for the other forms of add_test().
set(_uksdk_emulator "${UKSDK_ROOT}/bin/uk-run" --pass-env)
if(UKSDK_SHARE_CWD)
    list(APPEND _uksdk_emulator --share-cwd)
endif()
if(NOT DEFINED CMAKE_CROSSCOMPILING_EMULATOR
        OR "${CMAKE_CROSSCOMPILING_EMULATOR}" STREQUAL "${UKSDK_DEFAULT_EMULATOR}"
        OR "${CMAKE_CROSSCOMPILING_EMULATOR}" STREQUAL "${UKSDK_ROOT}/bin/uk-run")
    set(CMAKE_CROSSCOMPILING_EMULATOR "${_uksdk_emulator}" CACHE STRING
        "Runs target programs for add_test(), ctest and try_run" FORCE)
    set(UKSDK_DEFAULT_EMULATOR "${_uksdk_emulator}" CACHE INTERNAL "The emulator the toolchain file chose")
endif()
unset(_uksdk_emulator)

# FindPkgConfig (pkg_check_modules) runs the SDK's pkg-config, which sees only the sysroot's .pc
# files; a user's -DPKG_CONFIG_EXECUTABLE=... wins.
if(NOT PKG_CONFIG_EXECUTABLE)
    set(PKG_CONFIG_EXECUTABLE "${UKSDK_ROOT}/bin/${UKSDK_TRIPLE}-pkg-config" CACHE FILEPATH "pkg-config for the target")
endif()

# uksdk_embed_directory(): seal a directory into an image (see UksdkEmbed.cmake).
include("${CMAKE_CURRENT_LIST_DIR}/UksdkEmbed.cmake")
