#include "schedule/decision_rules.hpp"

#include <algorithm>

#include "schedule/audience.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

bool coalesces(const Step& step) { return std::holds_alternative<EveryTrigger>(step.trigger); }

bool answered(const std::vector<Response>& responses, const std::string& state, const std::string& kind) {
    return std::any_of(responses.begin(), responses.end(),
                       [&](const Response& r) { return r.state == state && r.kind == kind; });
}

}  // namespace

std::string format_duration(std::chrono::seconds d) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
    if (minutes < 120) return std::to_string(minutes) + " min";
    const auto hours = minutes / 60;
    if (hours < 72) return std::to_string(hours) + " h";
    return std::to_string(hours / 24) + " days";
}

std::vector<const PlannedOccurrence*> coalesce_targets(const std::vector<const PlannedOccurrence*>& due) {
    std::map<std::pair<const Campaign*, std::string>, const PlannedOccurrence*> latest;
    for (const PlannedOccurrence* o : due)
        if (coalesces(*o->step)) latest[{o->campaign, o->series()}] = o;
    std::vector<const PlannedOccurrence*> targets;
    targets.reserve(due.size());
    for (const PlannedOccurrence* o : due) {
        const PlannedOccurrence* into = nullptr;
        if (coalesces(*o->step))
            if (const PlannedOccurrence* last = latest.at({o->campaign, o->series()}); last != o) into = last;
        targets.push_back(into);
    }
    return targets;
}

Judgement DecisionRules::judge(const PlannedOccurrence& o, Instant now, const DecisionLookup& decision) const {
    using Kind = Judgement::Kind;
    const Campaign& campaign = *o.campaign;
    if (const auto* after = std::get_if<AfterTrigger>(&o.step->trigger)) {
        const auto ref = decision(campaign, after->step, o.depends_on);
        if (!ref) {
            const PlannedOccurrence* ref_occurrence = planner_.find(campaign, after->step, o.depends_on);
            const auto enrolled = planner_.enrolled_at(campaign);
            if (!ref_occurrence || (enrolled && ref_occurrence->due < *enrolled))
                return {Kind::Skip, after->step + " fell before the campaign was enrolled"};
            return {Kind::Wait, after->step + " " + o.depends_on + " is not decided yet"};
        }
        if (*ref != OccurrenceStatus::Fired) return {Kind::Skip, after->step + " " + o.depends_on + " did not fire"};
    }
    const ApprovalStatus approval = approvals_.status(o);
    if (approval.state == ApprovalState::Rejected) {
        const auto& r = *approval.record;
        return {Kind::Skip, "rejected by " + r.by + " on " + format_local(r.at, campaign.timezone()) +
                                (r.note.empty() ? "" : ": " + r.note)};
    }
    if (o.valid_until && now >= *o.valid_until)
        return {Kind::Skip,
                "deadline " + format_date(local_date(*o.valid_until, campaign.timezone())) + " has passed"};
    const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - o.due);
    if (o.step->misfire.kind == MisfirePolicy::Kind::SkipWhenLate && late > o.step->misfire.grace)
        return {Kind::Skip,
                "missed by " + format_duration(late) + " (grace " + format_duration(o.step->misfire.grace) + ")"};
    if (!o.step->until_response.empty() && !o.only_state.empty() &&
        answered(responses_until(planner_.responses(campaign), now), o.only_state, o.step->until_response))
        return {Kind::Skip, o.only_state + " has answered " + o.step->until_response};
    if (approval.state == ApprovalState::Pending)
        return {Kind::AwaitApproval, "awaiting approval"};
    if (approval.state == ApprovalState::Lapsed)
        return {Kind::AwaitApproval, "approval by " + approval.record->by + " lapsed: the content changed since"};
    return {Kind::Fire, {}};
}

}  // namespace outreach
