#include "time/business_calendar.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include <toml++/toml.h>

#include "config/input_limits.hpp"
#include "config/param_validation.hpp"
#include "config/toml_support.hpp"

namespace outreach {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTopKeys = {"name", "source", "weekend", "year"};
const std::vector<std::string> kYearKeys = {"year", "basis", "source", "note", "holidays"};
const std::vector<std::string> kHolidayKeys = {"date", "name"};
// circular: checked against the year's information circular; reconstructed: a
// circular exists but the dates were rebuilt from its rules; projected: no
// circular yet (movable feasts are estimates the issuing office fixes later).
const std::vector<std::string> kBases = {"circular", "reconstructed", "projected"};
const std::vector<std::string> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                            "Thursday", "Friday", "Saturday"};
const char* const kShortWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kShortMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int kMaxRollDays = 366;

unsigned weekday_index(Date date) { return std::chrono::weekday{date}.c_encoding(); }

int year_of(Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); }

class CalendarReader {
public:
    CalendarReader(const fs::path& file, Diagnostics& out) : file_(file), out_(out) {}

    void read(const toml::table& root, BusinessCalendar& calendar) {
        check_keys(root, kTopKeys, "");
        if (const toml::node* name = root.get("name")) {
            if (const auto* text = name->as_string())
                calendar.name = text->get();
            else
                wrong_type(*name, "name", "a string");
        }
        if (const toml::node* source = root.get("source"); source && !source->is_string())
            wrong_type(*source, "source", "a string");
        read_weekend(root, calendar);

        const toml::node* years = root.get("year");
        if (!years) return;  // weekends only
        const toml::array* list = years->as_array();
        if (!list || !list->is_array_of_tables()) {
            wrong_type(*years, "year", "an array of tables ([[year]])");
            return;
        }
        std::map<int, int> year_lines;
        for (std::size_t i = 0; i < list->size(); ++i) read_year(*list->get(i)->as_table(), i, year_lines, calendar);
        if (!year_lines.empty()) {
            calendar.first_year = year_lines.begin()->first;
            calendar.last_year = year_lines.rbegin()->first;
        }
    }

private:
    void report(const toml::source_region& where, std::string field, std::string message) {
        out_.push_back(Diagnostic{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                                  std::move(field), std::move(message)});
    }

    void wrong_type(const toml::node& node, const std::string& field, const std::string& expected) {
        report(node.source(), field, "expected " + expected + ", found " + describe_toml_type(node.type()));
    }

    void check_keys(const toml::table& table, const std::vector<std::string>& known, const std::string& prefix) {
        for (const auto& [key, value] : table) {
            const std::string name(key.str());
            if (std::find(known.begin(), known.end(), name) != known.end()) continue;
            const std::string hint = closest_match(name, known);
            std::string expected;
            for (const auto& k : known) expected += (expected.empty() ? "'" : ", '") + k + "'";
            report(key.source(), dotted_field(prefix, name),
                   "unknown key '" + name + "' (" + (hint.empty() ? "expected " + expected : "did you mean '" + hint + "'?") +
                       ")");
        }
    }

    void read_weekend(const toml::table& root, BusinessCalendar& calendar) {
        const toml::node* node = root.get("weekend");
        if (!node) return;  // Saturday and Sunday
        const toml::array* list = node->as_array();
        if (!list) {
            wrong_type(*node, "weekend", "a list of day names (e.g. [\"Saturday\", \"Sunday\"])");
            return;
        }
        calendar.weekend.fill(false);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& item = *list->get(i);
            const std::string field = indexed_field("weekend", i);
            const auto* text = item.as_string();
            if (!text) {
                wrong_type(item, field, "a day name");
                continue;
            }
            const auto it = std::find(kWeekdays.begin(), kWeekdays.end(), text->get());
            if (it == kWeekdays.end()) {
                const std::string hint = closest_match(text->get(), kWeekdays);
                report(item.source(), field,
                       "unknown day '" + text->get() + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                           "; days are written in English with a capital: \"Saturday\"");
                continue;
            }
            const auto index = static_cast<std::size_t>(it - kWeekdays.begin());
            if (calendar.weekend[index]) report(item.source(), field, "'" + text->get() + "' is listed twice");
            calendar.weekend[index] = true;
        }
        if (std::all_of(calendar.weekend.begin(), calendar.weekend.end(), [](bool closed) { return closed; }))
            report(node->source(), "weekend", "every day of the week is a weekend day: nothing could ever be sent");
    }

    void read_year(const toml::table& table, std::size_t index, std::map<int, int>& year_lines,
                   BusinessCalendar& calendar) {
        const std::string label = indexed_field("year", index);
        check_keys(table, kYearKeys, label);
        std::optional<int> year;
        if (const toml::node* node = table.get("year")) {
            const auto* value = node->as_integer();
            if (!value) {
                wrong_type(*node, label + ".year", "an integer (e.g. 2007)");
            } else if (value->get() < 1900 || value->get() > 2200) {
                report(node->source(), label + ".year", "year " + std::to_string(value->get()) + " is out of range (1900 to 2200)");
            } else {
                const int line = static_cast<int>(node->source().begin.line);
                const auto [it, inserted] = year_lines.emplace(static_cast<int>(value->get()), line);
                if (inserted)
                    year = static_cast<int>(value->get());
                else
                    report(node->source(), label + ".year",
                           "year " + std::to_string(value->get()) + " is listed twice (first at line " +
                               std::to_string(it->second) + ")");
            }
        } else {
            report(table.source(), label + ".year", "missing required key 'year'");
        }
        if (const toml::node* node = table.get("basis")) {
            const auto* value = node->as_string();
            if (!value) {
                wrong_type(*node, label + ".basis", "a string");
            } else if (std::find(kBases.begin(), kBases.end(), value->get()) == kBases.end()) {
                const std::string hint = closest_match(value->get(), kBases);
                report(node->source(), label + ".basis",
                       "unknown basis '" + value->get() + "' (" +
                           (hint.empty() ? "expected 'circular', 'reconstructed' or 'projected'"
                                         : "did you mean '" + hint + "'?") +
                           ")");
            }
        }
        for (const char* key : {"source", "note"})
            if (const toml::node* node = table.get(key); node && !node->is_string())
                wrong_type(*node, label + "." + key, "a string");

        const toml::node* holidays = table.get("holidays");
        if (!holidays) return;
        const toml::array* list = holidays->as_array();
        if (!list) {
            wrong_type(*holidays, label + ".holidays", "a list of { date = \"YYYY-MM-DD\", name = \"...\" }");
            return;
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& item = *list->get(i);
            const std::string field = indexed_field(label + ".holidays", i);
            if (const auto* holiday = item.as_table())
                read_holiday(*holiday, field, year, calendar);
            else
                wrong_type(item, field, "a table { date = \"YYYY-MM-DD\", name = \"...\" }");
        }
    }

    void read_holiday(const toml::table& table, const std::string& field, std::optional<int> year,
                      BusinessCalendar& calendar) {
        check_keys(table, kHolidayKeys, field);
        std::string name;
        if (const toml::node* node = table.get("name")) {
            if (const auto* text = node->as_string(); text && !text->get().empty())
                name = text->get();
            else if (text)
                report(node->source(), field + ".name", "the holiday's name is empty");
            else
                wrong_type(*node, field + ".name", "a string");
        } else {
            report(table.source(), field + ".name", "missing required key 'name'");
        }
        const toml::node* node = table.get("date");
        if (!node) {
            report(table.source(), field + ".date", "missing required key 'date'");
            return;
        }
        std::optional<Date> date;
        if (const auto* text = node->as_string()) {
            date = parse_date(text->get());
            if (!date) {
                report(node->source(), field + ".date",
                       "not a date: '" + text->get() + "' (expected YYYY-MM-DD, a real calendar date)");
                return;
            }
        } else if (const auto* native = node->as_date()) {
            const toml::date& d = native->get();
            date = parse_date(format_date(make_date(d.year, d.month, d.day)));
        } else {
            wrong_type(*node, field + ".date", "a date \"YYYY-MM-DD\"");
            return;
        }
        if (year && year_of(*date) != *year) {
            report(node->source(), field + ".date",
                   format_date(*date) + " is not in the year " + std::to_string(*year) + " this list is for");
            return;
        }
        const int line = static_cast<int>(node->source().begin.line);
        const auto [it, inserted] = first_line_.emplace(*date, line);
        if (!inserted) {
            report(node->source(), field + ".date",
                   "duplicate holiday " + format_date(*date) + " (first at line " + std::to_string(it->second) + ")");
            return;
        }
        if (!name.empty()) calendar.holidays.emplace(*date, name);
    }

    const fs::path& file_;
    Diagnostics& out_;
    std::map<Date, int> first_line_;
};

}  // namespace

std::shared_ptr<const BusinessCalendar> BusinessCalendar::weekends_only() {
    static const auto calendar = [] {
        auto c = std::make_shared<BusinessCalendar>();
        c->name = "weekends only (no calendar configured)";
        return c;
    }();
    return calendar;
}

bool BusinessCalendar::is_working_day(Date date) const {
    return !weekend[weekday_index(date)] && !holidays.count(date);
}

std::string BusinessCalendar::closed_because(Date date) const {
    if (auto it = holidays.find(date); it != holidays.end()) return it->second;
    if (weekend[weekday_index(date)]) return kWeekdays[weekday_index(date)];
    return {};
}

bool BusinessCalendar::covers(Date date) const {
    const int year = year_of(date);
    return first_year != 0 && year >= first_year && year <= last_year;
}

std::shared_ptr<const BusinessCalendar> load_business_calendar(const fs::path& file, Diagnostics& out) {
    const std::size_t before = out.size();
    std::optional<toml::table> root = parse_toml_file(file, InputLimits::kConfigBytes, "calendar", out);
    if (!root) return nullptr;
    auto calendar = std::make_shared<BusinessCalendar>();
    calendar->file = file;
    CalendarReader(file, out).read(*root, *calendar);
    if (out.size() != before) return nullptr;
    if (calendar->name.empty()) calendar->name = file.stem().string();
    return calendar;
}

std::optional<Date> roll_to_working_day(const BusinessCalendar& calendar, Date date, RollDirection direction,
                                        std::optional<Date> earliest, std::optional<Date> latest) {
    if (direction == RollDirection::None) return date;
    const Days step{direction == RollDirection::Forward ? 1 : -1};
    Date day = date;
    for (int i = 0; i <= kMaxRollDays; ++i, day += step) {
        if ((earliest && day < *earliest) || (latest && day > *latest)) return std::nullopt;
        if (calendar.is_working_day(day)) return day;
    }
    return std::nullopt;
}

std::string format_day_short(Date date) {
    const std::chrono::year_month_day ymd{date};
    return std::string(kShortWeekdays[weekday_index(date)]) + " " + std::to_string(static_cast<unsigned>(ymd.day())) +
           " " + kShortMonths[static_cast<unsigned>(ymd.month()) - 1];
}

}  // namespace outreach
