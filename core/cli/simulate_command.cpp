// `simulate`: the whole season on a virtual clock, into a scratch journal and
// Maildir under --state-dir. Re-running on the same directory sends nothing new.
#include <iostream>

#include "channel.hpp"
#include "commands.hpp"
#include "journal.hpp"
#include "runtime_loading.hpp"
#include "scheduler.hpp"
#include "timeline_printer.hpp"
#include "timezone.hpp"

namespace outreach::cli {
namespace {

int simulate_command(const CommonOptions& common, Date from, Date to, const std::filesystem::path& state_dir,
                     bool summary_only) {
    if (to < from) {
        std::cerr << "error: --to " << format_date(to) << " is before --from " << format_date(from) << "\n";
        return kUsage;
    }
    const auto loaded = load_for_command(common);
    const Runtime& runtime = *loaded.runtime;
    if (runtime.campaigns.empty()) {
        std::cerr << "error: no valid enabled campaign to simulate\n";
        return kInvalidInput;
    }
    std::filesystem::create_directories(state_dir);
    Journal journal(state_dir / "journal.sqlite");
    MaildirChannel outbox(state_dir / "outbox");
    const std::string& zone = runtime.config.global.timezone;
    VirtualClock clock(start_of_day(from, zone));
    const Instant end = start_of_day(to + Days{1}, zone);

    Scheduler scheduler(runtime, journal, clock, outbox);
    TimelinePrinter timeline(std::cout, summary_only);
    scheduler.set_observer(&timeline);
    std::cout << "Simulating " << format_date(from) << " to " << format_date(to) << " (" << zone << ") into "
              << state_dir.string() << "\n";
    scheduler.run_due();  // enrols the campaigns at --from
    while (auto next = scheduler.next_due()) {
        if (*next >= end) break;
        clock.set(std::max(clock.now(), *next));
        scheduler.run_due();
    }
    std::cout << "\n" << timeline.letters() << " letters and " << timeline.tasks() << " tasks delivered to "
              << (state_dir / "outbox").string() << "; " << timeline.skipped() << " occurrences skipped or coalesced";
    if (timeline.already()) std::cout << "; " << timeline.already() << " already sent earlier";
    if (timeline.failed()) std::cout << "; " << timeline.failed() << " FAILED";
    std::cout << "\n";
    if (timeline.failed()) return kDeliveryFailures;
    return loaded.had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_simulate(CLI::App& app, CommonOptions& common, Action& action) {
    struct Args {
        Date from{}, to{};
        std::filesystem::path state_dir;
        bool summary = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "simulate", "Run a season on a virtual clock into a scratch journal and Maildir, printing every letter");
    add_date_option(cmd, "--from", args->from, "First day")->required();
    add_date_option(cmd, "--to", args->to, "Last day (inclusive)")->required();
    cmd->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    cmd->add_option("--state-dir", args->state_dir, "Scratch directory: journal.sqlite and outbox/ go here")
        ->required()
        ->type_name("DIR");
    cmd->add_flag("--summary", args->summary, "One line per step occurrence instead of one per letter");
    cmd->callback([&, args] {
        action = [&, args] { return simulate_command(common, args->from, args->to, args->state_dir, args->summary); };
    });
    return cmd;
}

}  // namespace outreach::cli
