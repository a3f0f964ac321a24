#include "outreach/options.hpp"

#include "outreach/language.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace outreach {

std::string_view option_type_name(OptionType type) {
    switch (type) {
        case OptionType::String: return "string";
        case OptionType::Integer: return "integer";
        case OptionType::Boolean: return "boolean";
        case OptionType::Date: return "date";
        case OptionType::Time: return "time";
        case OptionType::StringList: return "list of strings";
        case OptionType::IntegerList: return "list of integers";
        case OptionType::DateRanges: return "list of date ranges";
    }
    return "?";
}

namespace {
template <typename T>
std::string join(const std::vector<T>& items, auto&& format_one) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += format_one(items[i]);
    }
    return out + "]";
}
}  // namespace

std::string format_option_value(const OptionValue& value) {
    struct Formatter {
        std::string operator()(const std::string& s) const { return "\"" + s + "\""; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(Date d) const { return format_date(d); }
        std::string operator()(LocalTime t) const { return "\"" + format_local_time(t) + "\""; }
        std::string operator()(const std::vector<std::string>& v) const {
            return join(v, [](const std::string& s) { return "\"" + s + "\""; });
        }
        std::string operator()(const std::vector<std::int64_t>& v) const {
            return join(v, [](std::int64_t i) { return std::to_string(i); });
        }
        std::string operator()(const std::vector<DateRange>& v) const {
            return join(v, [](const DateRange& r) { return "[" + format_date(r.first) + ", " + format_date(r.last) + "]"; });
        }
    };
    return std::visit(Formatter{}, value);
}

template <typename T>
const T& Params::get(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) throw std::out_of_range("option '" + name + "' has no value and no default");
    if (const T* v = std::get_if<T>(&it->second)) return *v;
    throw std::out_of_range("option '" + name + "' read with the wrong type");
}

const std::string& Params::string(const std::string& name) const { return get<std::string>(name); }
std::int64_t Params::integer(const std::string& name) const { return get<std::int64_t>(name); }
bool Params::boolean(const std::string& name) const { return get<bool>(name); }
Date Params::date(const std::string& name) const { return get<Date>(name); }
LocalTime Params::time(const std::string& name) const { return get<LocalTime>(name); }
const std::vector<std::string>& Params::strings(const std::string& name) const {
    return get<std::vector<std::string>>(name);
}
const std::vector<std::int64_t>& Params::integers(const std::string& name) const {
    return get<std::vector<std::int64_t>>(name);
}
const std::vector<DateRange>& Params::date_ranges(const std::string& name) const {
    return get<std::vector<DateRange>>(name);
}

const std::string& Params::string_in(const std::string& name, std::string_view language) const {
    const std::string localized = language_option_name(name, language);
    return has(localized) ? string(localized) : string(name);
}
const std::vector<std::string>& Params::strings_in(const std::string& name, std::string_view language) const {
    const std::string localized = language_option_name(name, language);
    return has(localized) ? strings(localized) : strings(name);
}

std::string language_option_name(const std::string& name, std::string_view language) {
    return name + "_" + std::string(language);
}

std::vector<OptionSpec> with_language_variants(const std::vector<OptionSpec>& specs) {
    std::vector<OptionSpec> out;
    out.reserve(specs.size());
    for (const auto& spec : specs) {
        out.push_back(spec);
        if (!spec.per_language) continue;
        for (const auto& language : supported_languages()) {
            if (language == kDefaultLanguage) continue;
            OptionSpec variant;
            variant.name = language_option_name(spec.name, language);
            variant.type = spec.type;
            variant.description = "'" + spec.name + "' for letters in " + language + "; absent: letters in " +
                                  language + " quote '" + spec.name + "' (validate warns).";
            out.push_back(std::move(variant));
        }
    }
    return out;
}

void fail_option(const std::string& option, const std::string& message) {
    throw std::runtime_error("params." + option + ": " + message);
}

void require_text(const Params& params, const std::string& option) {
    const std::string& text = params.string(option);
    if (std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }))
        fail_option(option, "must not be blank");
}

}  // namespace outreach
