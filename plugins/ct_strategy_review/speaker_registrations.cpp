#include "speaker_registrations.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "strategy_pillars.hpp"

namespace outreach::ct_strategy_review {
namespace {

struct StateRegistration {
    bool answered = false;
    bool attending = false;
    std::vector<int> pillars;  // in order of registration
};

std::vector<Response> in_time_order(std::vector<Response> responses) {
    std::stable_sort(responses.begin(), responses.end(), [](const Response& a, const Response& b) { return a.at < b.at; });
    return responses;
}

void apply(StateRegistration& registration, const Response& response) {
    if (response.kind == kind::declined) {
        registration = {true, false, {}};
    } else if (response.kind == kind::will_attend) {
        registration.answered = registration.attending = true;
    } else if (response.kind == kind::will_speak) {
        registration.answered = registration.attending = true;
        if (const auto pillar = parse_pillar_payload(response.payload);
            pillar && std::find(registration.pillars.begin(), registration.pillars.end(), *pillar) ==
                          registration.pillars.end())
            registration.pillars.push_back(*pillar);
    }
}

std::string describe(const Roster& roster, const std::string& code) {
    const State* state = roster.find(code);
    return (state ? state->name : code) + " (" + code + ")";
}

}  // namespace

bool is_attending(const std::vector<Response>& own_responses) {
    StateRegistration registration;
    for (const auto& r : in_time_order(own_responses)) apply(registration, r);
    return registration.attending;
}

RegistrationSummary summarise_registrations(const Roster& roster, const std::vector<Response>& responses) {
    std::map<std::string, StateRegistration> by_state;
    // Speakers are listed per pillar in the order they inscribed, which is what a
    // list of speakers is.
    std::array<std::vector<std::string>, 4> inscription_order;
    for (const auto& r : in_time_order(responses)) {
        StateRegistration& registration = by_state[r.state];
        apply(registration, r);
        if (r.kind != kind::will_speak) continue;
        if (const auto pillar = parse_pillar_payload(r.payload)) {
            auto& order = inscription_order[static_cast<std::size_t>(*pillar - 1)];
            if (std::find(order.begin(), order.end(), r.state) == order.end()) order.push_back(r.state);
        }
    }
    RegistrationSummary summary;
    for (std::size_t i = 0; i < inscription_order.size(); ++i) {
        const int pillar = static_cast<int>(i) + 1;
        for (const auto& code : inscription_order[i]) {
            const auto& registration = by_state[code];
            // Still inscribed: not withdrawn by a later `declined`.
            if (std::find(registration.pillars.begin(), registration.pillars.end(), pillar) != registration.pillars.end())
                summary.speakers[i].push_back(describe(roster, code));
        }
    }
    for (const auto& state : roster.states()) {
        const auto it = by_state.find(state.code);
        if (it == by_state.end()) continue;
        if (it->second.attending) summary.attending.push_back(describe(roster, state.code));
        else if (it->second.answered) summary.declined.push_back(describe(roster, state.code));
    }
    return summary;
}

}  // namespace outreach::ct_strategy_review
