#include "delivery/template_values.hpp"

#include <algorithm>
#include <variant>

namespace outreach {

TemplateValueNames template_value_names(const Campaign& campaign, const Step& step, const PlannedOccurrence* preview) {
    TemplateValueNames names;
    auto& s = names.scalars;
    auto& l = names.lists;
    for (const char* name : {"campaign_id", "step_id", "sender_name", "sender_email", "letter_date"}) s.insert(name);
    for (const auto& m : campaign.workflow.milestones) {
        s.insert("milestone_" + m.id);
        s.insert("milestone_" + m.id + "_iso");
    }
    if (std::holds_alternative<OnResponseTrigger>(step.trigger))
        for (const char* name : {"response_kind", "response_payload", "response_note", "response_date"}) s.insert(name);
    if (std::holds_alternative<TaskAction>(step.action)) {
        for (const char* name : {"roster_count", "responded_count", "not_responded_count", "audience_count"}) s.insert(name);
        for (const char* name : {"responses", "not_responded", "audience_states"}) l.insert(name);
        for (const auto& kind : campaign.type->response_kinds()) s.insert("responses_" + kind.name + "_count");
    } else {
        for (const char* name : {"state_code", "state_name", "state_formal_name", "state_capital", "addressee_role",
                                 "addressee_title", "addressee_honorific", "addressee_name", "addressee_block"})
            s.insert(name);
    }
    for (const auto& [name, value] : campaign.workflow.values.scalars) s.insert(name);
    for (const auto& [name, value] : campaign.workflow.values.lists) l.insert(name);
    // The plugin's names, from its hooks as they answer before any response:
    // a preview firing at the step's first planned instant is not needed, the
    // names do not depend on it (only the "has_..." flags do, see above).
    const CampaignContext context = campaign.context();
    const Occurrence occurrence = preview ? preview->sdk_view() : Occurrence{&step, {}, 0, Instant{}, {}, nullptr};
    const FiringContext firing{context, campaign.workflow, occurrence, occurrence.due};
    const TemplateValues shared = campaign.type->firing_values(firing, {});
    for (const auto& [name, value] : shared.scalars) s.insert(name);
    for (const auto& [name, value] : shared.lists) l.insert(name);
    const State* state = preview && !preview->only_state.empty() ? campaign.roster.find(preview->only_state) : nullptr;
    if (!state && campaign.roster.size() > 0) state = &campaign.roster.states().front();
    if (!std::holds_alternative<TaskAction>(step.action) && state) {
        const TemplateValues own = campaign.type->letter_values(firing, *state, {});
        for (const auto& [name, value] : own.scalars) s.insert(name);
        for (const auto& [name, value] : own.lists) l.insert(name);
    }
    return names;
}

void check_step_template(const Campaign& campaign, const Step& step, Diagnostics& out) {
    if (!campaign.templates) return;
    const std::string& name = std::holds_alternative<TaskAction>(step.action)
                                  ? std::get<TaskAction>(step.action).template_name
                                  : std::get<LetterAction>(step.action).template_name;
    TemplateValueNames names;
    try {
        names = template_value_names(campaign, step);
    } catch (const std::exception& e) {
        out.push_back(Diagnostic{campaign.config.file, 0, 0, "steps." + step.id,
                                 "plugin " + campaign.plugin_name + ": firing_values threw: " + e.what()});
        return;
    }
    campaign.templates->check_values(campaign.config.type, name, names.scalars, names.lists, out);
}

void check_template_values(const Campaign& campaign, Diagnostics& out) {
    // Several steps may share a template: report each problem once.
    const std::size_t first = out.size();
    for (const auto& step : campaign.workflow.steps) {
        Diagnostics step_problems;
        check_step_template(campaign, step, step_problems);
        for (auto& problem : step_problems) {
            const bool seen = std::any_of(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const Diagnostic& d) {
                return d.file == problem.file && d.line == problem.line && d.column == problem.column &&
                       d.message == problem.message;
            });
            if (!seen) out.push_back(std::move(problem));
        }
    }
}

}  // namespace outreach
