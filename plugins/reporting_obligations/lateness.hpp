#pragma once
// How late a report is, as the staff reports and the letters say it.
#include <string>
#include <string_view>

#include "outreach/language.hpp"

#include "outreach/calendar.hpp"

namespace outreach::reporting_obligations {

struct Lateness {
    int months = 0;  // whole calendar months since the due date
    int days = 0;    // days since the due date
};

// On `today`, a report due on `due` is late when today is after the due date.
// Whole months count from the due date with end-of-month clamping (due 31 January:
// one month late on 28/29 February).
Lateness lateness(Date due, Date today);

// "12 days", "1 month", "7 months", "1 year", "2 years and 3 months"; in French
// and Spanish "deux ans et trois mois", "dos años y tres meses".
std::string describe_lateness(const Lateness& late, std::string_view language = kDefaultLanguage);

// How many times: "first", "second", ... "tenth", then "11th"; in French and
// Spanish before a feminine noun (fois, vez): "deuxième", "segunda".
std::string ordinal_word(long n, std::string_view language = kDefaultLanguage);

}  // namespace outreach::reporting_obligations
