// `approve` and `reject`: the second pair of eyes. An approval is bound to the
// content it was given for (the hash the proof showed) and recorded with the OS
// user, the time and the note in the journal's audit trail; a rejection cancels
// the occurrence (decided as skipped, with the reason). Both wake the daemon.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "control/approval.hpp"
#include "control/operator_identity.hpp"
#include "control_support.hpp"
#include "daemon/daemon_loop.hpp"
#include "outreach/clock.hpp"
#include "safe_text.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

struct ApproveArgs {
    std::string campaign, step, occurrence, note;
    std::filesystem::path state_dir;
};

// The scheduled proof sent last for the occurrence, if any.
std::optional<ProofRecord> last_proof(Journal& journal, const PlannedOccurrence& o) {
    std::optional<ProofRecord> last;
    for (auto& proof : journal.proofs(o.campaign->id()))
        if (proof.kind == "scheduled" && proof.step == o.step->id && proof.occurrence == o.id) last = std::move(proof);
    return last;
}

int decide_command(const CommonOptions& common, const ApproveArgs& args, ApprovalRecord::Decision decision) {
    const bool approving = decision == ApprovalRecord::Decision::Approved;
    if (!is_utf8_argument(approving ? "--note" : "--reason", args.note)) return kUsage;
    if (!approving && args.note.find_first_not_of(" \t") == std::string::npos) {
        std::cerr << "error: --reason: give the reason for rejecting (it is recorded and shown by `history`)\n";
        return kUsage;
    }
    auto target = load_control_target(common, args.campaign, args.state_dir);
    if (!target) return kInvalidInput;
    const Campaign& campaign = *target->campaign;
    const Step* step = find_step(campaign, args.step);
    if (!step) return kInvalidInput;
    if (approving && !campaign.approval_lead(*step)) {
        std::cerr << "error: step " << step->id << " of " << campaign.id()
                  << " does not require approval (set approval = \"required\" in " << campaign.config.file.string()
                  << " or in its [steps." << step->id << "] table)\n";
        return kInvalidInput;
    }
    const Instant now = SystemClock().now();
    Journal journal(target->journal_file);
    const auto chosen = chosen_occurrences(campaign, *step, &journal, args.occurrence, now);
    if (chosen.empty()) return kInvalidInput;

    const std::string hash = campaign.approval_lead(*step) ? approval_content_hash(campaign, *step) : std::string();
    const std::string user = operator_identity();
    if (approving) {
        // The approver read a proof: the approval is for that content. If the
        // content changed since, the proof read is not what would be sent.
        for (const auto& o : chosen)
            if (const auto proof = last_proof(journal, o); proof && proof->content_hash != hash) {
                std::cerr << "error: " << campaign.id() << " " << step->id << " " << o.id
                          << ": the content changed since the proof sent on "
                          << format_local(proof->sent_at, campaign.timezone()) << " (content "
                          << short_hash(proof->content_hash) << ", now " << short_hash(hash)
                          << "); nothing approved. A new proof goes to staff; approve after reading it\n";
                touch_wake_file(target->journal_file);
                return kInvalidInput;
            }
    }
    {
        Journal::Batch batch(journal);
        for (const auto& o : chosen) {
            journal.record_approval(ApprovalRecord{campaign.id(), step->id, o.id, decision, hash, user, now, args.note});
            journal.audit(now, campaign.id(), approving ? "approve" : "reject",
                          step->id + " " + o.id + (approving ? ": content " + short_hash(hash) : std::string()) +
                              (args.note.empty() ? "" : (approving ? "; note: " : "; reason: ") + args.note),
                          user);
        }
        batch.commit();
    }
    touch_wake_file(target->journal_file);
    for (const auto& o : chosen) {
        std::cout << (approving ? "Approved" : "Rejected") << " by " << terminal_safe(user) << ": " << campaign.id()
                  << " " << step->id << " " << o.id << " (due " << format_local(o.due, campaign.timezone()) << ")";
        if (approving) {
            std::cout << ", content " << short_hash(hash);
            if (!last_proof(journal, o)) std::cout << " (no proof was sent for it yet: `outreach proof` shows one)";
            std::cout << (o.due <= now ? "; it fires now, subject to its deadline and misfire policy"
                                       : "; it fires when due unless the content changes");
        } else {
            std::cout << "; it will not be sent";
        }
        std::cout << "\n";
    }
    return kOk;
}

CLI::App* register_decision(CLI::App& app, CommonOptions& common, Action& action, ApprovalRecord::Decision decision) {
    const bool approving = decision == ApprovalRecord::Decision::Approved;
    auto args = std::make_shared<ApproveArgs>();
    auto* cmd = app.add_subcommand(
        approving ? "approve" : "reject",
        approving ? "Approve a step that requires approval (for the content of its proof), so that it fires"
                  : "Cancel an occurrence of a step: it is decided as skipped, with the reason");
    cmd->add_option("campaign", args->campaign, "Campaign id")->required()->type_name("CAMPAIGN");
    cmd->add_option("step", args->step, "Step id")->required()->type_name("STEP");
    cmd->add_option("occurrence", args->occurrence,
                    "Occurrence id as the proof names it; default: the step's next undecided occurrence (with every "
                    "other due at the same time)")
        ->type_name("OCCURRENCE");
    if (approving)
        cmd->add_option("--note", args->note, "Note kept with the approval in the audit trail")->type_name("TEXT");
    else
        cmd->add_option("--reason", args->note, "Why it is cancelled (required)")->required()->type_name("TEXT");
    cmd->add_option("--state-dir", args->state_dir, "Use DIR/journal.sqlite instead of the configured journal")
        ->type_name("DIR");
    cmd->callback([&, args, decision] { action = [&, args, decision] { return decide_command(common, *args, decision); }; });
    return cmd;
}

}  // namespace

CLI::App* register_approve(CLI::App& app, CommonOptions& common, Action& action) {
    return register_decision(app, common, action, ApprovalRecord::Decision::Approved);
}

CLI::App* register_reject(CLI::App& app, CommonOptions& common, Action& action) {
    return register_decision(app, common, action, ApprovalRecord::Decision::Rejected);
}

}  // namespace outreach::cli
