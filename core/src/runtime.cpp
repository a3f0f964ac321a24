#include "runtime.hpp"
#include "step_settings.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "config/param_validation.hpp"
#include "delivery/attachments.hpp"
#include "delivery/letter_language.hpp"
#include "delivery/template_values.hpp"
#include "outreach/language.hpp"
#include "schedule/occurrences.hpp"
#include "schedule/recurrence.hpp"
#include "roster/roster_loader.hpp"

namespace outreach {
namespace {

// Position of the campaign's `type` key (or the file start) for diagnostics that
// concern the campaign as a whole.
Diagnostic campaign_diagnostic(const CampaignConfig& c, std::string field, std::string message) {
    return Diagnostic{c.file, 0, 0, std::move(field), std::move(message)};
}

std::vector<std::filesystem::path> template_dirs(const Config& config, const CampaignConfig& campaign,
                                                 const std::filesystem::path& installed_templates) {
    std::vector<std::filesystem::path> dirs;
    if (campaign.templates_dir) dirs.push_back(*campaign.templates_dir);
    dirs.push_back(config.global.templates_dir);
    dirs.push_back(installed_templates);
    return dirs;
}

// What campaigns share: one renderer per template search path, and each template
// file checked once, however many campaigns use it.
struct SharedTemplates {
    std::map<std::vector<std::filesystem::path>, std::shared_ptr<TemplateRenderer>> renderers;
    // (renderer, type, template, value names) -> passed; hashed: the keys are long
    // and 10,000 campaigns look them up.
    std::unordered_map<std::string, bool> checked;
};

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

namespace {
void check_workflow(const Campaign& campaign, Diagnostics& out, SharedTemplates* shared);
}

void check_workflow(const Campaign& campaign, Diagnostics& out) { check_workflow(campaign, out, nullptr); }

namespace {
void check_workflow(const Campaign& campaign, Diagnostics& out, SharedTemplates* shared) {
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
    for (const auto& m : wf.milestones)
        for (const auto& [code, date] : m.per_state)
            if (!campaign.roster.find(code) && campaign.log)
                campaign.log->debug("{}: milestone {} has a date for {}, which the campaign's roster does not "
                                    "include; it is not written to",
                                    campaign.id(), m.id, code);
    const auto kinds = campaign.response_kind_names();
    // Each step's first planned occurrence, for the template check (expanded
    // only when the structure above is sound).
    std::optional<std::map<const Step*, PlannedOccurrence>> previews;
    auto declared_kind = [&](const std::string& kind) {
        return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
    };
    auto per_state = [&](const std::string& id) {
        const Milestone* m = wf.milestone(id);
        return m && m->is_per_state();
    };
    for (const auto& s : wf.steps) {
        if (const auto* at = std::get_if<AtTrigger>(&s.trigger)) need_milestone(s, at->milestone);
        if (const auto* every = std::get_if<EveryTrigger>(&s.trigger)) {
            need_milestone(s, every->from_milestone);
            if (!every->until_milestone.empty()) need_milestone(s, every->until_milestone);
            if (!per_state(every->from_milestone) && per_state(every->until_milestone))
                report("steps." + s.id, "a campaign-wide series cannot end at per-State milestone '" +
                                            every->until_milestone + "'");
            if (auto why = check_rrule(every->rrule); !why.empty()) report("steps." + s.id, why);
        }
        if (!s.until_response.empty() && !declared_kind(s.until_response))
            report("steps." + s.id, "until_response names undeclared response kind '" + s.until_response + "'");
        if (s.audience.kind == Audience::Kind::States) {
            if (s.audience.states.empty()) report("steps." + s.id, "a fixed audience lists no State");
            for (const auto& code : s.audience.states)
                if (!campaign.roster.find(code))
                    report("steps." + s.id, "the fixed audience names " + code + ", which is not in the campaign's roster");
        }
        if (const auto* after = std::get_if<AfterTrigger>(&s.trigger))
            if (!step_ids.count(after->step)) report("steps." + s.id, "runs after unknown step '" + after->step + "'");
        if (const auto* on = std::get_if<OnResponseTrigger>(&s.trigger))
            if (!declared_kind(on->kind))
                report("steps." + s.id, "on_response of undeclared response kind '" + on->kind + "'");
        if (!s.valid_until.empty()) {
            const Milestone* m = wf.milestone(s.valid_until);
            if (!m) report("steps." + s.id, "valid_until names unknown milestone '" + s.valid_until + "'");
            else if (!m->deadline) report("steps." + s.id, "valid_until milestone '" + s.valid_until + "' is not a deadline");
        }
        // A task goes to staff whatever its audience: the audience is the list of
        // States it reports on. A letter needs States.
        const bool is_task = std::holds_alternative<TaskAction>(s.action);
        if (!is_task && s.audience.kind == Audience::Kind::Staff)
            report("steps." + s.id, "a letter cannot address staff");
        const std::string& base_name = is_task ? std::get<TaskAction>(s.action).template_name
                                               : std::get<LetterAction>(s.action).template_name;
        // Every language variant present (invitation.fr.mustache) is checked like
        // the template itself: a letter in that language is rendered from it.
        std::vector<std::string> variants{base_name};
        if (!is_task)
            for (const auto& language : supported_languages())
                if (const std::string v = campaign.templates->name_for_language(campaign.config.type, base_name, language);
                    v != base_name)
                    variants.push_back(v);
        // The value names do not depend on the variant: asked of the hooks once per step.
        std::optional<TemplateValueNames> bare_names, preview_names;
        std::string bare_key, preview_key;  // the names, as part of SharedTemplates' key
        const auto key_of = [](const TemplateValueNames& names) {
            std::string key;
            for (const auto& n : names.scalars) key += '\n' + n;
            key += "\n--";
            for (const auto& n : names.lists) key += '\n' + n;
            return key;
        };
        for (const std::string& name : variants) {
            // Every {{tag}} must have a value when the step fires. The same template
            // with the same value names is checked once, however many campaigns use it.
            // First with the names the hooks give for a bare occurrence (enough for
            // most types, and cheap); if the template does not pass with those, the
            // hooks are asked again as if the step's first planned occurrence fired,
            // and only that verdict is reported.
            auto names_for = [&](bool with_preview) {
                if (!with_preview) return template_value_names(campaign, s, nullptr);
                if (!previews) {
                    previews.emplace();
                    for (auto& o : expand_occurrences(campaign, {})) previews->try_emplace(o.step, std::move(o));
                }
                const auto preview = previews->find(&s);
                return template_value_names(campaign, s, preview == previews->end() ? nullptr : &preview->second);
            };
            // Checks `name` against `names`, each (template, value names) once per load.
            auto passes = [&](const TemplateValueNames& names, const std::string& names_key, Diagnostics& problems) {
                if (!shared) {
                    const std::size_t before = problems.size();
                    campaign.templates->check_values(campaign.config.type, name, names.scalars, names.lists, problems);
                    return problems.size() == before;
                }
                std::string key = std::to_string(reinterpret_cast<std::uintptr_t>(campaign.templates.get())) + '\n' +
                                  campaign.config.type + '\n' + name + names_key;
                const auto [it, first] = shared->checked.try_emplace(std::move(key), true);
                if (first) {
                    const std::size_t before = problems.size();
                    campaign.templates->check_values(campaign.config.type, name, names.scalars, names.lists, problems);
                    it->second = problems.size() == before;
                    return it->second;
                }
                if (!it->second)
                    problems.push_back(campaign_diagnostic(campaign.config, "steps." + s.id,
                                                           "template '" + name + "' has errors (reported above)"));
                return it->second;
            };
            try {
                Diagnostics bare;
                if (!bare_names) {
                    bare_names = names_for(false);
                    if (shared) bare_key = key_of(*bare_names);
                }
                if (passes(*bare_names, bare_key, bare)) continue;
                if (!preview_names) {
                    preview_names = names_for(true);
                    if (shared) preview_key = key_of(*preview_names);
                }
                // The same names: the verdict is the bare one (cached now), so its
                // problems are the ones to report.
                if (preview_names->scalars == bare_names->scalars && preview_names->lists == bare_names->lists)
                    out.insert(out.end(), bare.begin(), bare.end());
                else
                    passes(*preview_names, preview_key, out);
            } catch (const std::exception& e) {
                report("steps." + s.id, std::string("firing_values/letter_values threw: ") + e.what());
            }
        }
    }
}
}  // namespace

std::unique_ptr<Runtime> load_runtime(const std::filesystem::path& config_file, Diagnostics& out,
                                      const RuntimeOptions& options) {
    auto runtime = std::make_unique<Runtime>();
    runtime->config = load_config(config_file, out);

    std::vector<std::filesystem::path> dirs{builtin_plugin_dir()};
    for (const auto& d : runtime->config.global.plugin_dirs) dirs.push_back(d);
    runtime->plugins.load_directories(dirs);

    struct LoadedRoster {
        Roster roster;
        bool had_errors = false;
    };
    std::map<std::filesystem::path, LoadedRoster> rosters;  // one storage per file, shared by campaigns
    // One calendar per file, shared by campaigns; null: it had errors (reported once).
    std::map<std::filesystem::path, std::shared_ptr<const BusinessCalendar>> calendars;
    SharedTemplates templates;
    const std::filesystem::path installed_templates = installed_data_dir() / "templates";
    // Each type's options (with their per-language variants), asked of the plugin
    // once, not once per campaign.
    std::map<const CampaignType*, std::vector<OptionSpec>> option_specs;
    runtime->campaigns.reserve(runtime->config.campaigns.size());
    for (auto& cc : runtime->config.campaigns) {
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
        // The campaign keeps the one copy of its [params] (moved: a copy would lose
        // toml++'s source positions, and 10,000 campaigns would hold two).
        toml::table params = std::move(cc.params);
        campaign.config = cc;
        campaign.config.params = std::move(params);
        campaign.type = loaded->type;
        campaign.plugin_name = loaded->plugin_name;
        campaign.log = campaign_logger(cc.id);
        try {
            auto specs = option_specs.find(loaded->type.get());
            if (specs == option_specs.end())
                specs = option_specs.emplace(loaded->type.get(), with_language_variants(loaded->type->options())).first;
            campaign.params = validate_params(campaign.config.params, specs->second, cc.file, out);
        } catch (const std::exception& e) {
            out.push_back(campaign_diagnostic(cc, "params", "plugin " + loaded->plugin_name + ": " + e.what()));
        }
        auto it = rosters.find(cc.roster);
        if (it == rosters.end()) {
            const std::size_t before = out.size();
            Roster loaded_roster = load_roster(cc.roster, out);
            it = rosters.emplace(cc.roster, LoadedRoster{std::move(loaded_roster), out.size() != before}).first;
        } else if (it->second.had_errors) {
            // Reported once, with its lines; every campaign using it is left out.
            out.push_back(campaign_diagnostic(cc, "roster", "roster " + cc.roster.string() + " has errors (reported above)"));
        }
        campaign.roster = filter_roster(it->second.roster, cc.filter);
        check_roster_filter(it->second.roster, cc, out);
        if (cc.calendar) {
            auto known = calendars.find(cc.calendar->file);
            if (known == calendars.end())
                known = calendars.emplace(cc.calendar->file, load_business_calendar(cc.calendar->file, out)).first;
            else if (!known->second)
                out.push_back(Diagnostic{cc.calendar->named_in, cc.calendar->at.line, cc.calendar->at.column, "calendar",
                                         "calendar " + cc.calendar->file.string() + " has errors (reported above)"});
            if (known->second) campaign.calendar = known->second;
        }
        if (out.size() != errors_before) continue;
        if (campaign.roster.size() == 0)
            out.push_back(campaign_diagnostic(cc, "roster", "the roster filter leaves no State to write to"));
        auto dirs = template_dirs(runtime->config, cc, installed_templates);
        auto& renderer = templates.renderers[dirs];
        if (!renderer) renderer = std::make_shared<TemplateRenderer>(std::move(dirs));
        campaign.templates = renderer;
        try {
            campaign.workflow = loaded->type->build_workflow(campaign.context());
        } catch (const std::exception& e) {
            out.push_back(campaign_diagnostic(cc, "params", "plugin " + loaded->plugin_name + ": " + e.what()));
            continue;
        }
        apply_step_settings(campaign, out);
        check_language_overrides(campaign, it->second.roster, out);
        load_attachments(campaign, out);
        check_workflow(campaign, out, &templates);
        check_language_templates(campaign, option_specs[loaded->type.get()], runtime->warnings);
        if (out.size() != errors_before) continue;
        runtime->campaigns.push_back(std::move(campaign));
    }
    return runtime;
}

}  // namespace outreach
