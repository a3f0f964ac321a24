#pragma once
// The annual treaty event held alongside the General Assembly's general debate:
// the Secretary-General invites States to sign, ratify or accede to treaties he
// holds, reminds them of the notification deadline, staff publish the Focus booklet
// and arrange signing slots, and a follow-up offers implementation assistance.
// States answer with an intention to sign, ratify or accede to a treaty, or decline;
// only those that have not answered are reminded of the deadline.
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
    std::vector<ResponseKind> response_kinds() const override;
    Workflow build_workflow(const CampaignContext& context) const override;
    // "not_declined": the State's latest response is not `declined`.
    bool matches(const std::string& predicate, const State& state, const std::vector<Response>& own_responses,
                 const FiringContext& firing) const override;
    // arrange_signing_slots: the list `signing_slots` and its counts.
    TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>& responses) const override;
};

}  // namespace outreach::treaty_event
