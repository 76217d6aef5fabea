// SPDX-License-Identifier: MIT
// Runtime settings taken from `uk.` command-line options.
#pragma once

namespace uk {

struct RuntimeOptions {
    char hostname[65] = "uksdk";
    bool verbose = false;
};

RuntimeOptions& runtime_options();

}
