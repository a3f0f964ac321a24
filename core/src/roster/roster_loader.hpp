#pragma once
// Reads a roster file (TOML, one [[state]] table per State) and applies a
// campaign's filter.
#include <filesystem>

#include "config/config.hpp"
#include "config/diagnostics.hpp"
#include "outreach/roster.hpp"

namespace outreach {

// Missing file, syntax errors, missing/duplicate codes, bad status and bad e-mail
// addresses are appended to `out` with file:line:column.
OUTREACH_EXPORT Roster load_roster(const std::filesystem::path& file, Diagnostics& out);
OUTREACH_EXPORT Roster filter_roster(const Roster& roster, const RosterFilter& filter);

}  // namespace outreach
