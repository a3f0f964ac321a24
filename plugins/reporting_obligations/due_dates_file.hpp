#pragma once
// The due-dates file of a reporting_obligations campaign: a CSV file with the
// header `state,due_date` and one row per State, e.g.
//
//     state,due_date
//     MLI,2009-03-01
//     FRA,2009-04-15
//
// Codes are ISO 3166-1 alpha-3 (any case) of States in the campaign's roster,
// dates ISO 8601 (YYYY-MM-DD). Spaces around a field are ignored, blank lines are
// skipped, CRLF line ends and a UTF-8 byte-order mark are accepted; there is no
// quoting (no field needs a comma). Every mistake is refused as
// `file:line:column: message`.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach::reporting_obligations {

struct DueDatesError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct DueDateRow {
    std::string state;  // alpha-3, upper case
    Date due;
    int line = 0;       // in the file, from 1 (the header is line 1)
    std::size_t due_column = 1;  // where the date starts on its line
};

struct DueDates {
    std::filesystem::path file;
    std::vector<DueDateRow> rows;            // in file order
    std::map<std::string, std::size_t> index;  // alpha-3 -> position in rows

    const DueDateRow* find(const std::string& state) const {
        const auto it = index.find(state);
        return it == index.end() ? nullptr : &rows[it->second];
    }
    std::size_t size() const { return rows.size(); }
};

// A due-dates file may not be larger than this (195 States take about 3 KiB).
inline constexpr std::size_t kMaxDueDatesBytes = 1024 * 1024;

// `known_state(code)`: whether an upper-case alpha-3 code is a State of the
// campaign's roster. Throws DueDatesError.
DueDates parse_due_dates(std::string_view text, const std::filesystem::path& file,
                         const std::function<bool(const std::string&)>& known_state);

// Reads and parses `file` with the SDK's bounded reader (outreach/text_file.hpp):
// refuses anything but a regular file, a file larger than `max_bytes` (before
// reading it), and bytes that are not UTF-8.
DueDates read_due_dates(const std::filesystem::path& file, const std::function<bool(const std::string&)>& known_state,
                        std::size_t max_bytes = kMaxDueDatesBytes);

}  // namespace outreach::reporting_obligations
