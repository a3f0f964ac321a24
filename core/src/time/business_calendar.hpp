#pragma once
// A business calendar: which days an office works. Weekend days plus a list of
// official holidays, read from a TOML file (docs/config-format.md, "Business
// calendars"; the shipped one is config/calendars/un-headquarters.toml).
// Letters and tasks are moved ("rolled") off days the office is closed: see
// roll_to_working_day and schedule/occurrences.cpp.
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/diagnostics.hpp"
#include "outreach/calendar.hpp"

namespace outreach {

class BusinessCalendar {
public:
    // Saturday and Sunday, no holidays: what a campaign without a calendar uses.
    OUTREACH_EXPORT static std::shared_ptr<const BusinessCalendar> weekends_only();

    std::filesystem::path file;  // empty for weekends_only()
    std::string name;            // "United Nations Headquarters (New York)"
    // Indexed by std::chrono::weekday::c_encoding() (0 = Sunday).
    std::array<bool, 7> weekend{true, false, false, false, false, false, true};
    std::map<Date, std::string> holidays;  // date -> "Good Friday"
    int first_year = 0;                    // the years the holiday list covers (0: none)
    int last_year = 0;

    OUTREACH_EXPORT bool is_working_day(Date date) const;
    // Why the office is closed on `date` ("Saturday", "Good Friday"); empty on a working day.
    OUTREACH_EXPORT std::string closed_because(Date date) const;
    // False for a year the holiday list does not cover (only weekends are known there).
    bool covers(Date date) const;
};

// Reads a calendar file. Every problem (syntax, unknown keys, a malformed or
// impossible date, a holiday outside its [[year]], a duplicate date or year, an
// unknown weekday) is appended to `out` with file:line:column and field;
// nullptr when there was any.
OUTREACH_EXPORT std::shared_ptr<const BusinessCalendar> load_business_calendar(const std::filesystem::path& file,
                                                                              Diagnostics& out);

// How a date off a working day is moved (Step::roll, resolved).
enum class RollDirection { Forward, Back, None };

// The working day nearest `date` in `direction` within [earliest, latest]
// (inclusive bounds; nullopt = unbounded). `date` itself when it is a working
// day or the direction is None; nullopt when no working day lies in range.
// A search never goes further than 366 days.
OUTREACH_EXPORT std::optional<Date> roll_to_working_day(const BusinessCalendar& calendar, Date date,
                                                        RollDirection direction, std::optional<Date> earliest,
                                                        std::optional<Date> latest);

// "Sat 18 Aug" (the day of the week and the date, as `plan` shows a shift).
OUTREACH_EXPORT std::string format_day_short(Date date);

}  // namespace outreach
