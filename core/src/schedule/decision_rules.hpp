#pragma once
// The rules that decide a due occurrence, in one place: the scheduler applies
// them when it runs, and `resume --dry-run`, `status` and `plan` apply the same
// functions to preview what a resume will do (no second copy of the rules).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/approval.hpp"
#include "journal/journal.hpp"
#include "schedule/occurrences.hpp"
#include "schedule/planner.hpp"

namespace outreach {

struct Judgement {
    enum class Kind {
        Fire,             // send it now (reason: empty, or filled in when fired late)
        Skip,             // decided as skipped, for `reason`
        Wait,             // an `after` step whose predecessor is not decided yet
        AwaitApproval,    // requires approval, not approved for the current content
    };
    Kind kind = Kind::Fire;
    std::string reason;
};

// For each of a pass's due occurrences (in order), the occurrence of its
// recurring series it coalesces into, or nullptr when it is decided on its own:
// missed occurrences of one series collapse into the latest.
OUTREACH_EXPORT std::vector<const PlannedOccurrence*> coalesce_targets(const std::vector<const PlannedOccurrence*>& due);

// "missed by 3 h", "late by 10 min".
OUTREACH_EXPORT std::string format_duration(std::chrono::seconds duration);

class OUTREACH_EXPORT DecisionRules {
public:
    // The decision of a predecessor (`after`): the journal's, or one predicted
    // earlier in the same preview.
    using DecisionLookup =
        std::function<std::optional<OccurrenceStatus>(const Campaign&, const std::string& step, const std::string& id)>;

    DecisionRules(const Planner& planner, ApprovalBook& approvals) : planner_(planner), approvals_(approvals) {}

    // In order: an `after` step whose predecessor did not fire is skipped (or
    // waits while it is undecided); a rejected occurrence is skipped; then the
    // deadline, the misfire policy and the stop response; last, a step that
    // requires approval waits for one given for its current content.
    Judgement judge(const PlannedOccurrence& occurrence, Instant now, const DecisionLookup& decision) const;

private:
    const Planner& planner_;
    ApprovalBook& approvals_;
};

}  // namespace outreach
