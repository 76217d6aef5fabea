# SPDX-License-Identifier: MIT
# cmake -DNM=llvm-nm-19 -DPROTECTED=a.o -DUNPROTECTED=b.o -P check_no_ssp.cmake
# The default build checks canaries (references __stack_chk_fail), -fno-stack-protector does not.
foreach(which PROTECTED UNPROTECTED)
    execute_process(COMMAND ${NM} -u ${${which}} OUTPUT_VARIABLE symbols RESULT_VARIABLE failed)
    if(failed)
        message(FATAL_ERROR "${NM} -u ${${which}} failed")
    endif()
    string(FIND "${symbols}" "__stack_chk_fail" at)
    if(which STREQUAL PROTECTED AND at EQUAL -1)
        message(FATAL_ERROR "the default build of ${${which}} has no stack protector")
    elseif(which STREQUAL UNPROTECTED AND NOT at EQUAL -1)
        message(FATAL_ERROR "-fno-stack-protector left a stack protector in ${${which}}")
    endif()
endforeach()
message(STATUS "stack protector on by default, off with -fno-stack-protector")
