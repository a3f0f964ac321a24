#include "outreach/calendar.hpp"
#include "outreach/language.hpp"
#include "outreach/workflow.hpp"

#include <charconv>
#include <algorithm>
#include <cstdio>

namespace outreach {
namespace {
bool parse_int(std::string_view text, int& value) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && ptr == text.data() + text.size();
}
}  // namespace

Date make_date(int year, unsigned month, unsigned day) {
    return std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
}

std::optional<Date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0, m = 0, d = 0;
    if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), m) || !parse_int(text.substr(8, 2), d))
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(static_cast<unsigned>(m)),
                                          std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd};
}

std::string format_date(Date date) {
    const std::chrono::year_month_day ymd{date};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string format_date_long(Date date) { return format_date_long(date, kDefaultLanguage); }

std::optional<LocalTime> parse_local_time(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    int h = 0, m = 0;
    if (!parse_int(text.substr(0, 2), h) || !parse_int(text.substr(3, 2), m)) return std::nullopt;
    if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
    return LocalTime{h, m};
}

std::string format_local_time(LocalTime time) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", time.hour, time.minute);
    return buf;
}

std::string format_instant_utc(Instant instant) {
    const auto day = std::chrono::floor<std::chrono::days>(instant);
    const std::chrono::hh_mm_ss hms{instant - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", format_date(day).c_str(), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}

}  // namespace outreach

namespace outreach {

Date apply_offset(Date date, const Offset& offset) {
    if (offset.months != 0) {
        using namespace std::chrono;
        const year_month_day ymd{date};
        const year_month shifted = year_month{ymd.year(), ymd.month()} + months{offset.months};
        const day last = year_month_day_last{shifted.year(), month_day_last{shifted.month()}}.day();
        date = sys_days{year_month_day{shifted.year(), shifted.month(), std::min(ymd.day(), last)}};
    }
    return date + offset.days;
}

}  // namespace outreach
