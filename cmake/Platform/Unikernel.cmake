# SPDX-License-Identifier: MIT
# The Unikernel platform: a Unix whose programs are single static images; no shared libraries.
include(Platform/UnixPaths)
set(UKSDK 1)
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
set(CMAKE_EXECUTABLE_SUFFIX "")

# SHARED and MODULE libraries are static archives with a name of their own, lib<name>.shared.a.
# Projects often build a SHARED and a STATIC library of the same name side by side (zlib: both are
# libz); if the platform declared no shared libraries, CMake would turn SHARED into STATIC and both
# targets would write libz.a ("multiple rules generate libz.a"). The archive holds the library's
# objects and the members of the static libraries it links (toolchain/libexec/uk-shared-archive),
# as the shared library would, so a program that links the SHARED target gets everything even
# from its PRIVATE dependencies. No soname flag, so no versioned names or symlinks; find_library()
# and -l<name> still find lib<name>.a.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS TRUE)
set(CMAKE_SHARED_LIBRARY_PREFIX "lib")
set(CMAKE_SHARED_LIBRARY_SUFFIX ".shared.a")
set(CMAKE_SHARED_MODULE_PREFIX "lib")
set(CMAKE_SHARED_MODULE_SUFFIX ".shared.a")
if(UKSDK_ROOT)
    set(_uksdk_shared_archive "${UKSDK_ROOT}/libexec/uksdk/uk-shared-archive")
else()
    get_filename_component(_uksdk_shared_archive "${CMAKE_CURRENT_LIST_DIR}/../../libexec/uksdk/uk-shared-archive" ABSOLUTE)
endif()
foreach(lang C CXX ASM)
    # <LINK_FLAGS> are left out: they are linker options (-Wl,--version-script=...) for a link
    # that does not happen.
    set(CMAKE_${lang}_CREATE_SHARED_LIBRARY "\"${_uksdk_shared_archive}\" <CMAKE_AR> <TARGET> <OBJECTS> <LINK_LIBRARIES>")
    set(CMAKE_${lang}_CREATE_SHARED_MODULE "${CMAKE_${lang}_CREATE_SHARED_LIBRARY}")
endforeach()

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
