# SPDX-License-Identifier: MIT
# uksdk_embed_directory(<target> <directory>): seals <directory> into the executable <target>.
# At boot the runtime unpacks it into / (before anything passed with `uk-run --initrd`, which
# therefore wins where both have a file), exactly like an initrd. The directory is packed with
# `uk-run --pack` into a newc cpio archive, which llvm-objcopy turns into an object whose
# symbols uksdk_embedded_archive_start/_end the runtime looks for (weakly, so images without
# an embedded tree need nothing). The archive is rebuilt when files in the directory change
# (files added or removed are noticed at the next configure, as with any GLOB).
# Included by the toolchain file, so any project using it has the function.
include_guard(GLOBAL)

function(uksdk_embed_directory target directory)
    if(NOT TARGET ${target})
        message(FATAL_ERROR "uksdk_embed_directory: no target named '${target}'")
    endif()
    get_filename_component(directory "${directory}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${directory}")
        message(FATAL_ERROR "uksdk_embed_directory: '${directory}' is not a directory")
    endif()
    get_property(done TARGET ${target} PROPERTY UKSDK_EMBEDDED_DIRECTORY)
    if(done)
        message(FATAL_ERROR "uksdk_embed_directory: '${target}' already embeds '${done}'; one directory per image")
    endif()
    set_property(TARGET ${target} PROPERTY UKSDK_EMBEDDED_DIRECTORY "${directory}")
    find_program(UKSDK_OBJCOPY NAMES llvm-objcopy-19 REQUIRED)
    # The runner of the SDK this file belongs to (<sdk>/cmake/../bin/uk-run).
    set(runner "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../bin/uk-run")

    # A directory of its own per target, so that objcopy's symbol names (made from the input
    # file's name) are always _binary_tree_cpio_*.
    set(work "${CMAKE_CURRENT_BINARY_DIR}/uksdk-embed/${target}")
    file(MAKE_DIRECTORY "${work}")
    file(GLOB_RECURSE inputs CONFIGURE_DEPENDS LIST_DIRECTORIES true "${directory}/*")
    add_custom_command(OUTPUT "${work}/tree.cpio"
        COMMAND "${runner}" --pack "${directory}" "${work}/tree.cpio"
        DEPENDS ${inputs} "${directory}"
        COMMENT "Packing ${directory} for ${target}"
        VERBATIM)
    add_custom_command(OUTPUT "${work}/tree.o"
        # A read-only data section: the archive is only read, and unpacked into ramfs at boot.
        COMMAND "${UKSDK_OBJCOPY}" -I binary -O elf64-x86-64
            --rename-section .data=.rodata.uksdk_embedded,alloc,load,readonly,data,contents
            --redefine-sym _binary_tree_cpio_start=uksdk_embedded_archive_start
            --redefine-sym _binary_tree_cpio_end=uksdk_embedded_archive_end
            --strip-symbol _binary_tree_cpio_size
            tree.cpio tree.o
        WORKING_DIRECTORY "${work}"
        DEPENDS "${work}/tree.cpio"
        COMMENT "Embedding ${directory} into ${target}"
        VERBATIM)
    set_source_files_properties("${work}/tree.o" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    target_sources(${target} PRIVATE "${work}/tree.o")
endfunction()
