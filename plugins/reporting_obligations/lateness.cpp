#include "lateness.hpp"

#include "outreach/language.hpp"
#include "outreach/workflow.hpp"

namespace outreach::reporting_obligations {
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

std::string describe_lateness(const Lateness& late, std::string_view language) {
    if (late.months == 0) return format_duration({0, 0, late.days}, language);
    if (late.months < 12) return format_duration({0, late.months, 0}, language);
    return format_duration({late.months / 12, late.months % 12, 0}, language);
}

std::string ordinal_word(long n, std::string_view language) {
    static const char* const kWords[] = {"",      "first", "second",  "third", "fourth", "fifth",
                                         "sixth", "seventh", "eighth", "ninth", "tenth"};
    if (language == kDefaultLanguage && n >= 1 && n <= 10) return kWords[n];
    // French and Spanish letters say "la deuxième fois", "la segunda vez".
    return format_ordinal(static_cast<int>(n), language, Gender::Feminine);  // "11th", "onzième", "undécima"
}

}  // namespace outreach::reporting_obligations
