#include "due_dates_file.hpp"

#include <algorithm>
#include <cctype>

#include "outreach/text_file.hpp"

namespace outreach::reporting_obligations {
namespace {

constexpr std::string_view kHeader = "state,due_date";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

[[noreturn]] void fail(const std::filesystem::path& file, int line, std::size_t column, const std::string& message) {
    throw DueDatesError(file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& message) {
    throw DueDatesError(file.string() + ": " + message);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// One comma-separated field: its text without surrounding blanks and the
// (1-based) column where that text starts.
struct Field {
    std::string_view text;
    std::size_t column = 1;
};

std::vector<Field> split_fields(std::string_view line) {
    std::vector<Field> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
        std::size_t b = start, e = end;
        while (b < e && is_blank(line[b])) ++b;
        while (e > b && is_blank(line[e - 1])) --e;
        fields.push_back({line.substr(b, e - b), b + 1});
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return fields;
}

bool blank_line(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return is_blank(c); });
}

// Shown in messages: the text of a field, shortened when it is long.
std::string quoted(std::string_view text) {
    constexpr std::size_t kShown = 40;
    if (text.size() <= kShown) return "'" + std::string(text) + "'";
    return "'" + std::string(text.substr(0, kShown)) + "...'";
}

}  // namespace

DueDates parse_due_dates(std::string_view text, const std::filesystem::path& file,
                         const std::function<bool(const std::string&)>& known_state) {
    DueDates result;
    result.file = file;
    if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) text.remove_prefix(kByteOrderMark.size());
    if (std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
        fail(file, "the file is empty; it must start with the header line state,due_date, then one line per State, "
                   "e.g. MLI,2009-03-01");

    int line_number = 0;
    bool header_seen = false;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t newline = text.find('\n', at);
        std::string_view line = text.substr(at, newline == std::string_view::npos ? std::string_view::npos : newline - at);
        at = newline == std::string_view::npos ? text.size() : newline + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find('\0') != std::string_view::npos)
            fail(file, line_number, line.find('\0') + 1, "contains a NUL byte; this is not a text file");

        if (!header_seen) {
            const auto fields = split_fields(line);
            const bool is_header = fields.size() == 2 && fields[0].text == "state" && fields[1].text == "due_date";
            if (!is_header)
                fail(file, line_number, 1,
                     "the first line must be the header state,due_date, found " + quoted(line));
            header_seen = true;
            continue;
        }
        if (blank_line(line)) continue;

        const auto fields = split_fields(line);
        if (fields.size() < 2)
            fail(file, line_number, 1,
                 "one field, expected two: a State code and its due date, e.g. MLI,2009-03-01");
        if (fields.size() > 2)
            fail(file, line_number, fields[2].column - 1,
                 std::to_string(fields.size()) + " fields, expected two (state,due_date); nothing may follow the "
                                                 "due date");

        const Field& code_field = fields[0];
        if (code_field.text.empty()) fail(file, line_number, code_field.column, "the State code is missing");
        const bool letters = code_field.text.size() == 3 &&
                             std::all_of(code_field.text.begin(), code_field.text.end(),
                                         [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
        if (!letters)
            fail(file, line_number, code_field.column,
                 quoted(code_field.text) + " is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
        std::string code(code_field.text);
        for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (known_state && !known_state(code))
            fail(file, line_number, code_field.column,
                 code + " is not a State of the campaign's roster (check the code, and the campaign's [roster] "
                        "filter)");

        const Field& date_field = fields[1];
        if (date_field.text.empty()) fail(file, line_number, date_field.column, "the due date of " + code + " is missing");
        const auto due = parse_date(date_field.text);
        if (!due)
            fail(file, line_number, date_field.column,
                 quoted(date_field.text) + " is not a calendar date in the form YYYY-MM-DD, e.g. 2009-03-01");

        if (const auto seen = result.index.find(code); seen != result.index.end())
            fail(file, line_number, code_field.column,
                 code + " is listed twice (first on line " + std::to_string(result.rows[seen->second].line) +
                     "); a State has one due date");
        result.index.emplace(code, result.rows.size());
        result.rows.push_back({code, *due, line_number, date_field.column});
    }
    if (result.rows.empty())
        fail(file, "lists no State: add one line per State after the header, e.g. MLI,2009-03-01");
    return result;
}

DueDates read_due_dates(const std::filesystem::path& file, const std::function<bool(const std::string&)>& known_state,
                        std::size_t max_bytes) {
    try {
        const TextFile csv = read_text_file({}, file, max_bytes);
        return parse_due_dates(csv.text, csv.path, known_state);
    } catch (const TextFileError& e) {
        throw DueDatesError(e.what());
    }
}

}  // namespace outreach::reporting_obligations
