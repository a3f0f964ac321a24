#pragma once
// Local calendar time in a campaign's zone <-> UTC instants (date/tz, system tz db).
#include <chrono>
#include <string>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

// The UTC instant of `date` at `time` in `zone`. DST rules (like cron's):
// a local time that does not exist (spring-forward gap) moves forward by the
// gap (02:30 -> 03:30); an ambiguous one (fall-back) is its first occurrence,
// so it fires once. Throws std::runtime_error for an unknown zone.
OUTREACH_EXPORT Instant to_instant(Date date, LocalTime time, const std::string& zone);
// Start of `date` (00:00 local) — the instant a deadline on that date begins.
OUTREACH_EXPORT Instant start_of_day(Date date, const std::string& zone);
OUTREACH_EXPORT Date local_date(Instant instant, const std::string& zone);
// The wall-clock time of `instant` in `zone` (seconds dropped).
OUTREACH_EXPORT LocalTime local_time_of(Instant instant, const std::string& zone);
// "2007-05-09 09:00 EDT"
OUTREACH_EXPORT std::string format_local(Instant instant, const std::string& zone);
// "2007-05-09 09:00 EDT (America/New_York)": where an abbreviation alone is ambiguous.
OUTREACH_EXPORT std::string format_local_with_zone(Instant instant, const std::string& zone);

// One change of a zone's UTC offset or abbreviation (a DST start or end, or a
// change of the zone's rules), from the tz database.
struct ZoneTransition {
    Instant at;
    std::chrono::seconds offset_before, offset_after;
    std::string abbrev_after;  // "EDT"
    bool dst_after = false;
};
// The offset and abbreviation in force at `instant`, as a transition that had
// happened by then (`at` is when it began; offset_before == offset_after).
OUTREACH_EXPORT ZoneTransition zone_state_at(Instant instant, const std::string& zone);
// Every transition in [from, to), in order.
OUTREACH_EXPORT std::vector<ZoneTransition> zone_transitions(Instant from, Instant to, const std::string& zone);

}  // namespace outreach
