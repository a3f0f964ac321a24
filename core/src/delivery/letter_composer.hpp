#pragma once
// Turns a firing occurrence into Letters: template values, rendering, the
// idempotency key and the envelope.
#include <string>
#include <vector>

#include "delivery/letter.hpp"
#include "schedule/occurrences.hpp"
#include "delivery/template_renderer.hpp"

namespace outreach {

// campaign/step/occurrence/recipient — stable for as long as the config names
// the same campaign, step and State, whatever else changes.
OUTREACH_EXPORT std::string idempotency_key(const PlannedOccurrence& occurrence, const std::string& recipient);

// Values every letter and task of the occurrence shares, including the plugin's
// firing_values for the responses known when it fires.
OUTREACH_EXPORT TemplateData occurrence_values(const PlannedOccurrence& occurrence,
                                               const std::vector<Response>& responses);

OUTREACH_EXPORT Letter compose_letter(const PlannedOccurrence& occurrence, const TemplateData& shared,
                                      const State& state, const Addressee& addressee);

// Staff tasks also list the responses so far and who has not answered.
OUTREACH_EXPORT Letter compose_task(const PlannedOccurrence& occurrence, const TemplateData& shared,
                                    const std::vector<Response>& responses);

}  // namespace outreach
