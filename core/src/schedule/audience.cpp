#include "schedule/audience.hpp"

#include <algorithm>

namespace outreach {

std::vector<Response> responses_until(const std::vector<ResponseRecord>& records, Instant now) {
    std::vector<Response> out;
    for (const auto& r : records)
        if (r.response.at <= now) out.push_back(r.response);
    return out;
}

std::vector<const State*> resolve_audience(const Campaign& campaign, const Audience& audience,
                                           const std::vector<Response>& responses, const std::string& only_state) {
    std::vector<const State*> out;
    if (audience.kind == Audience::Kind::Staff) return out;
    const auto answered = [&](const State& state) {
        return std::any_of(responses.begin(), responses.end(), [&](const Response& r) {
            return r.state == state.code && (audience.response_kind.empty() || r.kind == audience.response_kind);
        });
    };
    for (const auto& state : campaign.roster.states()) {
        if (!only_state.empty() && state.code != only_state) continue;
        bool member = true;
        switch (audience.kind) {
            case Audience::Kind::All: break;
            case Audience::Kind::WithResponse: member = answered(state); break;
            case Audience::Kind::WithoutResponse: member = !answered(state); break;
            case Audience::Kind::Predicate: {
                std::vector<Response> own;
                for (const auto& r : responses)
                    if (r.state == state.code) own.push_back(r);
                member = campaign.type->matches(audience.predicate, state, campaign.context(), own);
                break;
            }
            case Audience::Kind::Staff: member = false; break;
        }
        if (member) out.push_back(&state);
    }
    return out;
}

std::size_t count_recipients(const Campaign& c, const Step& step, const std::vector<Response>& responses,
                             const std::string& only_state) {
    if (std::holds_alternative<TaskAction>(step.action)) return 1;
    const auto& action = std::get<LetterAction>(step.action);
    const auto& roles = action.roles.empty() ? c.config.addressees : action.roles;
    std::size_t n = 0;
    for (const State* s : resolve_audience(c, step.audience, responses, only_state))
        for (const auto& role : roles) n += s->addressee(role) ? 1 : 0;
    return n;
}

}  // namespace outreach
