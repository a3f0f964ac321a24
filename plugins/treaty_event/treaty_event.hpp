#pragma once
// The annual treaty event held alongside the General Assembly's general debate:
// the Secretary-General invites States to sign, ratify or accede to treaties he
// holds, reminds them of the notification deadline, staff publish the Focus booklet
// and arrange signing slots, and a follow-up offers implementation assistance.
#include <memory>
#include <string>
#include <vector>

#include "outreach/plugin.hpp"

namespace outreach::treaty_event {

class TreatyEventType final : public CampaignType {
public:
    std::string name() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    Workflow build_workflow(const CampaignContext& context) const override;
};

class TreatyEventPlugin final : public Plugin {
public:
    std::string name() const override;
    std::string version() const override;
    std::vector<std::shared_ptr<CampaignType>> campaign_types() const override;
};

}  // namespace outreach::treaty_event
