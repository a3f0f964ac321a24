#pragma once
// A meeting of the General Assembly on the implementation of the United Nations
// Global Counter-Terrorism Strategy (first: the President's letter of 7 November
// 2007 convening the informal meeting of 4 December 2007): an invitation to every
// Permanent Representative and Permanent Observer, the detailed programme by the
// Strategy's four pillars, the list of speakers with a reminder before it closes,
// a reminder to those attending, a staff task after the meeting, and the
// invitation to the formal review.
#include <memory>
#include <string>
#include <vector>

#include "outreach/plugin.hpp"

namespace outreach::ct_strategy_review {

class CtStrategyReviewType final : public CampaignType {
public:
    std::string name() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    std::vector<ResponseKind> response_kinds() const override;
    Workflow build_workflow(const CampaignContext& context) const override;
    bool matches(const std::string& predicate, const State& state, const std::vector<Response>& own_responses,
                 const FiringContext& firing) const override;
    TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>& responses) const override;
};


}  // namespace outreach::ct_strategy_review
