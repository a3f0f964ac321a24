#pragma once
// One file per `outreach` subcommand. Each registers its options on the CLI11 app
// and returns the action to run when it is chosen; main.cpp only lists them.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "outreach/calendar.hpp"

namespace outreach::cli {

// Documented in docs/operators.md.
enum ExitCode : int {
    kOk = 0,
    kInvalidInput = 1,      // config, roster, template, response or argument errors
    kUsage = 2,             // command-line syntax
    kRuntimeFailure = 3,    // journal unusable, outbox unwritable, another daemon running, ...
    kDeliveryFailures = 4,  // ran, but some letters failed (see `status`)
};

enum class Format { Text, Json };

// Options every subcommand shares (set on the main app).
struct CommonOptions {
    std::filesystem::path config = "config/outreach.toml";
    std::string campaign;  // --campaign ID where a command offers it; empty = all
};

using Action = std::function<int()>;

// Each returns the subcommand it added; `action` is called when it was chosen.
CLI::App* register_validate(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_plugins(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_plan(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_simulate(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_run(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_respond(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_status(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_history(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_preview(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_daemon(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_pause(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_resume(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_approve(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_reject(CLI::App& app, CommonOptions& common, Action& action);
CLI::App* register_proof(CLI::App& app, CommonOptions& common, Action& action);

// CLI11 option holding a YYYY-MM-DD date.
CLI::Option* add_date_option(CLI::App* app, const std::string& name, Date& target, const std::string& help);

}  // namespace outreach::cli
