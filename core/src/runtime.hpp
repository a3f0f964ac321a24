#pragma once
// Everything the commands need, assembled from the operator's config: plugins
// loaded, each campaign's params validated, its roster filtered and its workflow
// built and checked. A campaign with errors is reported and left out; the others
// stay usable.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "config/config.hpp"
#include "config/diagnostics.hpp"
#include "outreach/plugin.hpp"
#include "plugins/plugin_host.hpp"
#include "delivery/letter.hpp"
#include "delivery/template_renderer.hpp"
#include "time/business_calendar.hpp"

namespace outreach {

struct Campaign {
    CampaignConfig config;
    std::shared_ptr<CampaignType> type;
    std::string plugin_name;
    Params params;
    Roster roster;  // filtered
    Workflow workflow;
    std::shared_ptr<TemplateRenderer> templates;
    // What the letters of a step enclose (delivery/attachments.hpp: the campaign
    // file's `attachments`, else the plugin's), for one language or (language
    // empty) for every language. Steps enclosing the same files share one list
    // (treaty_event: the treaty list with the invitation and every reminder).
    // A flat list: 10,000 campaigns hold about a dozen entries each.
    struct StepAttachments {
        std::size_t step;      // index in workflow.steps
        std::string language;  // "" = every language
        std::shared_ptr<const std::vector<Attachment>> list;
    };
    std::vector<StepAttachments> attachments;
    std::shared_ptr<spdlog::logger> log;
    // Working days: the campaign's `calendar` (or outreach.toml's); without
    // either, weekends only. Never null once loaded.
    std::shared_ptr<const BusinessCalendar> calendar = BusinessCalendar::weekends_only();

    const std::string& id() const { return config.id; }
    const std::string& timezone() const { return config.timezone; }
    CampaignContext context() const {
        return CampaignContext{config.id, config.timezone, params, roster, log, config.file.parent_path()};
    }
    const Step* step(const std::string& id) const;
    // Steps that wait for `outreach approve`, with their proof lead (from the
    // campaign's `approval` and `[steps.<id>]` overrides; apply_step_settings).
    std::map<std::string, std::chrono::minutes> approval_leads;
    std::optional<std::chrono::minutes> approval_lead(const Step& step) const {
        const auto it = approval_leads.find(step.id);
        if (it == approval_leads.end()) return std::nullopt;
        return it->second;
    }
    std::vector<std::string> response_kind_names() const;
};

struct RuntimeOptions {
    bool include_disabled = false;  // `validate` checks disabled campaigns too
};

struct Runtime {
    Config config;
    PluginHost plugins;
    std::vector<Campaign> campaigns;  // valid ones, in file-name order
    // Problems that do not stop a campaign (Severity::Warning), e.g. a language
    // some of its letters are written in without a template of its own.
    Diagnostics warnings;

    const Campaign* campaign(const std::string& id) const;
};

// Never throws for bad input: every problem goes to `out`. Throws only when the
// main config file itself cannot be read at all (then `out` holds why).
OUTREACH_EXPORT std::unique_ptr<Runtime> load_runtime(const std::filesystem::path& config_file, Diagnostics& out,
                                                      const RuntimeOptions& options = {});

// Structural checks of a built workflow (dangling milestone/step references,
// duplicate ids, valid_until not a deadline, bad RRULE, missing or broken
// templates), reported against the campaign file.
OUTREACH_EXPORT void check_workflow(const Campaign& campaign, Diagnostics& out);

}  // namespace outreach
