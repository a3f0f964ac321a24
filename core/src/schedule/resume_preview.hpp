#pragma once
// What the scheduler would decide now for a campaign's undecided due
// occurrences if it were not paused: `resume --dry-run`, and the "on resume"
// lines of `status` and `plan`. It applies the scheduler's own rules
// (coalesce_targets, DecisionRules::judge) to a plan read from the journal and
// writes nothing.
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/decision_rules.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

struct PreviewDecision {
    PlannedOccurrence occurrence;
    Judgement judgement;               // Fire, Skip, Wait, AwaitApproval
    std::string coalesced_into;        // non-empty: coalesced into this occurrence id
};

// In the order the scheduler would decide them. Empty when the campaign was
// never enrolled (nothing before its first run is ever sent).
OUTREACH_EXPORT std::vector<PreviewDecision> preview_due(const Runtime& runtime, Journal& journal,
                                                         const Campaign& campaign, Instant now);

// "2007-08-02 09:00 EDT  reminder  skipped: deadline 2007-08-01 has passed".
OUTREACH_EXPORT std::string describe_preview(const PreviewDecision& decision, Instant now);

}  // namespace outreach
