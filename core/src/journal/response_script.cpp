#include "journal/response_script.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <optional>

#include "config/input_limits.hpp"
#include "config/toml_support.hpp"
#include "config/param_validation.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTopLevelKeys{"campaign", "response"};
const std::vector<std::string> kEntryKeys{"campaign", "state", "kind", "treaty", "pillar", "note", "date"};

std::string join_quoted(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
    return out;
}

class ScriptReader {
public:
    ScriptReader(const fs::path& file, const Runtime& runtime, Diagnostics& out)
        : file_(file), runtime_(runtime), out_(out) {}

    ResponseScript read() {
        ResponseScript script;
        script.file = file_;
        std::error_code ec;
        if (!fs::exists(file_, ec)) {
            report_at(0, 0, "", "response script not found");
            return script;
        }
        // Bounded and shape-checked before toml++ sees it, like every config file.
        auto parsed = parse_toml_file(file_, InputLimits::kConfigBytes, "response script", out_);
        if (!parsed) return script;
        toml::table root = std::move(*parsed);
        check_keys(root, kTopLevelKeys, "");

        std::string default_campaign;
        if (const toml::node* node = root.get("campaign")) {
            if (const auto* text = node->as_string()) default_campaign = text->get();
            else report(node->source(), "campaign", "expected a string (a campaign id), found " + describe_toml_type(node->type()));
        }
        const toml::node* entries = root.get("response");
        if (!entries) {
            script.warnings.push_back({file_, 0, 0, "response", "no [[response]] entries: nothing to replay"});
            return script;
        }
        const auto* array = entries->as_array();
        if (!array) {
            report(entries->source(), "response", "expected [[response]] tables, found " + describe_toml_type(entries->type()));
            return script;
        }
        for (std::size_t i = 0; i < array->size(); ++i) {
            const std::string field = "response[" + std::to_string(i + 1) + "]";
            const toml::node& node = *array->get(i);
            const auto* table = node.as_table();
            if (!table) {
                report(node.source(), field, "expected a table ([[response]]), found " + describe_toml_type(node.type()));
                continue;
            }
            read_entry(*table, field, default_campaign, script);
        }
        std::stable_sort(script.responses.begin(), script.responses.end(),
                         [](const ScriptedResponse& a, const ScriptedResponse& b) {
                             return a.validated.response.at < b.validated.response.at;
                         });
        return script;
    }

private:
    void read_entry(const toml::table& table, const std::string& field, const std::string& default_campaign,
                    ResponseScript& script) {
        const std::size_t errors_before = out_.size();
        check_keys(table, kEntryKeys, field);
        const auto state = text(table, "state", field, true);
        const auto kind = text(table, "kind", field, true);
        const auto treaty = text(table, "treaty", field, false);
        const auto note = text(table, "note", field, false);
        const auto pillar = pillar_text(table, field);
        auto campaign_id = text(table, "campaign", field, false);
        const toml::node* campaign_node = table.get("campaign");
        if (!campaign_id && !campaign_node) campaign_id = default_campaign.empty() ? std::nullopt : std::optional(default_campaign);

        const Campaign* campaign = nullptr;
        if (!campaign_id) {
            if (!campaign_node)
                report(table.source(), field + ".campaign",
                       "no campaign: set campaign = \"ID\" in the entry or at the top of the file");
        } else if (!(campaign = runtime_.campaign(*campaign_id))) {
            const bool configured = std::any_of(runtime_.config.campaigns.begin(), runtime_.config.campaigns.end(),
                                                [&](const CampaignConfig& c) { return c.id == *campaign_id; });
            if (configured) {
                ++script.skipped;  // filtered out by --campaign, disabled, or invalid (reported elsewhere)
                return;
            }
            std::vector<std::string> ids;
            for (const auto& c : runtime_.config.campaigns) ids.push_back(c.id);
            const std::string hint = closest_match(*campaign_id, ids);
            report(campaign_node ? campaign_node->source() : table.source(), field + ".campaign",
                   "no campaign with id '" + *campaign_id + "'" +
                       (hint.empty() ? (ids.empty() ? "" : " (configured: " + join_quoted(ids) + ")")
                                     : " (did you mean '" + hint + "'?)"));
        }

        const std::optional<Instant> at = campaign ? instant(table, field, campaign->timezone()) : std::nullopt;
        if (!campaign && !table.get("date")) report(table.source(), field + ".date", "missing required key 'date'");
        if (!campaign || !state || !kind) return;

        // Checked even when another field is broken, so one run shows every problem.
        try {
            ScriptedResponse scripted;
            scripted.campaign = campaign->id();
            scripted.validated = validate_response(*campaign, *state, *kind,
                                                   ResponsePayload{treaty.value_or(""), pillar.value_or(""), note.value_or("")},
                                                   at.value_or(Instant{}), std::nullopt);
            if (out_.size() != errors_before || !at) return;
            scripted.field = field;
            scripted.line = static_cast<int>(table.source().begin.line);
            for (const auto& warning : scripted.validated.warnings)
                script.warnings.push_back(diagnostic(position_of(table, "treaty"), field + ".treaty", warning));
            script.responses.push_back(std::move(scripted));
        } catch (const ResponseRefused& refused) {
            for (const auto& problem : refused.problems()) {
                const std::string key = problem.field == "at" ? "date" : problem.field;
                out_.push_back(diagnostic(position_of(table, key), field + "." + key, problem.message));
            }
        }
    }

    // The key's own position, or the entry's when the key is absent.
    toml::source_region position_of(const toml::table& table, const std::string& key) const {
        if (const toml::node* node = table.get(key)) return node->source();
        return table.source();
    }

    std::optional<std::string> text(const toml::table& table, const std::string& key, const std::string& field,
                                    bool required) {
        const toml::node* node = table.get(key);
        if (!node) {
            if (required) report(table.source(), field + "." + key, "missing required key '" + key + "'");
            return std::nullopt;
        }
        if (const auto* value = node->as_string()) return value->get();
        report(node->source(), field + "." + key, "expected a string, found " + describe_toml_type(node->type()));
        return std::nullopt;
    }

    std::optional<std::string> pillar_text(const toml::table& table, const std::string& field) {
        const toml::node* node = table.get("pillar");
        if (!node) return std::nullopt;
        if (const auto* value = node->as_integer()) return std::to_string(value->get());
        if (const auto* value = node->as_string()) return value->get();
        report(node->source(), field + ".pillar", "expected a pillar number 1 to 4, found " + describe_toml_type(node->type()));
        return std::nullopt;
    }

    std::optional<Instant> instant(const toml::table& table, const std::string& field, const std::string& zone) {
        const toml::node* node = table.get("date");
        if (!node) {
            report(table.source(), field + ".date", "missing required key 'date' (e.g. date = 2007-06-15)");
            return std::nullopt;
        }
        const auto day = [](const toml::date& d) { return make_date(d.year, d.month, d.day); };
        if (const auto* value = node->as_date()) return to_instant(day(value->get()), LocalTime{9, 0}, zone);
        if (const auto* value = node->as_date_time()) {
            const toml::date_time& dt = value->get();
            const LocalTime time{dt.time.hour, dt.time.minute};
            const std::chrono::seconds seconds(dt.time.second);
            if (dt.offset) {
                const auto local = std::chrono::sys_days(day(dt.date)) + std::chrono::hours(time.hour) +
                                   std::chrono::minutes(time.minute) + seconds;
                return Instant(local - std::chrono::minutes(dt.offset->minutes));
            }
            return to_instant(day(dt.date), time, zone) + seconds;
        }
        if (const auto* value = node->as_string()) {
            if (auto parsed = parse_response_time(value->get(), zone)) return parsed;
            report(node->source(), field + ".date",
                   "'" + value->get() + "' is not a date; write a TOML date such as 2007-06-15 or 2007-06-15T10:30:00");
            return std::nullopt;
        }
        report(node->source(), field + ".date",
               "expected a date such as 2007-06-15 or 2007-06-15T10:30:00, found " + describe_toml_type(node->type()));
        return std::nullopt;
    }

    void check_keys(const toml::table& table, const std::vector<std::string>& known, const std::string& prefix) {
        for (const auto& [key, value] : table) {
            const std::string name(key.str());
            if (std::find(known.begin(), known.end(), name) != known.end()) continue;
            const std::string hint = closest_match(name, known);
            report(key.source(), prefix.empty() ? name : prefix + "." + name,
                   "unknown key '" + name + "'" +
                       (hint.empty() ? " (expected " + join_quoted(known) + ")" : " (did you mean '" + hint + "'?)"));
        }
    }

    Diagnostic diagnostic(const toml::source_region& where, std::string field, std::string message) const {
        return Diagnostic{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                          std::move(field), std::move(message)};
    }
    void report(const toml::source_region& where, std::string field, std::string message) {
        out_.push_back(diagnostic(where, std::move(field), std::move(message)));
    }
    void report_at(int line, int column, std::string field, std::string message) {
        out_.push_back(Diagnostic{file_, line, column, std::move(field), std::move(message)});
    }

    fs::path file_;
    const Runtime& runtime_;
    Diagnostics& out_;
};

}  // namespace

ResponseScript load_response_script(const fs::path& file, const Runtime& runtime, Diagnostics& out) {
    return ScriptReader(file, runtime, out).read();
}

}  // namespace outreach
