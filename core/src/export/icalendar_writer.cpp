// iCalendar output through libical's component API: libical writes the text,
// escaping and line folding included.
#include "export/icalendar_writer.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>

#include "time/timezone.hpp"

namespace outreach {
namespace {

struct ComponentFree {
    void operator()(icalcomponent* component) const { icalcomponent_free(component); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentFree>;

icaltimetype date_value(Date day) {
    const std::chrono::year_month_day ymd{day};
    icaltimetype t = icaltime_null_date();
    t.year = static_cast<int>(ymd.year());
    t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    return t;
}

// The wall-clock reading of `instant` shifted by `offset`, without a zone
// (the zone goes in a TZID parameter, or the value is a VTIMEZONE's local DTSTART).
icaltimetype local_value(Instant instant, std::chrono::seconds offset) {
    const auto local = instant + offset;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    icaltimetype t = date_value(Date{day});
    t.is_date = 0;
    const auto seconds = (local - day).count();
    t.hour = static_cast<int>(seconds / 3600);
    t.minute = static_cast<int>(seconds / 60 % 60);
    t.second = static_cast<int>(seconds % 60);
    return t;
}

icaltimetype utc_value(Instant instant) {
    icaltimetype t = local_value(instant, std::chrono::seconds{0});
    t.zone = icaltimezone_get_utc_timezone();
    return t;
}

icalcomponent* observance(const ZoneTransition& change) {
    icalcomponent* part = icalcomponent_new(change.dst_after ? ICAL_XDAYLIGHT_COMPONENT : ICAL_XSTANDARD_COMPONENT);
    // DTSTART of an observance is the local time of the change, read in the offset before it.
    icalcomponent_add_property(part, icalproperty_new_dtstart(local_value(change.at, change.offset_before)));
    icalcomponent_add_property(part, icalproperty_new_tzoffsetfrom(static_cast<int>(change.offset_before.count())));
    icalcomponent_add_property(part, icalproperty_new_tzoffsetto(static_cast<int>(change.offset_after.count())));
    if (!change.abbrev_after.empty())
        icalcomponent_add_property(part, icalproperty_new_tzname(change.abbrev_after.c_str()));
    return part;
}

// The zone as the tz database has it from `from` to `to`: the observance in
// force at `from`, then one per transition (historical rules kept exact, e.g.
// the United States' DST dates before and after 2007).
icalcomponent* vtimezone(const std::string& zone, Instant from, Instant to) {
    icalcomponent* tz = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT);
    icalcomponent_add_property(tz, icalproperty_new_tzid(zone.c_str()));
    ZoneTransition initial = zone_state_at(from, zone);
    initial.at = from - initial.offset_after;  // 00:00 local on the first day
    icalcomponent_add_component(tz, observance(initial));
    for (const auto& change : zone_transitions(from, to, zone)) icalcomponent_add_component(tz, observance(change));
    return tz;
}

Date first_of_year(int year) { return Date{std::chrono::year{year} / std::chrono::January / 1}; }

}  // namespace

std::string build_icalendar(const std::vector<CalendarEvent>& events, Instant stamp, const std::string& product) {
    ComponentPtr calendar(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    icalcomponent_add_property(calendar.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_prodid(product.c_str()));
    icalcomponent_add_property(calendar.get(), icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_method(ICAL_METHOD_PUBLISH));

    // Each zone's VTIMEZONE covers whole years around its events.
    std::map<std::string, std::pair<int, int>> years_of_zone;
    for (const auto& e : events) {
        if (e.date) continue;
        const int year = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(e.start)}.year());
        auto [span, fresh] = years_of_zone.try_emplace(e.zone, year, year);
        span->second.first = std::min(span->second.first, year);
        span->second.second = std::max(span->second.second, year);
    }
    for (const auto& [zone, span] : years_of_zone)
        icalcomponent_add_component(calendar.get(),
                                    vtimezone(zone, Instant{first_of_year(span.first - 1)}, Instant{first_of_year(span.second + 2)}));

    for (const auto& e : events) {
        icalcomponent* event = icalcomponent_new(ICAL_VEVENT_COMPONENT);
        icalcomponent_add_component(calendar.get(), event);  // owned by the calendar from here
        icalcomponent_add_property(event, icalproperty_new_uid(e.uid.c_str()));
        icalcomponent_add_property(event, icalproperty_new_dtstamp(utc_value(stamp)));
        if (e.date) {
            icalcomponent_add_property(event, icalproperty_new_dtstart(date_value(*e.date)));
            icalcomponent_add_property(event, icalproperty_new_dtend(date_value(*e.date + Days{1})));
            icalcomponent_add_property(event, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
        } else {
            // Zero duration (DTSTART alone): the instant a letter or task is due.
            const auto offset = zone_state_at(e.start, e.zone).offset_after;
            icalproperty* start = icalproperty_new_dtstart(local_value(e.start, offset));
            icalproperty_add_parameter(start, icalparameter_new_tzid(e.zone.c_str()));
            icalcomponent_add_property(event, start);
        }
        icalcomponent_add_property(event, icalproperty_new_summary(e.summary.c_str()));
        if (!e.description.empty())
            icalcomponent_add_property(event, icalproperty_new_description(e.description.c_str()));
        if (!e.categories.empty())
            icalcomponent_add_property(event, icalproperty_new_categories(e.categories.c_str()));
    }

    char* text = icalcomponent_as_ical_string_r(calendar.get());  // ours to free
    if (!text) throw std::runtime_error("libical could not write the calendar: " + std::string(icalerror_strerror(icalerrno)));
    std::string out(text);
    icalmemory_free_buffer(text);
    return out;
}

}  // namespace outreach
