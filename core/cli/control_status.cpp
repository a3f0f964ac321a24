#include "control_status.hpp"

#include <map>

#include "control/approval.hpp"
#include "schedule/resume_preview.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {

ControlStatus control_status(const Runtime& runtime, Journal& journal, const Campaign& campaign, Instant now) {
    ControlStatus out;
    const std::string& zone = campaign.timezone();
    if (const auto pause = journal.pause_of(campaign.id()); pause && pause->active_at(now) && pause->since <= now) {
        out.lines.emplace_back("PAUSED", "since " + format_local(pause->since, zone) + " by " + pause->by +
                                             (pause->until ? ", until " + format_local(*pause->until, zone) : "") +
                                             (pause->note.empty() ? "" : ": " + pause->note));
        nlohmann::json on_resume = nlohmann::json::array();
        const auto preview = preview_due(runtime, journal, campaign, now);
        for (const auto& d : preview) {
            out.lines.emplace_back("  on resume", describe_preview(d, now));
            on_resume.push_back({{"step", d.occurrence.step->id},
                                 {"occurrence", d.occurrence.id},
                                 {"due_utc", format_instant_utc(d.occurrence.due)},
                                 {"decision", !d.coalesced_into.empty() ? "coalesced"
                                              : d.judgement.kind == Judgement::Kind::Fire ? "fire"
                                              : d.judgement.kind == Judgement::Kind::Skip ? "skip"
                                                                                          : "wait"},
                                 {"reason", d.judgement.reason}});
        }
        if (preview.empty()) out.lines.emplace_back("  on resume", "nothing due yet");
        out.json["paused"] = {{"since_utc", format_instant_utc(pause->since)},
                              {"by", pause->by},
                              {"note", pause->note},
                              {"until_utc", pause->until ? nlohmann::json(format_instant_utc(*pause->until)) : nullptr},
                              {"on_resume", on_resume}};
    }
    if (campaign.approval_leads.empty()) return out;

    // Occurrences whose proof time has come and that are not decided yet.
    const auto records = journal.responses(campaign.id());
    const auto enrolled = journal.enrolled_at(campaign.id());
    std::map<std::string, ApprovalRecord> approvals;
    for (auto& a : journal.approvals(campaign.id())) approvals.insert_or_assign(a.step + '\n' + a.occurrence, a);
    std::map<std::string, ProofRecord> proofs;  // the last scheduled proof of each occurrence
    for (auto& p : journal.proofs(campaign.id()))
        if (p.kind == "scheduled") proofs.insert_or_assign(p.step + '\n' + p.occurrence, p);
    std::map<std::string, std::string> hashes;
    nlohmann::json approval = nlohmann::json::array();
    for (const auto& o : expand_occurrences(campaign, records)) {
        const auto lead = campaign.approval_lead(*o.step);
        if (!lead || o.due - *lead > now) continue;
        if (enrolled ? o.due < *enrolled : o.due < now) continue;
        if (const auto decided = journal.occurrence(campaign.id(), o.step->id, o.id); decided && decided->decided_at <= now)
            continue;
        auto [hash, fresh] = hashes.try_emplace(o.step->id);
        if (fresh) hash->second = approval_content_hash(campaign, *o.step);
        const std::string k = o.step->id + '\n' + o.id;
        const auto given = approvals.find(k);
        const auto proof = proofs.find(k);
        std::string state, text;
        if (given != approvals.end() && given->second.decision == ApprovalRecord::Decision::Rejected) {
            state = "rejected";
            text = "rejected by " + given->second.by + " on " + format_local(given->second.at, zone);
        } else if (given != approvals.end() && given->second.content_hash == hash->second) {
            state = "approved";
            text = "approved by " + given->second.by + " on " + format_local(given->second.at, zone) +
                   (o.due <= now ? "; fires at the next pass" : "; fires when due");
        } else {
            state = "awaiting";
            const Instant since = proof != proofs.end() ? proof->second.sent_at : o.due - *lead;
            text = std::string(given != approvals.end() ? "approval lapsed (content changed); " : "") +
                   "awaiting approval since " + format_local(since, zone) +
                   (proof != proofs.end() ? " (proof sent to " + proof->second.to_email + ")" : " (proof not sent yet)");
        }
        out.lines.emplace_back("approval", o.step->id + " " + o.id + " due " + format_local(o.due, zone) + ": " + text);
        approval.push_back({{"step", o.step->id},
                            {"occurrence", o.id},
                            {"due_utc", format_instant_utc(o.due)},
                            {"state", state},
                            {"detail", text},
                            {"content", short_hash(hash->second)}});
    }
    if (!approval.empty()) out.json["approval"] = approval;
    return out;
}

PlanControlNotes::PlanControlNotes(const Runtime& runtime, Journal& journal, const Campaign& campaign, Instant now)
    : campaign_(campaign) {
    const auto pause = journal.pause_of(campaign.id());
    paused_ = pause && pause->active_at(now);
    if (!paused_) return;
    for (const auto& d : preview_due(runtime, journal, campaign, now)) {
        std::string what = describe_preview(d, now);
        what = what.substr(what.find(d.occurrence.id) + d.occurrence.id.size() + 2);
        on_resume_[d.occurrence.step->id + '\n' + d.occurrence.id] = what;
    }
}

std::string PlanControlNotes::note(const PlannedOccurrence& o) const {
    std::string out;
    if (const auto it = on_resume_.find(o.step->id + '\n' + o.id); it != on_resume_.end())
        out = "paused; on resume " + it->second;
    else if (paused_)
        out = "paused";
    if (campaign_.approval_lead(*o.step)) out += (out.empty() ? "" : "; ") + std::string("needs approval");
    return out;
}

}  // namespace outreach::cli
