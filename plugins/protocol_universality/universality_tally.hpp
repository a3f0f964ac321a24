#pragma once
// Where universality stands at a given moment: the States bound at the start of
// the campaign (the bound-States file) plus those that notified their consent
// since (recorded `consented` responses). Feeds the audience predicates and the
// figures of the letters and conference reports.
#include <cstddef>
#include <string>
#include <vector>

#include "campaign_state_lists.hpp"
#include "outreach/plugin.hpp"

namespace outreach::protocol_universality {

namespace kind {
constexpr const char* consented = "consented";
constexpr const char* in_progress = "in_progress";
constexpr const char* declined = "declined";
}  // namespace kind

// Bound now: in the bound-States file, or a `consented` response among `responses`.
bool is_bound(const CampaignStateLists& lists, const std::string& code, const std::vector<Response>& responses);

struct UniversalityTally {
    std::size_t bound_at_start = 0;      // codes in the bound-States file
    std::size_t consented_since = 0;     // States not in the file that consented since
    std::size_t bound_now = 0;           // the two together
    std::size_t not_bound = 0;           // roster States not bound now
    std::size_t priority_not_bound = 0;  // of which in the priority group
    std::vector<std::string> new_parties;  // "France (FRA), 15 October 2006", in order of consent
    std::vector<std::string> in_progress;  // "Chile (CHL): note", latest per State, not bound
    std::vector<std::string> declined;     // likewise
};

// `zone` (IANA) gives the local dates of consent.
UniversalityTally tally(const CampaignStateLists& lists, const Roster& roster, const std::vector<Response>& responses,
                        const std::string& zone);

}  // namespace outreach::protocol_universality
