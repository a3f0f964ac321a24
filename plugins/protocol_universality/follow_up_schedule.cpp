#include "follow_up_schedule.hpp"

#include <libical/ical.h>

#include <chrono>
#include <memory>

namespace outreach::protocol_universality {
namespace {

struct IteratorDeleter {
    void operator()(icalrecur_iterator* it) const { icalrecur_iterator_free(it); }
};

icaltimetype floating_day(Date date) {
    const std::chrono::year_month_day ymd{date};
    icaltimetype t = icaltime_null_time();
    t.year = static_cast<int>(ymd.year());
    t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    t.hour = 9;  // any time of day: only dates matter here
    t.is_date = 0;
    return t;
}

}  // namespace

std::optional<Days> first_follow_up_offset(const std::string& rrule, Date letter_date, Date until) {
    icalerror_clear_errno();
    const icalrecurrencetype rule = icalrecurrencetype_from_string(rrule.c_str());
    if (rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
        const std::string reason = icalerrno != ICAL_NO_ERROR ? icalerror_strerror(icalerrno) : "no FREQ";
        icalerror_clear_errno();
        throw std::invalid_argument("'" + rrule + "' is not a valid RFC 5545 RRULE (" + reason +
                                    "), e.g. FREQ=MONTHLY;INTERVAL=6");
    }
    std::unique_ptr<icalrecur_iterator, IteratorDeleter> it{icalrecur_iterator_new(rule, floating_day(letter_date))};
    if (!it) throw std::invalid_argument("'" + rrule + "' cannot be iterated from the letter date");
    // Bounded: a rule like FREQ=DAILY reaches `until` quickly; this only guards
    // against rules whose occurrences never advance.
    for (int i = 0; i < 100000; ++i) {
        const icaltimetype next = icalrecur_iterator_next(it.get());
        if (icaltime_is_null_time(next)) return std::nullopt;
        const Date day = make_date(next.year, static_cast<unsigned>(next.month), static_cast<unsigned>(next.day));
        if (day >= until) return std::nullopt;
        if (day > letter_date) return day - letter_date;
    }
    return std::nullopt;
}

}  // namespace outreach::protocol_universality
