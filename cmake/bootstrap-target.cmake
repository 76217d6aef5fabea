# SPDX-License-Identifier: MIT
# Toolchain for the SDK's own freestanding parts (the runtime) before any sysroot exists:
# bare clang-19 for the target, no libc, static libraries only.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_ASM_COMPILER clang-19)
set(CMAKE_C_COMPILER_TARGET x86_64-unknown-unikernel)
set(CMAKE_CXX_COMPILER_TARGET x86_64-unknown-unikernel)
set(CMAKE_ASM_COMPILER_TARGET x86_64-unknown-unikernel)
find_program(CMAKE_AR NAMES llvm-ar-19 REQUIRED)
find_program(CMAKE_RANLIB NAMES llvm-ranlib-19 REQUIRED)
# Nothing can be linked yet: checks compile to static libraries.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
