#pragma once
// The two State lists of a protocol_universality campaign (bound at the start,
// priority group), read when the workflow is built and kept as the workflow's
// data (Workflow::data) for the audience predicates and reports of every firing.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "option_names.hpp"
#include "outreach/plugin.hpp"
#include "state_list_file.hpp"

namespace outreach::protocol_universality {

struct CampaignStateLists {
    StateList bound;
    std::optional<StateList> priority;  // absent: no priority group

    bool in_priority_group(const std::string& code) const { return priority && priority->contains(code); }
};

// Reads both files (building a workflow means the configuration was (re)loaded).
// Throws std::runtime_error "params.<option>: <file>:<line>:<col>: ...".
std::shared_ptr<const CampaignStateLists> load_state_lists(const CampaignContext& context);

}  // namespace outreach::protocol_universality
