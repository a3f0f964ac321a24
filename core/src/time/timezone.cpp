#include "time/timezone.hpp"

#include <date/tz.h>

#include <stdexcept>

namespace outreach {
namespace {
const date::time_zone* zone_named(const std::string& zone) {
    // Every occurrence of a campaign is in the same zone: remember the last one.
    thread_local std::string last_name;
    thread_local const date::time_zone* last_zone = nullptr;
    if (last_zone && zone == last_name) return last_zone;
    try {
        last_zone = date::locate_zone(zone);
        last_name = zone;
        return last_zone;
    } catch (const std::exception&) {
        throw std::runtime_error("unknown time zone '" + zone + "'");
    }
}
}  // namespace

Instant to_instant(Date day, LocalTime time, const std::string& zone) {
    const auto* tz = zone_named(zone);
    const date::local_seconds local{day.time_since_epoch() + std::chrono::hours(time.hour) +
                                    std::chrono::minutes(time.minute)};
    const auto info = tz->get_info(local);
    switch (info.result) {
        case date::local_info::unique:
        case date::local_info::ambiguous:  // first occurrence: the earlier offset
            return Instant{local.time_since_epoch() - info.first.offset};
        case date::local_info::nonexistent:
            // Read the wall time with the offset in force before the gap: lands
            // as far past the transition as the wall time was past it.
            return Instant{local.time_since_epoch() - info.first.offset};
    }
    return Instant{local.time_since_epoch() - info.first.offset};
}

Instant start_of_day(Date day, const std::string& zone) { return to_instant(day, LocalTime{0, 0}, zone); }

Date local_date(Instant instant, const std::string& zone) {
    const auto local = zone_named(zone)->to_local(instant);
    return Date{std::chrono::floor<std::chrono::days>(local).time_since_epoch()};
}

std::string format_local(Instant instant, const std::string& zone) {
    const auto* tz = zone_named(zone);
    return date::format("%Y-%m-%d %H:%M %Z", date::make_zoned(tz, instant));
}

}  // namespace outreach
