#pragma once
// Periodic reports every State owes, e.g. national reports under a treaty's
// reporting article: each State has its own due date (a CSV file). Before it,
// reminders; a month after it, a letter saying the report is overdue; then, every
// six months, an escalation to the Permanent Representative, until the State's
// report arrives (`report_submitted`) or the campaign ends. Staff get a quarterly
// list of the overdue States with how late each is; a State that reports is
// thanked the next day.
#include <string>
#include <vector>

#include "outreach/plugin.hpp"

namespace outreach::reporting_obligations {

class ReportingObligationsType final : public CampaignType {
public:
    std::string name() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    std::vector<ResponseKind> response_kinds() const override;
    Workflow build_workflow(const CampaignContext& context) const override;
    // "overdue": the State's report is past due on the firing's date and not
    // submitted; "first_submission": the response that triggered a thank-you is
    // the State's first `report_submitted`.
    bool matches(const std::string& predicate, const State& state, const std::vector<Response>& own_responses,
                 const FiringContext& firing) const override;
    // overdue_report: the lists and counts of the staff report.
    TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>& responses) const override;
    // Every letter: the State's due date, how late its report is, ...
    TemplateValues letter_values(const FiringContext& firing, const State& state,
                                 const std::vector<Response>& own_responses) const override;
};

}  // namespace outreach::reporting_obligations
