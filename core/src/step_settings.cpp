#include "step_settings.hpp"

#include "config/param_validation.hpp"
#include "runtime.hpp"

namespace outreach {

void apply_step_settings(Campaign& campaign, Diagnostics& out) {
    const CampaignConfig& config = campaign.config;
    std::vector<std::string> ids;
    for (const auto& step : campaign.workflow.steps) ids.push_back(step.id);
    for (const StepSettings& settings : config.step_settings) {
        Step* step = nullptr;
        for (auto& candidate : campaign.workflow.steps)
            if (candidate.id == settings.step) step = &candidate;
        if (!step) {
            std::string known;
            for (const auto& id : ids) known += (known.empty() ? "" : ", ") + id;
            const std::string hint = closest_match(settings.step, ids);
            out.push_back(Diagnostic{config.file, settings.at.line, settings.at.column, "steps." + settings.step,
                                     "no step '" + settings.step + "' in this " + config.type + " campaign" +
                                         (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                         "; its steps: " + known});
            continue;
        }
        if (settings.enabled) step->enabled = *settings.enabled;
        if (settings.roll) step->roll = *settings.roll;
    }
    apply_approval_settings(campaign);
}

void apply_approval_settings(Campaign& campaign) {
    const CampaignConfig& config = campaign.config;
    campaign.approval_leads.clear();
    for (const auto& step : campaign.workflow.steps) {
        bool required = config.approval_required;
        std::chrono::minutes lead = config.approval_lead;
        for (const StepSettings& settings : config.step_settings) {
            if (settings.step != step.id) continue;
            if (settings.approval_required) required = *settings.approval_required;
            if (settings.approval_lead) lead = *settings.approval_lead;
        }
        if (required) campaign.approval_leads[step.id] = lead;
    }
}

}  // namespace outreach
