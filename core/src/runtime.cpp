#include "runtime.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "config/param_validation.hpp"
#include "schedule/recurrence.hpp"
#include "roster/roster_loader.hpp"

namespace outreach {
namespace {

// Position of the campaign's `type` key (or the file start) for diagnostics that
// concern the campaign as a whole.
Diagnostic campaign_diagnostic(const CampaignConfig& c, std::string field, std::string message) {
    return Diagnostic{c.file, 0, 0, std::move(field), std::move(message)};
}

std::vector<std::filesystem::path> template_dirs(const Config& config, const CampaignConfig& campaign) {
    std::vector<std::filesystem::path> dirs;
    if (campaign.templates_dir) dirs.push_back(*campaign.templates_dir);
    dirs.push_back(config.global.templates_dir);
    dirs.push_back(installed_data_dir() / "templates");
    return dirs;
}

std::shared_ptr<spdlog::logger> campaign_logger(const std::string& id) {
    auto logger = spdlog::default_logger()->clone(id);
    return logger;
}

}  // namespace

const Step* Campaign::step(const std::string& id) const {
    for (const auto& s : workflow.steps)
        if (s.id == id) return &s;
    return nullptr;
}

std::vector<std::string> Campaign::response_kind_names() const {
    std::vector<std::string> out;
    for (const auto& k : type->response_kinds()) out.push_back(k.name);
    return out;
}

const Campaign* Runtime::campaign(const std::string& id) const {
    for (const auto& c : campaigns)
        if (c.id() == id) return &c;
    return nullptr;
}

void check_workflow(const Campaign& campaign, Diagnostics& out) {
    const auto& wf = campaign.workflow;
    auto report = [&](const std::string& field, const std::string& message) {
        out.push_back(campaign_diagnostic(campaign.config, field,
                                          "plugin " + campaign.plugin_name + " built an invalid workflow: " + message));
    };
    std::set<std::string> milestone_ids, step_ids;
    for (const auto& m : wf.milestones)
        if (!milestone_ids.insert(m.id).second) report("milestones", "duplicate milestone '" + m.id + "'");
    auto need_milestone = [&](const Step& s, const std::string& id) {
        if (!milestone_ids.count(id)) report("steps." + s.id, "unknown milestone '" + id + "'");
    };
    for (const auto& s : wf.steps)
        if (!step_ids.insert(s.id).second) report("steps", "duplicate step '" + s.id + "'");
    const auto kinds = campaign.response_kind_names();
    for (const auto& s : wf.steps) {
        if (const auto* at = std::get_if<AtTrigger>(&s.trigger)) need_milestone(s, at->milestone);
        if (const auto* every = std::get_if<EveryTrigger>(&s.trigger)) {
            need_milestone(s, every->from_milestone);
            need_milestone(s, every->until_milestone);
            if (auto why = check_rrule(every->rrule); !why.empty()) report("steps." + s.id, why);
        }
        if (const auto* after = std::get_if<AfterTrigger>(&s.trigger))
            if (!step_ids.count(after->step)) report("steps." + s.id, "runs after unknown step '" + after->step + "'");
        if (const auto* on = std::get_if<OnResponseTrigger>(&s.trigger))
            if (std::find(kinds.begin(), kinds.end(), on->kind) == kinds.end())
                report("steps." + s.id, "on_response of undeclared response kind '" + on->kind + "'");
        if (!s.valid_until.empty()) {
            const Milestone* m = wf.milestone(s.valid_until);
            if (!m) report("steps." + s.id, "valid_until names unknown milestone '" + s.valid_until + "'");
            else if (!m->deadline) report("steps." + s.id, "valid_until milestone '" + s.valid_until + "' is not a deadline");
        }
        const bool is_task = std::holds_alternative<TaskAction>(s.action);
        if (is_task != (s.audience.kind == Audience::Kind::Staff))
            report("steps." + s.id, is_task ? "a task must address staff" : "a letter cannot address staff");
        const std::string& name = is_task ? std::get<TaskAction>(s.action).template_name
                                          : std::get<LetterAction>(s.action).template_name;
        campaign.templates->check(campaign.config.type, name, out);
    }
}

std::unique_ptr<Runtime> load_runtime(const std::filesystem::path& config_file, Diagnostics& out,
                                      const RuntimeOptions& options) {
    auto runtime = std::make_unique<Runtime>();
    runtime->config = load_config(config_file, out);

    std::vector<std::filesystem::path> dirs{builtin_plugin_dir()};
    for (const auto& d : runtime->config.global.plugin_dirs) dirs.push_back(d);
    runtime->plugins.load_directories(dirs);

    std::map<std::filesystem::path, Roster> rosters;
    for (const auto& cc : runtime->config.campaigns) {
        if (!cc.enabled && !options.include_disabled) continue;
        const std::size_t errors_before = out.size();
        const LoadedCampaignType* loaded = runtime->plugins.find(cc.type);
        if (!loaded) {
            std::string known;
            std::vector<std::string> names;
            for (const auto& [name, t] : runtime->plugins.types()) {
                names.push_back(name);
                known += (known.empty() ? "" : ", ") + name;
            }
            std::string hint = closest_match(cc.type, names);
            out.push_back(campaign_diagnostic(cc, "type",
                                              "unknown campaign type '" + cc.type + "'" +
                                                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                                  "; loaded types: " + (known.empty() ? "none" : known)));
            continue;
        }
        Campaign campaign;
        campaign.config = cc;
        campaign.type = loaded->type;
        campaign.plugin_name = loaded->plugin_name;
        campaign.log = campaign_logger(cc.id);
        try {
            campaign.params = validate_params(cc.params, loaded->type->options(), cc.file, out);
        } catch (const std::exception& e) {
            out.push_back(campaign_diagnostic(cc, "params", "plugin " + loaded->plugin_name + ": " + e.what()));
        }
        auto it = rosters.find(cc.roster);
        if (it == rosters.end()) it = rosters.emplace(cc.roster, load_roster(cc.roster, out)).first;
        campaign.roster = filter_roster(it->second, cc.filter);
        check_roster_filter(it->second, cc, out);
        if (out.size() != errors_before) continue;
        if (campaign.roster.size() == 0)
            out.push_back(campaign_diagnostic(cc, "roster", "the roster filter leaves no State to write to"));
        campaign.templates = std::make_shared<TemplateRenderer>(template_dirs(runtime->config, cc));
        try {
            campaign.workflow = loaded->type->build_workflow(campaign.context());
        } catch (const std::exception& e) {
            out.push_back(campaign_diagnostic(cc, "params", "plugin " + loaded->plugin_name + ": " + e.what()));
            continue;
        }
        check_workflow(campaign, out);
        if (out.size() != errors_before) continue;
        runtime->campaigns.push_back(std::move(campaign));
    }
    return runtime;
}

}  // namespace outreach
