#include "general_assembly_calendar.hpp"

#include <stdexcept>
#include <string>

namespace outreach::treaty_event {
namespace {
using std::chrono::Monday;
using std::chrono::Saturday;
using std::chrono::Sunday;
using std::chrono::weekday;

void require_rule_year(int year) {
    if (year < kFirstRuleYear)
        throw std::out_of_range("the General Assembly's opening rule is known from the 58th session (" +
                                std::to_string(kFirstRuleYear) + ") on; " + std::to_string(year) +
                                " is earlier: give the event dates explicitly");
}

// Monday of the first week (Mon-Sun) that holds a working day of September: when
// 1 September falls on a weekend, its week holds none, so counting starts a week later.
Date first_counted_monday(int year) {
    const Date september_first = make_date(year, 9, 1);
    const weekday day{september_first};
    if (day == Saturday || day == Sunday) return september_first + (Monday - day);
    return september_first - (day - Monday);
}
}  // namespace

Date regular_session_opening(int year) {
    require_rule_year(year);
    const int week = year >= kSecondWeekRuleYear ? 2 : 3;
    const Days to_tuesday{1};
    return first_counted_monday(year) + Days{7 * (week - 1)} + to_tuesday;
}

Date general_debate_opening(int year) {
    const int weeks_after_opening = year >= kSecondWeekRuleYear ? 2 : 1;
    return regular_session_opening(year) + Days{7 * weeks_after_opening};
}

int session_number(int year) { return year - 1945; }

}  // namespace outreach::treaty_event
