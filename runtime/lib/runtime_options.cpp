// SPDX-License-Identifier: MIT
// The runtime options' storage: boot fills it from the command line, every layer reads it.
#include "lib/runtime_options.h"

namespace uk {

namespace {
RuntimeOptions g_options;
}

RuntimeOptions& runtime_options() { return g_options; }

}
