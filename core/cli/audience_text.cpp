#include "audience_text.hpp"

namespace outreach::cli {

std::string audience_text(const Campaign& campaign, const PlannedOccurrence& o) {
    const std::string audience = describe_audience(o.step->audience);
    if (o.only_state.empty()) return audience;
    const State* state = campaign.roster.find(o.only_state);
    const std::string named = state ? state->name + " (" + o.only_state + ")" : o.only_state;
    return o.step->audience.kind == Audience::Kind::All ? named : named + ", if among " + audience;
}

}  // namespace outreach::cli
