#pragma once
// Turns a firing occurrence into Letters: template values, rendering, the
// idempotency key and the envelope.
#include <string>
#include <vector>

#include "delivery/letter.hpp"
#include "delivery/template_renderer.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

// campaign/step/occurrence/recipient — stable for as long as the config names
// the same campaign, step and State, whatever else changes.
OUTREACH_EXPORT std::string idempotency_key(const PlannedOccurrence& occurrence, const std::string& recipient);

// Values every letter and task of the occurrence shares, including the plugin's
// firing_values for the responses known when it fires.
OUTREACH_EXPORT TemplateData occurrence_values(const PlannedOccurrence& occurrence, const FiringContext& firing,
                                               const std::vector<Response>& responses);

// `shared` plus the State's own values (the core's and the plugin's letter_values).
OUTREACH_EXPORT TemplateData state_values(const PlannedOccurrence& occurrence, const FiringContext& firing,
                                          const TemplateData& shared, const State& state,
                                          const std::vector<Response>& own_responses);

OUTREACH_EXPORT Letter compose_letter(const PlannedOccurrence& occurrence, const TemplateData& state_data,
                                      const State& state, const Addressee& addressee);

// Staff tasks also list the responses so far, who has not answered, and the
// States of the task's audience (`audience_states`).
OUTREACH_EXPORT Letter compose_task(const PlannedOccurrence& occurrence, const TemplateData& shared,
                                    const std::vector<Response>& responses, const std::vector<const State*>& audience);

}  // namespace outreach
