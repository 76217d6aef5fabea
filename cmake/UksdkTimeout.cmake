# SPDX-License-Identifier: MIT
# Test time limits. Every TIMEOUT in the tree (and the limits test scripts apply themselves) goes
# through uksdk_timeout(), so a slower machine scales them all with one cache variable:
#   cmake -DUKSDK_TIMEOUT_SCALE=3 build     (then scripts/test as usual)
# The limits themselves are at least 4 times what the tests take on 2 quiet cores of the
# project's machines, so a machine twice as slow passes with the default factor 1.
set(UKSDK_TIMEOUT_SCALE 1 CACHE STRING "Integer factor applied to every test time limit")
if(NOT UKSDK_TIMEOUT_SCALE MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "UKSDK_TIMEOUT_SCALE must be a positive integer, not '${UKSDK_TIMEOUT_SCALE}'")
endif()

# uksdk_timeout(OUT SECONDS): SECONDS times UKSDK_TIMEOUT_SCALE.
function(uksdk_timeout out seconds)
    math(EXPR scaled "${seconds} * ${UKSDK_TIMEOUT_SCALE}")
    set(${out} ${scaled} PARENT_SCOPE)
endfunction()
