#pragma once
// The operator's `[steps.<step id>]` settings applied to the workflow a plugin built.
#include "config/diagnostics.hpp"

namespace outreach {

struct Campaign;

// Checks every [steps.<id>] of the campaign file against the workflow's step ids
// (an unknown id is an error naming the file, line and the ids that exist) and
// applies the settings to the steps. Call after build_workflow(), before
// check_workflow().
void apply_step_settings(Campaign& campaign, Diagnostics& out);

}  // namespace outreach
