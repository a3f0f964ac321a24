#pragma once
// One function per `outreach` subcommand; main.cpp wires them to CLI11.
#include <filesystem>
#include <optional>
#include <string>

#include "outreach/calendar.hpp"

namespace outreach::cli {

// Documented in docs/operators.md.
enum ExitCode : int {
    kOk = 0,
    kInvalidInput = 1,     // config, roster, template or argument errors
    kUsage = 2,            // command-line syntax
    kRuntimeFailure = 3,   // journal unusable, outbox unwritable, ...
    kDeliveryFailures = 4, // ran, but some letters failed (see `status`)
};

enum class Format { Text, Json };

struct CommonOptions {
    std::filesystem::path config = "config/outreach.toml";
    std::string campaign;  // empty = all
};

int validate_command(const CommonOptions& common);
int plugins_command(const CommonOptions& common, const std::string& describe_type);
int plan_command(const CommonOptions& common, Date from, Date to, Format format);
int simulate_command(const CommonOptions& common, Date from, Date to, const std::filesystem::path& state_dir,
                     bool summary_only);
int run_command(const CommonOptions& common, const std::optional<std::filesystem::path>& state_dir);

}  // namespace outreach::cli
