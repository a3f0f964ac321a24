// `proof`: sends a proof of a step now, to staff or to one given address, for
// reading before approval or simply to check a letter. Never to a State, never a
// delivery of the step: its key is its own (proof/<campaign>/<step>/<n>), so
// proofs may be sent as often as wanted, and it is recorded as a proof with the
// OS user who asked for it.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "config/email_address.hpp"
#include "control/approval.hpp"
#include "control/operator_identity.hpp"
#include "control/proof.hpp"
#include "control_support.hpp"
#include "delivery/channel_factory.hpp"
#include "outreach/clock.hpp"
#include "safe_text.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

struct ProofArgs {
    std::string campaign, step, state, to;
    std::filesystem::path state_dir;
};

int proof_command(const CommonOptions& common, const ProofArgs& args) {
    if (!args.to.empty())
        if (const std::string problem = email_address_problem(args.to); !problem.empty()) {
            std::cerr << "error: --to: not one e-mail address: '" << terminal_safe(args.to) << "' (" << problem << ")\n";
            return kInvalidInput;
        }
    auto target = load_control_target(common, args.campaign, args.state_dir);
    if (!target) return kInvalidInput;
    if (refuse_to_send(target->loaded, common)) return kInvalidInput;
    const Campaign& campaign = *target->campaign;
    const Step* step = find_step(campaign, args.step);
    if (!step) return kInvalidInput;
    std::string sample;
    if (!args.state.empty()) {
        const State* state = campaign.roster.find(args.state);
        if (!state) {
            std::cerr << "error: --state: no State '" << terminal_safe(args.state) << "' in the roster of "
                      << campaign.id() << " (give an alpha-3 code such as FRA, or the State's exact name)\n";
            return kInvalidInput;
        }
        sample = state->code;
    }
    const std::string to = args.to.empty() ? campaign.config.sender.staff_email : args.to;
    if (to.empty()) {
        std::cerr << "error: no [sender] staff_email configured; give --to ADDRESS\n";
        return kInvalidInput;
    }
    const Instant now = SystemClock().now();
    Journal journal(target->journal_file);
    auto open = undecided_occurrences(campaign, *step, &journal, now);
    if (open.empty()) {
        std::cerr << "error: " << campaign.id() << " " << step->id << " has no undecided occurrence left to proof\n";
        return kInvalidInput;
    }
    const PlannedOccurrence& o = open.front();
    const std::string hash = approval_content_hash(campaign, *step);
    const std::int64_t number = journal.count_test_proofs(campaign.id()) + 1;
    const std::string key = "proof/" + campaign.id() + "/" + step->id + "/" +
                            std::to_string(now.time_since_epoch().count()) + "-" + std::to_string(number);
    Letter letter;
    try {
        letter = compose_proof(o, now, journal.responses(campaign.id()),
                               ProofRequest{ProofKind::Test, key, to, hash, sample});
    } catch (const std::exception& e) {
        std::cerr << "error: cannot render the proof of " << campaign.id() << " " << step->id << ": " << e.what() << "\n";
        return kInvalidInput;
    }
    const auto& global = target->loaded.runtime->config.global;
    auto channel = make_channel(global.delivery, args.state_dir.empty() ? global.delivery.outbox : args.state_dir / "outbox",
                                std::cout);
    const DeliveryResult result = channel->deliver(letter);
    if (result.status != DeliveryResult::Status::Delivered && result.status != DeliveryResult::Status::AlreadyDelivered) {
        std::cerr << "error: the proof was not delivered to " << terminal_safe(to) << ": " << terminal_safe(result.detail)
                  << "\n";
        return kRuntimeFailure;
    }
    const std::string user = operator_identity();
    {
        Journal::Batch batch(journal);
        journal.record_proof(ProofRecord{key, campaign.id(), step->id, o.id, "test", hash, to, user, now});
        journal.audit(now, campaign.id(), "proof",
                      step->id + " " + o.id + ": test proof of content " + short_hash(hash) + " sent to " + to, user);
        batch.commit();
    }
    std::cout << "Proof of " << campaign.id() << " " << step->id << " " << o.id << " (due "
              << format_local(o.due, campaign.timezone()) << ", content " << short_hash(hash) << ") sent to "
              << terminal_safe(to) << " via " << channel->name() << "\n";
    return kOk;
}

}  // namespace

CLI::App* register_proof(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<ProofArgs>();
    auto* cmd = app.add_subcommand("proof", "Send a proof of a step's next occurrence now, to staff or --to an address "
                                            "(never to a State; not a delivery of the step)");
    cmd->add_option("campaign", args->campaign, "Campaign id")->required()->type_name("CAMPAIGN");
    cmd->add_option("step", args->step, "Step id")->required()->type_name("STEP");
    cmd->add_option("--state", args->state, "Render the sample letter for this State (alpha-3 code or exact name)")
        ->type_name("STATE");
    cmd->add_option("--to", args->to, "Send it to this one address instead of [sender] staff_email")->type_name("ADDRESS");
    cmd->add_option("--state-dir", args->state_dir, "Use DIR/journal.sqlite and DIR/outbox instead of the config's")
        ->type_name("DIR");
    cmd->callback([&, args] { action = [&, args] { return proof_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
