#pragma once
// Local calendar time in a campaign's zone <-> UTC instants (date/tz, system tz db).
#include <string>

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

}  // namespace outreach
