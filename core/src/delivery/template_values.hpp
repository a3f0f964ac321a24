#pragma once
// Which template values a step's letters (or task) will have when it fires, so
// that `validate` can refuse a misspelt {{placeholder}} before any letter goes
// out. The rule (docs/security.md, "Templates"):
//   - the core's values: campaign_id, step_id, sender_name, sender_email,
//     letter_date, milestone_<id> and milestone_<id>_iso for every milestone of
//     the workflow; response_kind/_payload/_note/_date for on_response steps;
//     state_* and addressee_* for letters; responses, not_responded,
//     roster_count, responded_count, not_responded_count for tasks;
//   - the plugin's workflow values (Workflow::values);
//   - the plugin's firing values for the step as they are with no responses
//     yet (CampaignType::firing_values): a plugin's names do
//     not depend on how many States answered, only its "has_..." flags do, and
//     those may be absent (false) at firing.
//   - tasks: also audience_states, audience_count and responses_<kind>_count
//     for every declared kind (0 when none answered);
//   - letters: also the plugin's letter_values as they are for the roster's
//     first State.
#include <set>
#include <string>

#include "config/diagnostics.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

struct TemplateValueNames {
    std::set<std::string> scalars;
    std::set<std::string> lists;
};

// Throws what the plugin's firing_values throws.
// `preview`: the step's first planned occurrence, if any: the hooks are asked as
// if it fired at its due instant (to its State, for a per-State one).
OUTREACH_EXPORT TemplateValueNames template_value_names(const Campaign& campaign, const Step& step,
                                                        const PlannedOccurrence* preview = nullptr);

// The step's template checked against template_value_names(campaign, step)
// (TemplateRenderer::check_values: syntax, limits, and every tag's value).
OUTREACH_EXPORT void check_step_template(const Campaign& campaign, const Step& step, Diagnostics& out);

// check_step_template for every step, each problem reported once.
OUTREACH_EXPORT void check_template_values(const Campaign& campaign, Diagnostics& out);

}  // namespace outreach
