#pragma once
// Who an occurrence writes to, in words operators read (`plan`, `status`): the
// plugin's description of its predicate, and the one State of a per-State
// occurrence by name ("France (FRA)"), never "all States FRA".
#include <string>

#include "schedule/occurrences.hpp"

namespace outreach::cli {

std::string audience_text(const Campaign& campaign, const PlannedOccurrence& occurrence);

}  // namespace outreach::cli
