#include "schedule/recurrence.hpp"

#include <libical/ical.h>

#include <memory>
#include <stdexcept>

namespace outreach {
namespace {
struct IteratorDeleter {
    void operator()(icalrecur_iterator* it) const { icalrecur_iterator_free(it); }
};

icalrecurrencetype parse_rule(const std::string& rrule) {
    icalerror_clear_errno();
    icalrecurrencetype rule = icalrecurrencetype_from_string(rrule.c_str());
    if (rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
        const std::string reason = icalerrno != ICAL_NO_ERROR ? icalerror_strerror(icalerrno) : "no FREQ";
        icalerror_clear_errno();
        throw std::invalid_argument("invalid RRULE '" + rrule + "': " + reason);
    }
    return rule;
}
}  // namespace

std::string check_rrule(const std::string& rrule) {
    try {
        parse_rule(rrule);
        return {};
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
}

std::vector<LocalOccurrence> expand_rrule(const std::string& rrule, Date start_date, LocalTime start_time,
                                          Date until_date, std::size_t limit) {
    const icalrecurrencetype rule = parse_rule(rrule);
    const std::chrono::year_month_day ymd{start_date};
    icaltimetype start = icaltime_null_time();
    start.year = static_cast<int>(ymd.year());
    start.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    start.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    start.hour = start_time.hour;
    start.minute = start_time.minute;
    start.is_date = 0;  // floating date-time: no zone attached

    std::unique_ptr<icalrecur_iterator, IteratorDeleter> it{icalrecur_iterator_new(rule, start)};
    if (!it) throw std::invalid_argument("invalid RRULE '" + rrule + "': cannot iterate from the start date");

    std::vector<LocalOccurrence> out;
    for (icaltimetype next = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(next) && out.size() < limit;
         next = icalrecur_iterator_next(it.get())) {
        const Date day = make_date(next.year, static_cast<unsigned>(next.month), static_cast<unsigned>(next.day));
        if (day >= until_date) break;
        out.push_back({day, LocalTime{next.hour, next.minute}});
    }
    return out;
}

}  // namespace outreach
