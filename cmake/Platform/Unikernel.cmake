# SPDX-License-Identifier: MIT
# The Unikernel platform: a Unix whose programs are single static images; no shared libraries.
include(Platform/UnixPaths)
set(UKSDK 1)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
set(CMAKE_EXECUTABLE_SUFFIX "")
