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

// The checks a campaign's config needs its (unfiltered) roster for, reported
// against the campaign file with line:column: every State code in
// roster.include/exclude is in the roster, every roster.groups entry is a
// regional group of the roster ("did you mean", and the valid groups listed).
// Also refuses the campaign (one more Diagnostic) when load_config found errors
// in its own file (CampaignConfig::config_errors): load_runtime drops a campaign
// whenever its checks add diagnostics.
OUTREACH_EXPORT void check_roster_filter(const Roster& roster, const CampaignConfig& campaign, Diagnostics& out);

}  // namespace outreach
