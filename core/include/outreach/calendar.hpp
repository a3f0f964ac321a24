#pragma once
// Dates, local times of day and UTC instants shared by the SDK.
// Milestones are calendar dates in the campaign's zone; the core turns them into
// UTC instants, so plugins never deal with time zones themselves.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "outreach/version.hpp"

namespace outreach {

using Date = std::chrono::sys_days;                // a calendar date (no zone)
using Instant = std::chrono::sys_seconds;          // a UTC instant
using Days = std::chrono::days;

struct LocalTime {
    int hour = 9;
    int minute = 0;
    friend bool operator==(const LocalTime&, const LocalTime&) = default;
};

struct DateRange {
    Date first;
    Date last;  // inclusive
    friend bool operator==(const DateRange&, const DateRange&) = default;
};

OUTREACH_EXPORT Date make_date(int year, unsigned month, unsigned day);
// "YYYY-MM-DD"; nullopt when malformed or not a real calendar date.
OUTREACH_EXPORT std::optional<Date> parse_date(std::string_view text);
OUTREACH_EXPORT std::string format_date(Date date);                 // 2007-09-01
OUTREACH_EXPORT std::string format_date_long(Date date);            // 1 September 2007
// "HH:MM" (24 h); nullopt when malformed.
OUTREACH_EXPORT std::optional<LocalTime> parse_local_time(std::string_view text);
OUTREACH_EXPORT std::string format_local_time(LocalTime time);
OUTREACH_EXPORT std::string format_instant_utc(Instant instant);    // 2007-05-09T13:00:00Z

}  // namespace outreach
