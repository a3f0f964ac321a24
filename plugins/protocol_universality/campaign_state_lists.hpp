#pragma once
// The two State lists of a protocol_universality campaign (bound at the start,
// priority group), read when the workflow is built and kept for the audience
// predicates and reports that run at every firing.
#include <map>
#include <memory>
#include <mutex>
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

class StateListCache {
public:
    // Reads both files afresh (building a workflow means the configuration was
    // (re)loaded). Throws std::runtime_error "params.<option>: <file>:<line>:<col>: ...".
    std::shared_ptr<const CampaignStateLists> load(const CampaignContext& context);
    // The lists read for this campaign's files, reading them if not read yet.
    std::shared_ptr<const CampaignStateLists> get(const CampaignContext& context);

private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const CampaignStateLists>> by_campaign_;
};

}  // namespace outreach::protocol_universality
