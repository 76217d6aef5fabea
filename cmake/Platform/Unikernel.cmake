# SPDX-License-Identifier: MIT
# The Unikernel platform: a Unix whose programs are single static images; no shared libraries.
include(Platform/UnixPaths)
set(UKSDK 1)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
set(CMAKE_EXECUTABLE_SUFFIX "")

# Programs must be relinked when the SDK's libraries change (a new runtime or libc), but CMake
# does not track implicitly linked libraries. At the end of the configure step, every executable
# in the project gets the SDK's libraries as LINK_DEPENDS.
function(_uksdk_add_link_depends directory)
    set(libraries)
    foreach(name crt1.o crti.o crtn.o libc.a libukrt.a libclang_rt.builtins.a libc++.a libc++abi.a libunwind.a)
        if(EXISTS "${CMAKE_SYSROOT}/lib/${name}")
            list(APPEND libraries "${CMAKE_SYSROOT}/lib/${name}")
        endif()
    endforeach()
    get_property(targets DIRECTORY "${directory}" PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
        get_property(type TARGET ${target} PROPERTY TYPE)
        if(type STREQUAL "EXECUTABLE")
            set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${libraries})
        endif()
    endforeach()
    get_property(subdirectories DIRECTORY "${directory}" PROPERTY SUBDIRECTORIES)
    foreach(subdirectory IN LISTS subdirectories)
        _uksdk_add_link_depends("${subdirectory}")
    endforeach()
endfunction()
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _uksdk_add_link_depends "${CMAKE_SOURCE_DIR}")
endif()
