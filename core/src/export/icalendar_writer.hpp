#pragma once
// iCalendar (RFC 5545) files built with libical: all-day events for dates
// (milestones, deadlines), timed events in a named zone (step occurrences), and
// one VTIMEZONE per zone used, derived from the tz database for the years the
// events cover, so a calendar shows 09:00 local on both sides of a DST change.
#include <optional>
#include <string>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

struct CalendarEvent {
    std::string uid;          // stable across exports: importing again updates the event
    std::string summary;
    std::string description;  // may be empty
    std::string categories;   // may be empty, e.g. "deadline"
    // All-day when `date` is set; otherwise a timed event at `start` in `zone`.
    std::optional<Date> date;
    Instant start{};
    std::string zone;
};

// `stamp` becomes every event's DTSTAMP (UTC); `product` the PRODID.
OUTREACH_EXPORT std::string build_icalendar(const std::vector<CalendarEvent>& events, Instant stamp,
                                            const std::string& product);

}  // namespace outreach
