#pragma once
// What `pause`, `resume`, `approve`, `reject` and `proof` share: finding the
// campaign, step and occurrence an operator names, the journal they act on,
// and checking free text before it goes into the audit trail.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "journal/journal.hpp"
#include "runtime_loading.hpp"
#include "schedule/occurrences.hpp"

namespace outreach::cli {

struct ControlTarget {
    LoadedRuntime loaded;
    const Campaign* campaign = nullptr;
    std::filesystem::path journal_file;
};

// Loads the configuration for one campaign (disabled ones too); nullopt after
// an error message when the campaign is not configured or has errors.
std::optional<ControlTarget> load_control_target(const CommonOptions& common, const std::string& campaign,
                                                 const std::filesystem::path& state_dir);

// The step named `id`, or nullptr after an error naming the steps that exist.
const Step* find_step(const Campaign& campaign, const std::string& id);

// Occurrences of `step` not decided yet (due at or after enrolment; before the
// first run: from now on), in due order, each with its planned data.
std::vector<PlannedOccurrence> undecided_occurrences(const Campaign& campaign, const Step& step, Journal* journal,
                                                     Instant now);

// The occurrences an operator means: `occurrence` when given (it must be
// undecided), else the next undecided one and every other due at the same
// instant (a per-State series shares its date). Empty after an error message.
std::vector<PlannedOccurrence> chosen_occurrences(const Campaign& campaign, const Step& step, Journal* journal,
                                                  const std::string& occurrence, Instant now);

// False after an error message when `text` (an option's value) is not UTF-8.
bool is_utf8_argument(const std::string& option, const std::string& text);

// `--until` and the like: YYYY-MM-DD (the start of that day) or
// YYYY-MM-DDTHH:MM, local to `zone`.
std::optional<Instant> parse_local_instant(const std::string& text, const std::string& zone);

}  // namespace outreach::cli
