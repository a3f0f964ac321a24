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
    // Errors in the main config file itself (outreach.toml: sender, delivery,
    // journal...): every campaign inherits them, so nothing may be sent.
    bool main_config_errors = false;
    // Read-only commands that exit right after: leave the runtime to the OS.
    // Tearing down 10,000 campaigns one allocation at a time costs more than
    // planning them, and nothing needs flushing (no journal writes).
    void release_at_exit() { (void)runtime.release(); }
};

// For the commands that send (run, simulate): true, after one line on stderr,
// when the main config has errors; the command then exits kInvalidInput
// without sending anything.
bool refuse_to_send(const LoadedRuntime& loaded, const CommonOptions& common);

// Prints every diagnostic to stderr; keeps only `common.campaign` when given
// (an unknown id is an error).
LoadedRuntime load_for_command(const CommonOptions& common, const RuntimeOptions& options = {});

void print_diagnostics(const Diagnostics& diagnostics);

}  // namespace outreach::cli
