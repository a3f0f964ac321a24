#include "schedule/audience.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "time/timezone.hpp"

namespace outreach {

std::vector<Response> responses_until(const std::vector<ResponseRecord>& records, Instant now) {
    std::vector<Response> out;
    for (const auto& r : records)
        if (r.response.at <= now) out.push_back(r.response);
    return out;
}

std::map<std::string, std::vector<Response>> responses_by_state(const std::vector<Response>& responses) {
    std::map<std::string, std::vector<Response>> out;
    for (const auto& r : responses) out[r.state].push_back(r);
    return out;
}

std::vector<const State*> resolve_audience(const PlannedOccurrence& o, const std::vector<Response>& responses,
                                           Instant now) {
    const Campaign& campaign = *o.campaign;
    const Step& step = *o.step;
    const Audience& audience = step.audience;
    std::vector<const State*> out;
    if (audience.kind == Audience::Kind::Staff) return out;

    const bool uses_responses = !responses.empty();
    const auto by_state = uses_responses ? responses_by_state(responses) : std::map<std::string, std::vector<Response>>{};
    static const std::vector<Response> none;
    auto own = [&](const State& s) -> const std::vector<Response>& {
        const auto it = by_state.find(s.code);
        return it == by_state.end() ? none : it->second;
    };
    auto answered = [&](const State& s, const std::string& kind) {
        if (!uses_responses) return false;
        const auto& list = own(s);
        return std::any_of(list.begin(), list.end(), [&](const Response& r) { return kind.empty() || r.kind == kind; });
    };
    const Milestone* deadline = step.valid_until.empty() ? nullptr : campaign.workflow.milestone(step.valid_until);
    const bool per_state_deadline = deadline && deadline->is_per_state();
    const std::set<std::string> fixed(audience.states.begin(), audience.states.end());

    // The hook context is built only for predicate audiences.
    std::optional<CampaignContext> context;
    std::optional<Occurrence> occurrence;
    std::optional<FiringContext> firing;
    if (audience.kind == Audience::Kind::Predicate) {
        context.emplace(campaign.context());
        occurrence.emplace(o.sdk_view());
        firing.emplace(FiringContext{*context, campaign.workflow, *occurrence, now});
    }

    // The roster as it was on the letter's local date: only States that were
    // Members or observers then (and whose standing then the campaign's status
    // filter admits), under the name they had then.
    const Date letter_date = local_date(o.due, campaign.timezone());
    const auto& statuses = campaign.config.filter.status;
    auto standing_allowed = [&](const State& state) {
        const auto status = state.status_on(letter_date);
        if (!status) return false;
        const char* name = *status == StateStatus::Member ? "member" : "observer";
        return statuses.empty() || std::find(statuses.begin(), statuses.end(), name) != statuses.end();
    };

    auto consider = [&](const State& state) {
        if (!standing_allowed(state)) return;
        if (!step.until_response.empty() && answered(state, step.until_response)) return;
        if (per_state_deadline) {
            const auto it = deadline->per_state.find(state.code);
            if (it != deadline->per_state.end() && now >= start_of_day(it->second, campaign.timezone())) return;
        }
        bool member = true;
        switch (audience.kind) {
            case Audience::Kind::All: break;
            case Audience::Kind::WithResponse: member = answered(state, audience.response_kind); break;
            case Audience::Kind::WithoutResponse: member = !answered(state, audience.response_kind); break;
            case Audience::Kind::Predicate:
                member = campaign.type->matches(audience.predicate, state, own(state), *firing);
                break;
            case Audience::Kind::States: member = fixed.count(state.code) != 0; break;
            case Audience::Kind::Staff: member = false; break;
        }
        if (member) out.push_back(campaign.roster.as_of(state, letter_date));
    };
    if (!o.only_state.empty()) {
        if (const State* s = campaign.roster.find(o.only_state)) consider(*s);
    } else {
        for (const auto& state : campaign.roster.states()) consider(state);
    }
    return out;
}

std::size_t count_recipients(const PlannedOccurrence& o, const std::vector<Response>& responses, Instant now) {
    if (std::holds_alternative<TaskAction>(o.step->action)) return 1;
    const auto& action = std::get<LetterAction>(o.step->action);
    const auto& roles = action.roles.empty() ? o.campaign->config.addressees : action.roles;
    std::size_t n = 0;
    for (const State* s : resolve_audience(o, responses, now))
        for (const auto& role : roles) n += s->addressee(role) ? 1 : 0;
    return n;
}

}  // namespace outreach
