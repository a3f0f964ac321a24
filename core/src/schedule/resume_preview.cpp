#include "schedule/resume_preview.hpp"

#include <map>

#include "schedule/planner.hpp"
#include "time/timezone.hpp"

namespace outreach {

std::vector<PreviewDecision> preview_due(const Runtime& runtime, Journal& journal, const Campaign& campaign, Instant now) {
    Planner planner(runtime, journal);
    if (!runtime.campaign(campaign.id()) || !campaign.config.enabled || !planner.enrolled_at(campaign)) return {};
    planner.refresh();
    std::vector<const PlannedOccurrence*> due;
    for (const PlannedOccurrence* o : planner.take_due(now))
        if (o->campaign->id() == campaign.id() && o->due <= now) due.push_back(o);

    ApprovalBook approvals(journal);
    approvals.reload();
    const DecisionRules rules(planner, approvals);
    // Decisions predicted earlier in this preview, for the `after` steps that follow them.
    std::map<std::pair<std::string, std::string>, OccurrenceStatus> predicted;
    const auto decision = [&](const Campaign& c, const std::string& step, const std::string& id) {
        if (const auto it = predicted.find({step, id}); it != predicted.end()) return std::optional(it->second);
        return planner.decision(c, step, id);
    };
    std::vector<PreviewDecision> out;
    const auto into = coalesce_targets(due);
    for (std::size_t i = 0; i < due.size(); ++i) {
        const PlannedOccurrence& o = *due[i];
        PreviewDecision d{o, {}, {}};
        if (into[i]) {
            d.coalesced_into = into[i]->id;
            d.judgement = {Judgement::Kind::Skip, "coalesced into " + into[i]->id};
            predicted[{o.step->id, o.id}] = OccurrenceStatus::Coalesced;
        } else {
            d.judgement = rules.judge(o, now, decision);
            if (d.judgement.kind == Judgement::Kind::Fire) {
                predicted[{o.step->id, o.id}] = OccurrenceStatus::Fired;
                const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - o.due);
                if (late > std::chrono::minutes(1)) d.judgement.reason = "late by " + format_duration(late);
            } else if (d.judgement.kind == Judgement::Kind::Skip) {
                predicted[{o.step->id, o.id}] = OccurrenceStatus::Skipped;
            }
        }
        out.push_back(std::move(d));
    }
    return out;
}

std::string describe_preview(const PreviewDecision& d, Instant) {
    const auto& o = d.occurrence;
    std::string what;
    switch (d.judgement.kind) {
        case Judgement::Kind::Fire: what = "fires" + (d.judgement.reason.empty() ? "" : " " + d.judgement.reason); break;
        case Judgement::Kind::Skip:
            what = d.coalesced_into.empty() ? "skipped: " + d.judgement.reason : "coalesced into " + d.coalesced_into;
            break;
        case Judgement::Kind::Wait: what = "waits: " + d.judgement.reason; break;
        case Judgement::Kind::AwaitApproval: what = "does not fire: " + d.judgement.reason; break;
    }
    return format_local(o.due, o.campaign->timezone()) + "  " + o.step->id + " " + o.id + "  " + what;
}

}  // namespace outreach
