#pragma once
// Turns a firing occurrence into Letters: template values, rendering, the
// idempotency key and the envelope.
#include <map>
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
// firing_values for the responses known when it fires, in firing.language.
OUTREACH_EXPORT TemplateData occurrence_values(const PlannedOccurrence& occurrence, const FiringContext& firing,
                                               const std::vector<Response>& responses);

// occurrence_values() per language, each computed the first time a letter in
// that language needs it (a firing in English only asks the plugin once).
class OUTREACH_EXPORT OccurrenceValues {
public:
    OccurrenceValues(const PlannedOccurrence& occurrence, const FiringContext& firing,
                     const std::vector<Response>& responses)
        : occurrence_(occurrence), firing_(firing), responses_(responses) {}
    const TemplateData& in(const std::string& language);
    // The language a letter to a State wanting `language` is written in: that
    // language where the step's template has a variant in it, else the default
    // (a letter is never half translated; `validate` warns about the missing variant).
    const std::string& written_in(const std::string& language);
    const PlannedOccurrence& occurrence() const { return occurrence_; }
    const FiringContext& firing() const { return firing_; }

private:
    const PlannedOccurrence& occurrence_;
    const FiringContext& firing_;
    const std::vector<Response>& responses_;
    std::map<std::string, TemplateData> by_language_;
    std::map<std::string, std::string> written_in_;
};

// The shared values in the State's letter language (letter_language) plus the
// State's own values (the core's and the plugin's letter_values).
OUTREACH_EXPORT TemplateData state_values(OccurrenceValues& shared, const State& state,
                                          const std::vector<Response>& own_responses);

OUTREACH_EXPORT Letter compose_letter(const PlannedOccurrence& occurrence, const TemplateData& state_data,
                                      const State& state, const Addressee& addressee);

// Staff tasks also list the responses so far, who has not answered, and the
// States of the task's audience (`audience_states`).
OUTREACH_EXPORT Letter compose_task(const PlannedOccurrence& occurrence, const TemplateData& shared,
                                    const std::vector<Response>& responses, const std::vector<const State*>& audience);

}  // namespace outreach
