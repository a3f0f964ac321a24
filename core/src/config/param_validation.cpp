#include "config/param_validation.hpp"

#include "config/toml_support.hpp"

#include <algorithm>
#include <optional>

namespace outreach {
namespace fs = std::filesystem;

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// Converts one option's TOML value; every problem goes to the diagnostics and
// yields nullopt.
class OptionReader {
public:
    OptionReader(const fs::path& file, Diagnostics& out) : file_(file), out_(out) {}

    std::optional<OptionValue> read(const toml::node& node, OptionType type, const std::string& field) {
        switch (type) {
            case OptionType::String: return scalar<std::string>(node, field, "a string");
            case OptionType::Integer: return scalar<std::int64_t>(node, field, "an integer");
            case OptionType::Boolean: return scalar<bool>(node, field, "a boolean (true or false)");
            case OptionType::Date: return wrap(date(node, field));
            case OptionType::Time: return wrap(time(node, field));
            case OptionType::StringList: return list<std::string>(node, field, "a list of strings", "a string");
            case OptionType::IntegerList: return list<std::int64_t>(node, field, "a list of integers", "an integer");
            case OptionType::DateRanges: return wrap(date_ranges(node, field));
        }
        return std::nullopt;
    }

    void report(const toml::source_region& where, std::string field, std::string message) {
        out_.push_back(Diagnostic{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                                  std::move(field), std::move(message)});
    }

private:
    template <typename T>
    static std::optional<OptionValue> wrap(std::optional<T> value) {
        if (!value) return std::nullopt;
        return OptionValue{std::move(*value)};
    }

    void wrong_type(const toml::node& node, const std::string& field, const std::string& expected) {
        report(node.source(), field, "expected " + expected + ", found " + describe_toml_type(node.type()));
    }

    template <typename T>
    std::optional<T> value_of(const toml::node& node, const std::string& field, const std::string& expected) {
        if (const auto* value = node.as<T>()) return value->get();
        wrong_type(node, field, expected);
        return std::nullopt;
    }

    template <typename T>
    std::optional<OptionValue> scalar(const toml::node& node, const std::string& field, const std::string& expected) {
        return wrap(value_of<T>(node, field, expected));
    }

    template <typename T>
    std::optional<OptionValue> list(const toml::node& node, const std::string& field, const std::string& expected,
                                    const std::string& element_expected) {
        const auto* array = node.as_array();
        if (!array) {
            wrong_type(node, field, expected);
            return std::nullopt;
        }
        std::vector<T> items;
        bool ok = true;
        for (std::size_t i = 0; i < array->size(); ++i) {
            auto item = value_of<T>((*array)[i], indexed_field(field, i), element_expected);
            if (item) {
                items.push_back(std::move(*item));
            } else {
                ok = false;
            }
        }
        if (!ok) return std::nullopt;
        return OptionValue{std::move(items)};
    }

    // A TOML date (2007-09-01) or the string "2007-09-01".
    std::optional<Date> date(const toml::node& node, const std::string& field) {
        if (const auto* value = node.as_date()) {
            const toml::date d = value->get();
            return make_date(d.year, d.month, d.day);
        }
        if (const auto* text = node.as_string()) {
            if (auto parsed = parse_date(text->get())) return parsed;
            report(node.source(), field, "not a date (expected YYYY-MM-DD): '" + text->get() + "'");
            return std::nullopt;
        }
        wrong_type(node, field, "a date (YYYY-MM-DD)");
        return std::nullopt;
    }

    std::optional<LocalTime> time(const toml::node& node, const std::string& field) {
        const auto* text = node.as_string();
        if (!text) {
            wrong_type(node, field, "a time of day as a string \"HH:MM\"");
            return std::nullopt;
        }
        if (auto parsed = parse_local_time(text->get())) return parsed;
        report(node.source(), field, "not a time of day (expected HH:MM, 00:00 to 23:59): '" + text->get() + "'");
        return std::nullopt;
    }

    std::optional<std::vector<DateRange>> date_ranges(const toml::node& node, const std::string& field) {
        const auto* array = node.as_array();
        if (!array) {
            wrong_type(node, field, "a list of date ranges ([first, last], {from = ..., to = ...} or one date)");
            return std::nullopt;
        }
        std::vector<DateRange> ranges;
        bool ok = true;
        for (std::size_t i = 0; i < array->size(); ++i) {
            auto range = date_range((*array)[i], indexed_field(field, i));
            if (range) {
                ranges.push_back(*range);
            } else {
                ok = false;
            }
        }
        if (!ok) return std::nullopt;
        return ranges;
    }

    std::optional<DateRange> date_range(const toml::node& node, const std::string& field) {
        std::optional<Date> first, last;
        if (const auto* pair = node.as_array()) {
            if (pair->size() != 2) {
                report(node.source(), field,
                       "expected a date range [first, last] of 2 dates, found " + std::to_string(pair->size()) +
                           " element" + (pair->size() == 1 ? "" : "s"));
                return std::nullopt;
            }
            first = date((*pair)[0], indexed_field(field, 0));
            last = date((*pair)[1], indexed_field(field, 1));
        } else if (const auto* table = node.as_table()) {
            bool ok = true;
            for (const auto& [key, value] : *table) {
                if (key.str() == "from" || key.str() == "to") continue;
                report(key.source(), field + "." + std::string(key.str()),
                       "unknown key '" + std::string(key.str()) + "' in a date range (expected 'from' and 'to')");
                ok = false;
            }
            first = endpoint(*table, "from", field);
            last = endpoint(*table, "to", field);
            if (!ok) return std::nullopt;
        } else if (node.is_date() || node.is_string()) {
            // A single date is a one-day range (a one-day conference, say).
            first = last = date(node, field);
        } else {
            wrong_type(node, field, "a date range ([first, last], {from = ..., to = ...} or one date)");
            return std::nullopt;
        }
        if (!first || !last) return std::nullopt;
        if (*last < *first) {
            report(node.source(), field,
                   "date range ends (" + format_date(*last) + ") before it starts (" + format_date(*first) + ")");
            return std::nullopt;
        }
        return DateRange{*first, *last};
    }

    std::optional<Date> endpoint(const toml::table& table, std::string_view key, const std::string& field) {
        const std::string endpoint_field = field + "." + std::string(key);
        if (const toml::node* value = table.get(key)) return date(*value, endpoint_field);
        report(table.source(), endpoint_field, "date range is missing '" + std::string(key) + "'");
        return std::nullopt;
    }

    const fs::path& file_;
    Diagnostics& out_;
};

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
    return out;
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    std::string best;
    std::size_t best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best;
}

Params validate_params(const toml::table& params, const std::vector<OptionSpec>& specs, const fs::path& file,
                       Diagnostics& out, const std::string& field_prefix) {
    const auto field_of = [&](std::string_view name) {
        return field_prefix.empty() ? std::string(name) : field_prefix + "." + std::string(name);
    };
    OptionReader reader(file, out);

    std::vector<std::string> option_names;
    for (const auto& spec : specs) option_names.push_back(spec.name);
    for (const auto& [key, value] : params) {
        const std::string name(key.str());
        if (std::find(option_names.begin(), option_names.end(), name) != option_names.end()) continue;
        const std::string hint = closest_match(name, option_names);
        std::string message = "unknown option '" + name + "'";
        if (!hint.empty()) {
            message += " (did you mean '" + hint + "'?)";
        } else if (!option_names.empty()) {
            message += " (options: " + join_names(option_names) + ")";
        } else {
            message += " (this campaign type takes no options)";
        }
        reader.report(key.source(), field_of(name), message);
    }

    std::map<std::string, OptionValue> values;
    for (const auto& spec : specs) {
        if (const toml::node* node = params.get(spec.name)) {
            if (auto value = reader.read(*node, spec.type, field_of(spec.name))) values.emplace(spec.name, *value);
        } else if (spec.required) {
            std::string message =
                "missing required option '" + spec.name + "' (" + std::string(option_type_name(spec.type)) + ")";
            if (!spec.description.empty()) message += ": " + spec.description;
            reader.report(params.source(), field_of(spec.name), message);
        } else if (spec.default_value) {
            values.emplace(spec.name, *spec.default_value);
        }
    }
    return Params(std::move(values));
}

}  // namespace outreach
