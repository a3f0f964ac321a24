#include "roster/roster_loader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <system_error>

#include <toml++/toml.h>

#include "config/email_address.hpp"
#include "outreach/language.hpp"
#include "config/input_limits.hpp"
#include "config/param_validation.hpp"

namespace outreach {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 14> kStateKeys{"code",     "name",     "formal_name", "status",  "group",
                                                      "capital",  "addressee", "language",   "name_fr", "name_es",
                                                      "admitted", "observer", "former_name", "in_text"};
constexpr std::array<std::string_view, 3> kObserverKeys{"since", "until", "kind"};
constexpr std::array<std::string_view, 5> kFormerNameKeys{"until", "name", "formal_name", "in_text", "note"};
constexpr std::array<std::string_view, 7> kAddresseeKeys{"role",  "title",    "honorific", "name",
                                                         "email", "title_fr", "title_es"};
// The languages besides English whose names and titles a roster may give
// (name_<code>, title_<code>); keep in step with supported_languages().
constexpr std::array<std::string_view, 2> kTranslatedLanguages{"fr", "es"};
constexpr std::array<std::string_view, 3> kRoles{"head_of_state", "foreign_minister",
                                                 "permanent_representative"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& list) {
    std::string out;
    for (auto item : list) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out;
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string supported_language_list() {
    std::string out;
    for (const auto& code : supported_languages()) out += (out.empty() ? "" : ", ") + in_quotes(code);
    return out;
}

std::string to_upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

bool is_alpha3(const std::string& code) {
    return code.size() == 3 &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Walks the parsed document, collecting every problem rather than stopping at the first.
class RosterReader {
public:
    RosterReader(const fs::path& file, Diagnostics& out) : file_(file), out_(out) {}

    std::vector<State> read(const toml::table& root) {
        for (auto&& [key, node] : root) {
            if (key.str() != "state")
                error(key.source(), std::string(key.str()), "unknown key (a roster holds only [[state]] tables)");
        }
        const toml::node* states_node = root.get("state");
        if (!states_node) {
            error({}, "state", "no [[state]] tables: a roster lists one [[state]] table per State");
            return {};
        }
        const toml::array* states = states_node->as_array();
        if (!states) {
            error(states_node->source(), "state", "must be an array of tables ([[state]])");
            return {};
        }
        if (states->empty()) {
            error(states_node->source(), "state", "lists no States");
            return {};
        }

        std::vector<State> result;
        for (std::size_t i = 0; i < states->size(); ++i) {
            const toml::node& node = *states->get(i);
            const std::string index_label = "state[" + std::to_string(i + 1) + "]";
            const toml::table* table = node.as_table();
            if (!table) {
                error(node.source(), index_label, "must be a table ([[state]])");
                continue;
            }
            const std::size_t errors_before = out_.size();
            State state = read_state(*table, index_label);
            if (out_.size() == errors_before) result.push_back(std::move(state));
        }
        return result;
    }

private:
    void error(const toml::source_region& where, std::string field, std::string message) {
        out_.push_back(Diagnostic{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                                  std::move(field), std::move(message)});
    }

    void reject_unknown_keys(const toml::table& table, const std::string& label,
                             const auto& allowed) {
        for (auto&& [key, node] : table) {
            if (!contains(allowed, key.str()))
                error(key.source(), label + "." + std::string(key.str()),
                      "unknown key (expected one of: " + joined(allowed) + ")");
        }
    }

    // A string value; nullopt when absent or not a string (the latter is reported,
    // the former only when `required`).
    std::optional<std::string> read_string(const toml::table& table, std::string_view key,
                                           const std::string& label, bool required) {
        const toml::node* node = table.get(key);
        const std::string field = label + "." + std::string(key);
        if (!node) {
            if (required) error(table.source(), field, "missing");
            return std::nullopt;
        }
        if (!node->is_string()) {
            error(node->source(), field, "must be a string");
            return std::nullopt;
        }
        return node->as_string()->get();
    }

    // "state[CIV]" once the code is known good and unique, else "state[12]".
    std::string label_for(const toml::table& table, const std::string& index_label) {
        const toml::node* node = table.get("code");
        if (!node || !node->is_string()) return index_label;
        const std::string& code = node->as_string()->get();
        if (!is_alpha3(code) || first_line_of_code_.count(code)) return index_label;
        return "state[" + code + "]";
    }

    std::string read_code(const toml::table& table, const std::string& index_label) {
        auto code = read_string(table, "code", index_label, true);
        if (!code) return {};
        const toml::source_region& where = table.get("code")->source();
        const std::string field = index_label + ".code";
        if (code->empty()) {
            error(where, field, "must not be empty");
        } else if (!is_alpha3(*code)) {
            error(where, field, "must be an ISO 3166-1 alpha-3 code: 3 uppercase letters, not " + in_quotes(*code));
        } else if (auto first = first_line_of_code_.find(*code); first != first_line_of_code_.end()) {
            error(where, field, "duplicate code " + *code + " (first at line " + std::to_string(first->second) + ")");
        } else {
            first_line_of_code_.emplace(*code, where.begin.line);
            return *code;
        }
        return {};
    }

    State read_state(const toml::table& table, const std::string& index_label) {
        State state;
        const std::string label = label_for(table, index_label);
        reject_unknown_keys(table, label, kStateKeys);
        state.code = read_code(table, index_label);

        if (auto name = read_string(table, "name", label, true)) {
            if (name->empty())
                error(table.get("name")->source(), label + ".name", "must not be empty");
            state.name = *name;
        }
        state.formal_name = read_string(table, "formal_name", label, false).value_or(state.name);
        if (auto status = read_string(table, "status", label, false)) {
            if (*status == "member")
                state.status = StateStatus::Member;
            else if (*status == "observer")
                state.status = StateStatus::Observer;
            else
                error(table.get("status")->source(), label + ".status",
                      "must be \"member\" or \"observer\", not " + in_quotes(*status));
        }
        state.regional_group = read_string(table, "group", label, false).value_or("");
        state.capital = read_string(table, "capital", label, false).value_or("");
        if (auto language = read_string(table, "language", label, false)) {
            if (!is_supported_language(*language))
                error(table.get("language")->source(), label + ".language",
                      "must be one of " + supported_language_list() + ", not " + in_quotes(*language));
            state.language = *language;
        }
        for (const auto language : kTranslatedLanguages) {
            const std::string key = "name_" + std::string(language);
            if (auto name = read_string(table, key, label, false); name && !name->empty())
                state.names_by_language[std::string(language)] = *name;
        }
        state.addressees = read_addressees(table, label);
        state.in_text = read_string(table, "in_text", label, false).value_or("");
        read_history(table, label, state);
        return state;
    }

    // A "YYYY-MM-DD" string; nullopt when absent (reported when `required`) or bad (reported).
    std::optional<Date> read_date(const toml::table& table, std::string_view key, const std::string& label,
                                  bool required) {
        auto text = read_string(table, key, label, required);
        if (!text) return std::nullopt;
        if (auto date = parse_date(*text)) return date;
        error(table.get(key)->source(), label + "." + std::string(key),
              "not a date: " + in_quotes(*text) + " (expected YYYY-MM-DD, a real calendar date)");
        return std::nullopt;
    }

    const toml::array* table_array(const toml::table& table, std::string_view key, const std::string& field,
                                   const std::string& form) {
        const toml::node* node = table.get(key);
        if (!node) return nullptr;
        const toml::array* list = node->as_array();
        if (!list || !list->is_array_of_tables()) {
            error(node->source(), field, "must be an array of tables (" + form + ")");
            return nullptr;
        }
        return list;
    }

    // admitted, [[state.observer]], [[state.former_name]]: when the State was a
    // Member or an observer, and the names it had before. Checked for order:
    // periods and name changes in date order, none before the State was anything.
    void read_history(const toml::table& table, const std::string& label, State& state) {
        state.admitted = read_date(table, "admitted", label, false);
        if (state.admitted && state.status == StateStatus::Observer)
            error(table.get("admitted")->source(), label + ".admitted",
                  "an observer State has no admission date (list its [[state.observer]] periods)");

        if (const toml::array* periods = table_array(table, "observer", label + ".observer", "[[state.observer]]")) {
            for (std::size_t i = 0; i < periods->size(); ++i) {
                const toml::table& entry = *periods->get(i)->as_table();
                const std::string field = label + ".observer[" + std::to_string(i + 1) + "]";
                reject_unknown_keys(entry, field, kObserverKeys);
                const auto since = read_date(entry, "since", field, true);
                const auto until = read_date(entry, "until", field, false);
                const std::string kind = read_string(entry, "kind", field, false).value_or("");
                if (!since) continue;
                if (until && *until <= *since) {
                    error(entry.get("until")->source(), field + ".until",
                          format_date(*until) + " is not after since = " + format_date(*since));
                    continue;
                }
                if (!state.observer_periods.empty()) {
                    const auto& previous = state.observer_periods.back();
                    if (!previous.until || *since < *previous.until) {
                        error(entry.get("since")->source(), field + ".since",
                              format_date(*since) + " overlaps the previous observer period (periods in date order, "
                              "each ending (until) before the next begins)");
                        continue;
                    }
                }
                if (state.admitted && (!until || *until > *state.admitted)) {
                    error(entry.get(until ? "until" : "since")->source(), field + (until ? ".until" : ".since"),
                          "an observer period must end (until) by the admission date " + format_date(*state.admitted));
                    continue;
                }
                state.observer_periods.push_back(ObserverPeriod{*since, until, kind});
            }
        }

        // The first day the State was anything at the UN: names before it are meaningless.
        std::optional<Date> first;
        if (!state.observer_periods.empty()) first = state.observer_periods.front().since;
        else if (state.admitted) first = state.admitted;
        if (const toml::array* names = table_array(table, "former_name", label + ".former_name", "[[state.former_name]]")) {
            for (std::size_t i = 0; i < names->size(); ++i) {
                const toml::table& entry = *names->get(i)->as_table();
                const std::string field = label + ".former_name[" + std::to_string(i + 1) + "]";
                reject_unknown_keys(entry, field, kFormerNameKeys);
                FormerName former;
                const auto until = read_date(entry, "until", field, true);
                if (auto name = read_string(entry, "name", field, true)) {
                    if (name->empty()) error(entry.get("name")->source(), field + ".name", "must not be empty");
                    former.name = *name;
                }
                former.formal_name = read_string(entry, "formal_name", field, false).value_or("");
                former.in_text = read_string(entry, "in_text", field, false).value_or("");
                former.note = read_string(entry, "note", field, false).value_or("");
                if (!until) continue;
                if (first && *until <= *first) {
                    error(entry.get("until")->source(), field + ".until",
                          "the name changed on " + format_date(*until) + ", not after the State became a " +
                              (state.observer_periods.empty() ? "Member (admitted " : "observer (since ") +
                              format_date(*first) + ")");
                    continue;
                }
                if (!state.former_names.empty() && *until <= state.former_names.back().until) {
                    error(entry.get("until")->source(), field + ".until",
                          format_date(*until) + " is not after the previous name change (" +
                              format_date(state.former_names.back().until) + "): list former names oldest first");
                    continue;
                }
                former.until = *until;
                state.former_names.push_back(std::move(former));
            }
        }
    }

    std::vector<Addressee> read_addressees(const toml::table& state_table, const std::string& state_label) {
        std::vector<Addressee> result;
        const toml::node* node = state_table.get("addressee");
        if (!node) return result;
        const std::string field = state_label + ".addressee";
        const toml::array* list = node->as_array();
        if (!list) {
            error(node->source(), field, "must be an array of tables ([[state.addressee]])");
            return result;
        }
        std::map<std::string, std::size_t> index_of_role;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& entry = *list->get(i);
            const std::string label = field + "[" + std::to_string(i + 1) + "]";
            const toml::table* table = entry.as_table();
            if (!table) {
                error(entry.source(), label, "must be a table ([[state.addressee]])");
                continue;
            }
            reject_unknown_keys(*table, label, kAddresseeKeys);
            Addressee addressee;
            if (auto role = read_string(*table, "role", label, true)) {
                const toml::source_region& where = table->get("role")->source();
                if (!contains(kRoles, *role))
                    error(where, label + ".role", "must be one of " + joined(kRoles) + ", not " + in_quotes(*role));
                else if (auto seen = index_of_role.find(*role); seen != index_of_role.end())
                    error(where, label + ".role",
                          "duplicate role " + *role + " (also addressee[" + std::to_string(seen->second) + "])");
                else
                    index_of_role.emplace(*role, i + 1);
                addressee.role = *role;
            }
            addressee.title = read_string(*table, "title", label, false).value_or("");
            addressee.honorific = read_string(*table, "honorific", label, false).value_or("");
            addressee.name = read_string(*table, "name", label, false).value_or("");
            for (const auto language : kTranslatedLanguages) {
                const std::string key = "title_" + std::string(language);
                if (auto title = read_string(*table, key, label, false); title && !title->empty())
                    addressee.titles_by_language[std::string(language)] = *title;
            }
            if (auto email = read_string(*table, "email", label, true)) {
                // Exactly one addr-spec: "x,evil@attacker.test" would put a second
                // recipient into the To: header that the journal never names.
                if (const std::string problem = email_address_problem(*email); !problem.empty())
                    error(table->get("email")->source(), label + ".email",
                          "not one e-mail address (local@domain): " + in_quotes(*email) + ": " + problem);
                addressee.email = *email;
            }
            result.push_back(std::move(addressee));
        }
        return result;
    }

    const fs::path& file_;
    Diagnostics& out_;
    std::map<std::string, std::uint32_t> first_line_of_code_;
};

}  // namespace

Roster load_roster(const std::filesystem::path& file, Diagnostics& out) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        out.push_back(Diagnostic{file, 0, 0, "",
                                 fs::exists(file, ec) ? "roster is not a regular file" : "roster file not found"});
        return {};
    }
    // Size and nesting are checked before toml++ sees the text.
    std::optional<toml::table> parsed = parse_toml_file(file, InputLimits::kRosterBytes, "roster", out);
    if (!parsed) return {};
    toml::table& root = *parsed;
    const std::size_t first_new = out.size();
    Roster roster(RosterReader(file, out).read(root));
    // Tables iterate in key order; operators read problems best in file order.
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first_new), out.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     });
    return roster;
}

Roster filter_roster(const Roster& roster, const RosterFilter& filter) {
    auto upper_set = [](const std::vector<std::string>& codes) {
        std::set<std::string> out;
        for (const auto& code : codes) out.insert(to_upper(code));
        return out;
    };
    const std::set<std::string> include = upper_set(filter.include);
    const std::set<std::string> exclude = upper_set(filter.exclude);
    auto listed = [](const std::vector<std::string>& list, const std::string& value) {
        return std::find(list.begin(), list.end(), value) != list.end();
    };

    return roster.filtered([&](const State& state) {
        // Any status the State ever had: which one applies is decided on each
        // letter's date (resolve_audience, State::status_on).
        const auto had = [&](StateStatus s) {
            if (state.status == s) return true;
            if (s == StateStatus::Member) return state.admitted.has_value();
            return !state.observer_periods.empty();
        };
        if (!filter.status.empty() && !(listed(filter.status, "member") && had(StateStatus::Member)) &&
            !(listed(filter.status, "observer") && had(StateStatus::Observer)))
            return false;
        if (!filter.groups.empty() && !listed(filter.groups, state.regional_group)) return false;
        const std::string code = to_upper(state.code);
        if (!include.empty() && !include.count(code)) return false;
        return !exclude.count(code);
    });
}

namespace {

// closest_match, preferring among equally close codes the one that shares the
// longest prefix: "FRN" is France (FRA) rather than Finland (FIN).
std::string closest_code(const std::string& code, const std::vector<std::string>& codes) {
    const std::string first = closest_match(code, codes);
    if (first.empty()) return first;
    const auto distance = [](const std::string& a, const std::string& b) {
        std::size_t d = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
        for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) d += a[i] != b[i];
        return d;
    };
    const auto prefix = [](const std::string& a, const std::string& b) {
        std::size_t n = 0;
        while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
        return n;
    };
    std::string best = first;
    for (const auto& candidate : codes) {
        if (distance(code, candidate) > distance(code, best)) continue;
        if (distance(code, candidate) < distance(code, best) || prefix(code, candidate) > prefix(code, best))
            best = candidate;
    }
    return best;
}

std::vector<std::string> lower_words(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    for (const char c : text + " ") {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            words.push_back(word);
            word.clear();
        }
    }
    return words;
}

// A group name as operators misremember it: most words in common ("Western
// European Group"), or its initials ("WEOG"); else the closest spelling.
std::string closest_group(const std::string& wanted, const std::vector<std::string>& groups) {
    const auto words = lower_words(wanted);
    std::string best;
    std::size_t best_shared = 0;
    for (const auto& group : groups) {
        const auto theirs = lower_words(group);
        std::string initials;
        for (const auto& w : theirs)
            if (w != "and" && w != "the" && w != "of") initials += static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
        if (to_upper(wanted) == initials) return group;
        std::size_t shared = 0;
        for (const auto& w : words) shared += std::count(theirs.begin(), theirs.end(), w) > 0;
        if (shared > best_shared) {
            best_shared = shared;
            best = group;
        }
    }
    // One word in common ("Group") says nothing.
    return best_shared >= 2 ? best : closest_match(wanted, groups);
}

std::string join_quoted(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "'" : ", '") + item + "'";
    return out;
}

}  // namespace

void check_roster_filter(const Roster& roster, const CampaignConfig& campaign, Diagnostics& out) {
    std::vector<std::string> codes, groups;
    // The lists are for hints only: build them when the filter names something.
    if (!campaign.filter_entries.empty()) {
        for (const State& state : roster.states()) {
            codes.push_back(state.code);
            if (!state.regional_group.empty() &&
                std::find(groups.begin(), groups.end(), state.regional_group) == groups.end())
                groups.push_back(state.regional_group);
        }
    }
    std::sort(groups.begin(), groups.end());
    const auto report = [&](const CampaignConfig::FilterEntry& entry, std::string message) {
        out.push_back(Diagnostic{campaign.file, entry.at.line, entry.at.column, entry.field, std::move(message)});
    };
    // An unknown code or group filters nothing, silently: "exclude = [\"FRN\"]"
    // would still write to France.
    for (const auto& entry : campaign.filter_entries) {
        const bool is_code = entry.field.rfind("roster.include[", 0) == 0 || entry.field.rfind("roster.exclude[", 0) == 0;
        if (is_code) {
            if (roster.find(to_upper(entry.value))) continue;
            const std::string hint = closest_code(to_upper(entry.value), codes);
            report(entry, "unknown State code '" + entry.value + "': not in the roster " + campaign.roster.string() +
                              (hint.empty() ? "" : " (did you mean '" + hint + "', " + roster.find(hint)->name + "?)"));
        } else if (entry.field.rfind("roster.groups[", 0) == 0) {
            if (std::find(groups.begin(), groups.end(), entry.value) != groups.end()) continue;
            const std::string hint = closest_group(entry.value, groups);
            report(entry, "unknown regional group '" + entry.value + "'" +
                              (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; the roster's groups are " +
                              (groups.empty() ? std::string("none") : join_quoted(groups)));
        }
    }
    // Problems in the campaign's own file ([sender], timezone, duplicate id...)
    // were reported by load_config; the campaign must not run with them.
    if (campaign.config_errors > 0)
        out.push_back(Diagnostic{campaign.file, 0, 0, "",
                                 "campaign '" + campaign.id + "' is not loaded: its file has " +
                                     std::to_string(campaign.config_errors) +
                                     (campaign.config_errors == 1 ? " error" : " errors") + " (reported above)"});
}

}  // namespace outreach
