#include "lateness.hpp"

#include "outreach/language.hpp"
#include "outreach/workflow.hpp"

namespace outreach::reporting_obligations {
namespace {

std::string plural(long n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); }

}  // namespace

Lateness lateness(Date due, Date today) {
    Lateness late;
    if (today <= due) return late;
    late.days = static_cast<int>((today - due).count());
    // A first guess from the calendar fields, corrected by clamped month arithmetic.
    const std::chrono::year_month_day a{due}, b{today};
    int months = (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
                 (static_cast<int>(static_cast<unsigned>(b.month())) - static_cast<int>(static_cast<unsigned>(a.month())));
    while (months > 0 && apply_offset(due, Offset::in_months(months)) > today) --months;
    while (apply_offset(due, Offset::in_months(months + 1)) <= today) ++months;
    late.months = months;
    return late;
}

std::string describe_lateness(const Lateness& late) {
    if (late.months == 0) return plural(late.days, "day");
    if (late.months < 12) return plural(late.months, "month");
    const int years = late.months / 12, months = late.months % 12;
    if (months == 0) return plural(years, "year");
    return plural(years, "year") + " and " + plural(months, "month");
}

std::string number_word(long n) {
    static const char* const kWords[] = {"no", "one", "two", "three", "four", "five",
                                         "six", "seven", "eight", "nine", "ten"};
    if (n >= 0 && n <= 10) return kWords[n];
    return std::to_string(n);
}

std::string ordinal_word(long n) {
    static const char* const kWords[] = {"",      "first", "second",  "third", "fourth", "fifth",
                                         "sixth", "seventh", "eighth", "ninth", "tenth"};
    if (n >= 1 && n <= 10) return kWords[n];
    return format_ordinal(static_cast<int>(n), kDefaultLanguage);  // "11th", "21st", "112th"
}

}  // namespace outreach::reporting_obligations
