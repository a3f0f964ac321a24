#pragma once
// Who a step addresses, resolved when it fires against the responses recorded by
// then ("responses win": a State that answered is not reminded).
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"

namespace outreach {

// Responses recorded at or before `now`, in order.
OUTREACH_EXPORT std::vector<Response> responses_until(const std::vector<ResponseRecord>& records, Instant now);

// The States of `campaign`'s roster in `audience` (empty for Staff). When
// `only_state` is set (on_response occurrences) the result is that State at most.
OUTREACH_EXPORT std::vector<const State*> resolve_audience(const Campaign& campaign, const Audience& audience,
                                                           const std::vector<Response>& responses,
                                                           const std::string& only_state = {});

// How many letters `step` would send now (1 for a staff task): audience x the
// addressee roles each State has in the roster.
OUTREACH_EXPORT std::size_t count_recipients(const Campaign& campaign, const Step& step,
                                             const std::vector<Response>& responses,
                                             const std::string& only_state = {});

}  // namespace outreach
