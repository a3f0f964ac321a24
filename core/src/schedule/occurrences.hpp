#pragma once
// Expands a campaign's steps into concrete occurrences: each with a stable id (the
// local date-time it was planned for, prefixed by the State for per-State series),
// a UTC due instant, and the deadline instant after which it must never go out.
// A due date on a day the campaign's business calendar closes is rolled to a
// working day (Step::roll); the id stays the nominal date-time, so idempotency
// keys do not change when the holiday file is edited.
// Expansion is pure: the planner calls it once per configuration load (and for
// each new response), `plan` and `status` call it to preview.
#include <optional>
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"

namespace outreach {

struct PlannedOccurrence {
    const Campaign* campaign = nullptr;
    const Step* step = nullptr;
    std::string id;                      // "2007-08-02T09:00", "FRA@2010-03-01T09:00", "response-17"
    std::size_t index = 0;               // position in its series (every), else 0
    Instant due;                         // when it goes out: rolled to a working day
    Instant nominal_due;                 // as the trigger computed it, before any roll
    std::string roll_note;               // why it stayed on a closed day (no working day in range)
    std::optional<Instant> valid_until;  // deadline start; never delivered at/after it
    std::string only_state;              // per-State series and on_response: the one State addressed
    std::string depends_on;              // after: the referenced step's occurrence id ("" otherwise)
    std::optional<ResponseRecord> response;  // on_response: the response that triggered it

    // Missed occurrences of one series coalesce into its latest: the step, per State.
    std::string series() const { return step->id + "/" + only_state; }
    bool rolled() const { return due != nominal_due; }
    Occurrence sdk_view() const;  // what hooks see (response pointer into this object)
};

// All occurrences of every step of `campaign`, sorted by due instant then step
// order. `responses` feeds on_response triggers. Occurrences that would fall at or
// after their step's deadline are not produced at all.
OUTREACH_EXPORT std::vector<PlannedOccurrence> expand_occurrences(const Campaign& campaign,
                                                                  const std::vector<ResponseRecord>& responses);

// Only the occurrences one new response adds: its on_response steps and the
// `after` steps that follow them.
OUTREACH_EXPORT std::vector<PlannedOccurrence> expand_response(const Campaign& campaign, const ResponseRecord& response);

// The deadline instant of `step` for `state` (per-State deadlines need the State;
// empty `state` with a per-State deadline: none for the step as a whole).
OUTREACH_EXPORT std::optional<Instant> deadline_instant(const Campaign& campaign, const Step& step,
                                                        const std::string& state = {});
// "Sat 18 Aug → Fri 17 Aug" when `o` was rolled off a closed day (local dates
// in the campaign's zone); empty otherwise.
OUTREACH_EXPORT std::string describe_roll(const PlannedOccurrence& o);
OUTREACH_EXPORT std::string describe_trigger(const Campaign& campaign, const Step& step);
OUTREACH_EXPORT std::string describe_audience(const Audience& audience);

}  // namespace outreach
