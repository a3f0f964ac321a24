#pragma once
// Expands a campaign's steps into concrete occurrences: each with a stable id (the
// local date-time it was planned for), a UTC due instant, and the deadline
// instant after which it must never go out.
#include <optional>
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"

namespace outreach {

struct PlannedOccurrence {
    const Campaign* campaign = nullptr;
    const Step* step = nullptr;
    std::string id;                      // "2007-08-02T09:00", "response-17"
    Instant due;
    std::optional<Instant> valid_until;  // deadline start; never delivered at/after it
    std::string only_state;              // on_response: the responding State
    std::string depends_on;              // after: the referenced step's occurrence id ("" otherwise)
    std::optional<ResponseRecord> response;  // on_response: the response that triggered it
};

// All occurrences of every step of `campaign`, sorted by due instant then step
// order. `responses` feeds on_response triggers. Occurrences that would fall at or
// after their step's deadline are not produced at all.
OUTREACH_EXPORT std::vector<PlannedOccurrence> expand_occurrences(const Campaign& campaign,
                                                                  const std::vector<ResponseRecord>& responses);

OUTREACH_EXPORT std::optional<Instant> deadline_instant(const Campaign& campaign, const Step& step);
OUTREACH_EXPORT std::string describe_trigger(const Campaign& campaign, const Step& step);
OUTREACH_EXPORT std::string describe_audience(const Audience& audience);

}  // namespace outreach
