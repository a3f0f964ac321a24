#pragma once
// RFC 5545 RRULE expansion (libical) in floating local time; the caller maps each
// local occurrence to UTC in the campaign's zone, so "09:00" survives DST.
#include <string>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

struct LocalOccurrence {
    Date date;
    LocalTime time;
};

// Occurrences of `rrule` starting at `start_date` `start_time`, strictly before
// `until_date` 00:00, at most `limit` of them. Throws std::invalid_argument with
// libical's reason for a malformed rule.
OUTREACH_EXPORT std::vector<LocalOccurrence> expand_rrule(const std::string& rrule, Date start_date,
                                                          LocalTime start_time, Date until_date,
                                                          std::size_t limit = 1000);

// Empty when `rrule` parses, else the reason (for `validate`).
OUTREACH_EXPORT std::string check_rrule(const std::string& rrule);

}  // namespace outreach
