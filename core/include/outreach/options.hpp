#pragma once
// Plugin option declarations (after fluent-bit's config_map): a plugin declares each
// option once; the core derives validation, defaults and `plugins --describe` from it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

enum class OptionType {
    String,
    Integer,
    Boolean,
    Date,        // TOML date or "YYYY-MM-DD"
    Time,        // "HH:MM"
    StringList,
    IntegerList,
    DateRanges,  // [[first, last], ...] or [{from=..., to=...}, ...]
};

using OptionValue = std::variant<std::string, std::int64_t, bool, Date, LocalTime,
                                 std::vector<std::string>, std::vector<std::int64_t>,
                                 std::vector<DateRange>>;

struct OptionSpec {
    std::string name;
    OptionType type = OptionType::String;
    std::optional<OptionValue> default_value;  // nullopt: no default
    bool required = false;
    std::string description;
    // Text that letters quote (a treaty's title): the core also accepts
    // "<name>_<language>" for every other supported language (title_fr, title_es),
    // lists them in `plugins --describe`, and `validate` warns when a campaign
    // writes letters in a language its translation is missing for. Read it with
    // Params::string_in / strings_in. String and StringList options only.
    bool per_language = false;
};

// "<name>_<language>": the option holding `name`'s text for letters in `language`.
OUTREACH_EXPORT std::string language_option_name(const std::string& name, std::string_view language);
// `specs` with the "<name>_<language>" options of every per_language spec added
// after it (optional, no default, same type): what the core validates against.
OUTREACH_EXPORT std::vector<OptionSpec> with_language_variants(const std::vector<OptionSpec>& specs);

OUTREACH_EXPORT std::string_view option_type_name(OptionType type);
OUTREACH_EXPORT std::string format_option_value(const OptionValue& value);

// The validated options of one campaign: every declared option that was given or
// has a default. Accessors throw std::out_of_range naming the option when absent or
// of another type (a plugin bug, reported with the plugin's name by the host).
class OUTREACH_EXPORT Params {
public:
    Params() = default;
    explicit Params(std::map<std::string, OptionValue> values) : values_(std::move(values)) {}

    bool has(const std::string& name) const { return values_.count(name) != 0; }
    const std::string& string(const std::string& name) const;
    std::int64_t integer(const std::string& name) const;
    bool boolean(const std::string& name) const;
    Date date(const std::string& name) const;
    LocalTime time(const std::string& name) const;
    const std::vector<std::string>& strings(const std::string& name) const;
    const std::vector<std::int64_t>& integers(const std::string& name) const;
    const std::vector<DateRange>& date_ranges(const std::string& name) const;
    // A per_language option's text for letters in `language`: "<name>_<language>"
    // when the campaign gives it, else `name` itself.
    const std::string& string_in(const std::string& name, std::string_view language) const;
    const std::vector<std::string>& strings_in(const std::string& name, std::string_view language) const;
    const std::map<std::string, OptionValue>& values() const { return values_; }

private:
    template <typename T> const T& get(const std::string& name) const;
    std::map<std::string, OptionValue> values_;
};

// For a plugin's build_workflow(): an error in one option, thrown in the form the
// host reports with the campaign file's name ("params.<option>: <message>").
[[noreturn]] OUTREACH_EXPORT void fail_option(const std::string& option, const std::string& message);

// fail_option(option, "must not be blank") when a string option holds nothing but
// white space.
OUTREACH_EXPORT void require_text(const Params& params, const std::string& option);

}  // namespace outreach
