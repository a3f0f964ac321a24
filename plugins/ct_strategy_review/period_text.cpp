#include "period_text.hpp"

#include <cmath>

#include "outreach/language.hpp"

namespace outreach::ct_strategy_review {

int months_between(Date from, Date to) {
    if (!(from < to)) return 0;
    constexpr double kAverageMonthDays = 365.2425 / 12;
    return static_cast<int>(std::lround(static_cast<double>((to - from).count()) / kAverageMonthDays));
}

std::string period_text(int months, std::string_view language) {
    // Approximations, as a letter says them, per language: about / some / just over.
    struct Words {
        std::string_view about_a_month, some, a_year, just_over_a_year;
    };
    const Words words = language == "fr"   ? Words{"environ un mois", "quelque ", "un an", "un peu plus d'un an"}
                        : language == "es" ? Words{"aproximadamente un mes", "unos ", "un año", "poco más de un año"}
                                           : Words{"about a month", "some ", "a year", "just over a year"};
    const auto some = [&](int years, int in_months) {
        return std::string(words.some) + format_duration({years, in_months, 0}, language);
    };
    if (months <= 1) return std::string(words.about_a_month);
    if (months < 12) return some(0, months);
    if (months == 12) return std::string(words.a_year);
    if (months < 18) return std::string(words.just_over_a_year);
    if (months < 24) return some(0, months);
    return some(months / 12, 0);
}

}  // namespace outreach::ct_strategy_review
