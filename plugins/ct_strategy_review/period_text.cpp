#include "period_text.hpp"

#include <cmath>

namespace outreach::ct_strategy_review {

int months_between(Date from, Date to) {
    if (!(from < to)) return 0;
    constexpr double kAverageMonthDays = 365.2425 / 12;
    return static_cast<int>(std::lround(static_cast<double>((to - from).count()) / kAverageMonthDays));
}

std::string period_text(int months) {
    if (months <= 1) return "about a month";
    if (months < 12) return "some " + std::to_string(months) + " months";
    if (months == 12) return "a year";
    if (months < 18) return "just over a year";
    if (months < 24) return "some " + std::to_string(months) + " months";
    return "some " + std::to_string(months / 12) + " years";
}

}  // namespace outreach::ct_strategy_review
