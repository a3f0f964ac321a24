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

namespace outreach {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 7> kStateKeys{"code",   "name",  "formal_name", "status",
                                                     "group",  "capital", "addressee"};
constexpr std::array<std::string_view, 5> kAddresseeKeys{"role", "title", "honorific", "name", "email"};
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

std::string to_upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

bool is_alpha3(const std::string& code) {
    return code.size() == 3 &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// One address, "local@domain": exactly one '@', text on both sides, no spaces.
bool is_plausible_email(const std::string& email) {
    const auto at = email.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == email.size()) return false;
    if (email.find('@', at + 1) != std::string::npos) return false;
    return std::none_of(email.begin(), email.end(), [](unsigned char c) { return std::isspace(c); });
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
        state.addressees = read_addressees(table, label);
        return state;
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
            if (auto email = read_string(*table, "email", label, true)) {
                if (!is_plausible_email(*email))
                    error(table->get("email")->source(), label + ".email",
                          "not an e-mail address (one '@' with text on both sides): " + in_quotes(*email));
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
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        out.push_back(Diagnostic{file, static_cast<int>(e.source().begin.line),
                                 static_cast<int>(e.source().begin.column), "", std::string(e.description())});
        return {};
    }
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
        const std::string status = state.status == StateStatus::Member ? "member" : "observer";
        if (!filter.status.empty() && !listed(filter.status, status)) return false;
        if (!filter.groups.empty() && !listed(filter.groups, state.regional_group)) return false;
        const std::string code = to_upper(state.code);
        if (!include.empty() && !include.count(code)) return false;
        return !exclude.count(code);
    });
}

}  // namespace outreach
