#pragma once
// Who a step addresses, resolved when it fires against the responses recorded by
// then ("responses win": a State that answered is not reminded).
#include <map>
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

// Responses recorded at or before `now`, in order.
OUTREACH_EXPORT std::vector<Response> responses_until(const std::vector<ResponseRecord>& records, Instant now);

// Responses grouped by State, each State's in time order.
OUTREACH_EXPORT std::map<std::string, std::vector<Response>> responses_by_state(const std::vector<Response>& responses);

// The States `occurrence` addresses at `now` (for a task: the States it reports
// on; empty for Staff). A per-State or on_response occurrence addresses its one
// State at most. Only States that were Members or observers on the occurrence's
// local date are addressed (State::status_on; the campaign's roster `status`
// filter applies to that standing), each as it was named then (Roster::as_of). States that recorded the step's `until_response`, and States
// whose own per-State deadline has passed, are left out.
OUTREACH_EXPORT std::vector<const State*> resolve_audience(const PlannedOccurrence& occurrence,
                                                           const std::vector<Response>& responses, Instant now);

// How many letters the occurrence would send at `now` (1 for a staff task): its
// audience x the addressee roles each State has in the roster.
OUTREACH_EXPORT std::size_t count_recipients(const PlannedOccurrence& occurrence, const std::vector<Response>& responses,
                                             Instant now);

}  // namespace outreach
