// `simulate`: the whole season on a virtual clock, into a scratch journal and
// Maildir under --state-dir. Re-running on the same directory sends nothing new.
// With --responses, scripted answers are recorded as the clock passes their
// dates, so a step only knows the answers given before it fires.
#include <algorithm>
#include <functional>
#include <set>
#include <iostream>

#include "daemon/daemon_loop.hpp"
#include "delivery/channel.hpp"
#include "commands.hpp"
#include "journal/journal.hpp"
#include "journal/response_script.hpp"
#include "runtime_loading.hpp"
#include "schedule/scheduler.hpp"
#include "timeline_printer.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

struct SimulateArgs {
    Date from{}, to{};
    std::filesystem::path state_dir;
    std::vector<std::filesystem::path> response_files;
    bool summary = false;
    std::vector<std::string> approve = {"all"};  // all | none | STEP...
};

// simulate --approve: which occurrences that wait for approval the simulation
// approves on the spot. "all" (the default): the preview shows the season as it
// goes once staff approve each proof; "none": as it goes if nobody does; step
// ids: those steps only. Unknown step ids are refused.
std::optional<std::function<bool(const PlannedOccurrence&)>> approval_policy(const std::vector<std::string>& choice,
                                                                            const Runtime& runtime) {
    if (choice.size() == 1 && choice.front() == "all") return [](const PlannedOccurrence&) { return true; };
    if (choice.size() == 1 && choice.front() == "none") return [](const PlannedOccurrence&) { return false; };
    std::set<std::string> steps;
    for (const auto& id : choice) {
        const bool known = std::any_of(runtime.campaigns.begin(), runtime.campaigns.end(), [&](const Campaign& c) {
            const Step* step = c.step(id);
            return step && c.approval_lead(*step);
        });
        if (!known) {
            std::cerr << "error: --approve: '" << id
                      << "' is not a step that requires approval in the simulated campaigns (give all, none or "
                         "step ids)\n";
            return std::nullopt;
        }
        steps.insert(id);
    }
    return [steps](const PlannedOccurrence& o) { return steps.count(o.step->id) > 0; };
}

// Feeds the scripted responses into the journal in date order as the virtual
// clock reaches them; one already in the journal (a re-run) is not added again.
class ScriptedResponses {
public:
    ScriptedResponses(std::vector<ScriptedResponse> responses, const Runtime& runtime, Journal& journal,
                      std::ostream& out)
        : responses_(std::move(responses)), runtime_(runtime), journal_(journal), out_(out) {
        std::stable_sort(responses_.begin(), responses_.end(), [](const auto& a, const auto& b) {
            return a.validated.response.at < b.validated.response.at;
        });
    }

    std::optional<Instant> next() const {
        if (next_ == responses_.size()) return std::nullopt;
        return responses_[next_].validated.response.at;
    }

    void record_until(Instant now) {
        for (; next_ < responses_.size() && responses_[next_].validated.response.at <= now; ++next_) {
            const auto& scripted = responses_[next_];
            const Campaign& campaign = *runtime_.campaign(scripted.campaign);
            const Response& response = scripted.validated.response;
            const auto existing = journal_.responses(campaign.id());
            const bool present = std::any_of(existing.begin(), existing.end(), [&](const ResponseRecord& r) {
                return same_response(r, campaign.id(), response);
            });
            out_ << timeline_head(format_local(response.at, campaign.timezone()), campaign.id(), "response")
                 << "  " << response.state << " " << describe_response(&campaign, response);
            if (present) {
                ++already_;
                out_ << "  (already recorded)\n";
                continue;
            }
            Journal::Batch batch(journal_);
            const auto id = journal_.add_response(campaign.id(), response, scripted.validated.note, now);
            journal_.audit(now, campaign.id(), "response",
                           "response " + std::to_string(id) + " from the script (" + scripted.field + "): " +
                               response.state + " " + describe_response(&campaign, response));
            batch.commit();
            ++recorded_;
            out_ << "\n";
        }
    }

    std::size_t recorded() const { return recorded_; }
    std::size_t already() const { return already_; }
    std::size_t after_end() const { return responses_.size() - next_; }

private:
    std::vector<ScriptedResponse> responses_;
    const Runtime& runtime_;
    Journal& journal_;
    std::ostream& out_;
    std::size_t next_ = 0, recorded_ = 0, already_ = 0;
};

// Every script is checked before anything runs: a preview with half its
// responses would be misleading. Empty optional when a script has errors.
std::optional<std::vector<ScriptedResponse>> load_scripts(const std::vector<std::filesystem::path>& files,
                                                          const Runtime& runtime) {
    Diagnostics errors;
    std::vector<ScriptedResponse> all;
    for (const auto& file : files) {
        ResponseScript script = load_response_script(file, runtime, errors);
        for (const auto& w : script.warnings) std::cerr << "warning: " << w.format() << "\n";
        std::move(script.responses.begin(), script.responses.end(), std::back_inserter(all));
    }
    if (!errors.empty()) {
        print_diagnostics(errors);
        std::cerr << "error: " << errors.size() << " problem" << (errors.size() == 1 ? "" : "s")
                  << " in the response script" << (files.size() == 1 ? "" : "s") << "; nothing simulated\n";
        return std::nullopt;
    }
    return all;
}

int simulate_command(const CommonOptions& common, const SimulateArgs& args) {
    if (args.to < args.from) {
        std::cerr << "error: --to " << format_date(args.to) << " is before --from " << format_date(args.from) << "\n";
        return kUsage;
    }
    const auto loaded = load_for_command(common);
    if (refuse_to_send(loaded, common)) return kInvalidInput;
    const Runtime& runtime = *loaded.runtime;
    if (runtime.campaigns.empty()) {
        std::cerr << "error: no valid enabled campaign to simulate\n";
        return kInvalidInput;
    }
    auto scripted = load_scripts(args.response_files, runtime);
    if (!scripted) return kInvalidInput;
    auto approve = approval_policy(args.approve, runtime);
    if (!approve) return kUsage;

    std::filesystem::create_directories(args.state_dir);
    // Two simulations on one state dir would race for the same letters.
    JournalLock lock(args.state_dir / "journal.sqlite", "simulate");
    Journal journal(args.state_dir / "journal.sqlite");
    MaildirChannel outbox(args.state_dir / "outbox");
    const std::string& zone = runtime.config.global.timezone;
    VirtualClock clock(start_of_day(args.from, zone));
    const Instant end = start_of_day(args.to + Days{1}, zone);

    Scheduler scheduler(runtime, journal, clock, outbox);
    // A virtual clock has no one waiting between passes: letters are written in
    // batches that span passes, each made durable with one flush.
    scheduler.set_batch_across_passes(true);
    TimelinePrinter timeline(std::cout, args.summary);
    scheduler.set_observer(&timeline);
    scheduler.set_auto_approve(*approve, "simulate (--approve)");
    ScriptedResponses responses(std::move(*scripted), runtime, journal, std::cout);
    std::cout << "Simulating " << format_date(args.from) << " to " << format_date(args.to) << " (" << zone << ") into "
              << args.state_dir.string() << "\n";
    responses.record_until(clock.now());  // answers dated before --from are known from the start
    scheduler.run_due();                  // enrols the campaigns at --from
    for (;;) {
        // Stop at the next due step or the next scripted answer, whichever comes
        // first: on_response steps then fire on time, and reminders see exactly
        // the answers given before them.
        std::optional<Instant> next = scheduler.next_due();
        if (const auto answer = responses.next(); answer && (!next || *answer < *next)) next = answer;
        if (!next || *next >= end) break;
        clock.set(std::max(clock.now(), *next));
        if (const auto answer = responses.next(); answer && *answer <= clock.now()) {
            scheduler.flush();  // the script records in its own transaction
            responses.record_until(clock.now());
        }
        scheduler.run_due();
    }
    scheduler.flush();
    std::cout << "\n" << timeline.letters() << " letters and " << timeline.tasks() << " tasks delivered to "
              << (args.state_dir / "outbox").string() << "; " << timeline.skipped()
              << " occurrences skipped or coalesced";
    if (timeline.already()) std::cout << "; " << timeline.already() << " already sent earlier";
    if (timeline.failed()) std::cout << "; " << timeline.failed() << " FAILED";
    std::cout << "\n";
    if (!args.response_files.empty()) {
        std::cout << responses.recorded() << " scripted responses recorded";
        if (responses.already()) std::cout << "; " << responses.already() << " already recorded earlier";
        if (responses.after_end()) std::cout << "; " << responses.after_end() << " dated after --to not replayed";
        std::cout << "\n";
    }
    if (timeline.failed()) return kDeliveryFailures;
    return loaded.had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_simulate(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<SimulateArgs>();
    auto* cmd = app.add_subcommand(
        "simulate", "Run a season on a virtual clock into a scratch journal and Maildir, printing every letter");
    add_date_option(cmd, "--from", args->from, "First day")->required();
    add_date_option(cmd, "--to", args->to, "Last day (inclusive)")->required();
    cmd->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    cmd->add_option("--state-dir", args->state_dir, "Scratch directory: journal.sqlite and outbox/ go here")
        ->required()
        ->type_name("DIR");
    cmd->add_option("--responses", args->response_files,
                    "Response script (TOML, see docs/operators.md) replayed at its dates; repeatable")
        ->type_name("FILE");
    cmd->add_flag("--summary", args->summary, "One line per step occurrence instead of one per letter");
    cmd->add_option("--approve", args->approve,
                    "Steps requiring approval: approve all (default), none, or only these step ids, as each falls due")
        ->type_name("all|none|STEP...")
        ->capture_default_str();
    cmd->callback([&, args] { action = [&, args] { return simulate_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
