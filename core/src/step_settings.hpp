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

// Which steps wait for approval, and their proof lead (Campaign::approval_leads):
// the campaign's `approval`/`approval_lead`, overridden per step. Called by
// apply_step_settings.
void apply_approval_settings(Campaign& campaign);

}  // namespace outreach
