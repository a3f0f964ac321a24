#pragma once
// A universality drive for an instrument (first: Amended Protocol II to the CCW,
// the Secretary-General's letter of 24 July 2006): every State not yet bound is
// invited to consent to be bound, States party to the original instrument with a
// paragraph of their own; follow-ups recur until a State consents, a consent is
// acknowledged, and before each annual conference of States parties staff report
// how many States are bound now against the start.
#include <memory>
#include <string>
#include <vector>

#include "campaign_state_lists.hpp"
#include "outreach/plugin.hpp"

namespace outreach::protocol_universality {

class ProtocolUniversalityType final : public CampaignType {
public:
    std::string name() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    std::vector<ResponseKind> response_kinds() const override;
    Workflow build_workflow(const CampaignContext& context) const override;
    // The State lists are read when the workflow is built (kept as its data);
    // predicates and reports reuse them.
    bool matches(const std::string& predicate, const State& state, const std::vector<Response>& own_responses,
                 const FiringContext& firing) const override;
    TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>& responses) const override;
};

}  // namespace outreach::protocol_universality
