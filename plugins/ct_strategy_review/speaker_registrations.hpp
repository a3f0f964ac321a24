#pragma once
// What the recorded responses say about the meeting: who attends, who speaks on
// which pillar, who declined. Each State's responses are read in time order, so a
// later answer revises an earlier one: `declined` withdraws the State (and its
// speaking slots), a later `will_speak` or `will_attend` brings it back;
// `will_speak` adds a pillar, several pillars per State are fine.
#include <array>
#include <string>
#include <vector>

#include "outreach/plugin.hpp"

namespace outreach::ct_strategy_review {

namespace kind {
constexpr const char* will_speak = "will_speak";
constexpr const char* will_attend = "will_attend";
constexpr const char* declined = "declined";
}  // namespace kind

// One State's own responses: does it attend (as speaker or not)?
bool is_attending(const std::vector<Response>& own_responses);

struct RegistrationSummary {
    std::array<std::vector<std::string>, 4> speakers;  // per pillar I..IV: "France (FRA)", in order of registration
    std::vector<std::string> attending;                // every attending State (speakers included), roster order
    std::vector<std::string> declined;                 // roster order
};

RegistrationSummary summarise_registrations(const Roster& roster, const std::vector<Response>& responses);

}  // namespace outreach::ct_strategy_review
