#include "time/timezone.hpp"

#include <date/tz.h>

#include <cstdio>
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

LocalTime local_time_of(Instant instant, const std::string& zone) {
    const auto local = zone_named(zone)->to_local(instant);
    const auto minutes =
        std::chrono::duration_cast<std::chrono::minutes>(local - std::chrono::floor<std::chrono::days>(local)).count();
    return LocalTime{static_cast<int>(minutes / 60), static_cast<int>(minutes % 60)};
}

std::string format_local(Instant instant, const std::string& zone) {
    // By hand rather than date::format: `plan` formats every occurrence.
    const auto info = zone_named(zone)->get_info(instant);
    const auto local = instant + info.offset;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day ymd{day};
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(local - day).count();
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d %s", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(minutes / 60),
                  static_cast<int>(minutes % 60), info.abbrev.c_str());
    return text;
}

std::string format_local_with_zone(Instant instant, const std::string& zone) {
    return format_local(instant, zone) + " (" + zone + ")";
}

ZoneTransition zone_state_at(Instant instant, const std::string& zone) {
    const auto info = zone_named(zone)->get_info(instant);
    return {Instant{info.begin}, info.offset, info.offset, info.abbrev, info.save != std::chrono::minutes{0}};
}

std::vector<ZoneTransition> zone_transitions(Instant from, Instant to, const std::string& zone) {
    const auto* tz = zone_named(zone);
    std::vector<ZoneTransition> out;
    auto info = tz->get_info(from);
    // A zone's last period ends at sys_seconds::max(): stop there.
    while (info.end < to && info.end < date::sys_seconds::max()) {
        const auto next = tz->get_info(info.end);
        if (next.offset != info.offset || next.abbrev != info.abbrev)
            out.push_back({Instant{next.begin}, info.offset, next.offset, next.abbrev,
                           next.save != std::chrono::minutes{0}});
        info = next;
    }
    return out;
}

}  // namespace outreach
