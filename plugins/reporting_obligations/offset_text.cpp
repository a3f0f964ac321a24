#include "offset_text.hpp"

#include <cctype>
#include <cstdlib>

#include "outreach/language.hpp"

namespace outreach::reporting_obligations {
namespace {

[[noreturn]] void bad(std::string_view text, const std::string& why) {
    throw OffsetError("'" + std::string(text) + "' " + why +
                      "; write an offset as a number and a unit, e.g. \"-3m\" (3 months before), \"-14d\" (14 days "
                      "before), \"+1m\" (1 month after), \"-1m15d\"");
}

}  // namespace

Offset parse_offset(std::string_view text) {
    std::string_view rest = text;
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
    if (rest.empty()) bad(text, "is empty");
    int sign = 1;
    if (rest.front() == '-' || rest.front() == '+') {
        sign = rest.front() == '-' ? -1 : 1;
        rest.remove_prefix(1);
    }
    if (rest.empty()) bad(text, "has a sign but no number");

    static constexpr char kUnits[] = {'y', 'm', 'w', 'd'};
    long years = 0, months = 0, weeks = 0, days = 0;
    long* slots[] = {&years, &months, &weeks, &days};
    std::size_t next_unit = 0;  // units must come in the order y, m, w, d, each once
    while (!rest.empty()) {
        if (!std::isdigit(static_cast<unsigned char>(rest.front())))
            bad(text, std::string("has '") + rest.front() + "' where a number was expected");
        long number = 0;
        std::size_t digits = 0;
        while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
            if (digits >= 5) bad(text, "has a number that is far too large");
            number = number * 10 + (rest[digits] - '0');
            ++digits;
        }
        rest.remove_prefix(digits);
        if (rest.empty()) bad(text, "has a number without a unit (y, m, w or d)");
        if (std::isspace(static_cast<unsigned char>(rest.front())))
            bad(text, "has a space after a number; a unit is one letter right after it (y, m, w or d)");
        const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(rest.front())));
        rest.remove_prefix(1);
        std::size_t index = 0;
        while (index < std::size(kUnits) && kUnits[index] != unit) ++index;
        if (index == std::size(kUnits)) bad(text, std::string("has the unknown unit '") + unit + "' (use y, m, w or d)");
        if (index < next_unit) bad(text, "repeats a unit or gives them out of order (y, m, w, d)");
        *slots[index] = number;
        next_unit = index + 1;
    }
    const long total_months = years * 12 + months;
    const long total_days = weeks * 7 + days;
    if (total_months > kMaxOffsetMonths)
        bad(text, "is more than " + std::to_string(kMaxOffsetMonths / 12) + " years");
    if (total_days > kMaxOffsetDays) bad(text, "is more than " + std::to_string(kMaxOffsetDays) + " days");
    Offset offset;
    offset.months = static_cast<int>(sign * total_months);
    offset.days = Days{sign * total_days};
    return offset;
}

int offset_sign(const Offset& offset) {
    if (offset.months < 0 || offset.days.count() < 0) return -1;
    if (offset.months > 0 || offset.days.count() > 0) return 1;
    return 0;
}

std::string offset_label(const Offset& offset) {
    const long months = std::labs(offset.months);
    const long days = std::labs(static_cast<long>(offset.days.count()));
    std::string label;
    if (months != 0) label += std::to_string(months) + "m";
    if (days != 0 || months == 0) label += std::to_string(days) + "d";
    return label;
}

std::string describe_offset(const Offset& offset, std::string_view language) {
    return format_duration({0, static_cast<int>(std::labs(offset.months)), std::labs(static_cast<long>(offset.days.count()))},
                           language);
}

}  // namespace outreach::reporting_obligations
