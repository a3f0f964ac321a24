#pragma once
// Spans of time as a letter words them: "just over a year", "some 10 months".
#include <string>
#include <string_view>

#include "outreach/calendar.hpp"

namespace outreach::ct_strategy_review {

// Whole months from `from` to `to`, rounded to the nearest month (0 when `to`
// is not after `from`).
int months_between(Date from, Date to);

// "some 10 months", "a year", "just over a year", "some 18 months", "some 2 years";
// "quelque dix mois" / "unos diez meses" in French and Spanish (figures from 10).
std::string period_text(int months, std::string_view language = "en");

}  // namespace outreach::ct_strategy_review
