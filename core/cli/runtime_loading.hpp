#pragma once
// Loading the operator's config for a command, with diagnostics printed the
// same way everywhere.
#include <memory>

#include "commands.hpp"
#include "runtime.hpp"

namespace outreach::cli {

struct LoadedRuntime {
    std::unique_ptr<Runtime> runtime;
    bool had_errors = false;
};

// Prints every diagnostic to stderr; keeps only `common.campaign` when given
// (an unknown id is an error).
LoadedRuntime load_for_command(const CommonOptions& common, const RuntimeOptions& options = {});

void print_diagnostics(const Diagnostics& diagnostics);

}  // namespace outreach::cli
