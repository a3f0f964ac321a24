// `run`: one pass on the real clock — send what is due now, then exit (cron).
#include <iostream>
#include <memory>

#include "delivery/channel_factory.hpp"
#include "commands.hpp"
#include "daemon/daemon_loop.hpp"
#include "journal/journal.hpp"
#include "runtime_loading.hpp"
#include "schedule/scheduler.hpp"
#include "time/timezone.hpp"
#include "timeline_printer.hpp"
#include "wording.hpp"

namespace outreach::cli {
namespace {

int run_command(const CommonOptions& common, const std::optional<std::filesystem::path>& state_dir) {
    const auto loaded = load_for_command(common);
    if (refuse_to_send(loaded, common)) return kInvalidInput;
    const Runtime& runtime = *loaded.runtime;
    const auto& global = runtime.config.global;
    const auto journal_file = state_dir ? *state_dir / "journal.sqlite" : global.journal;
    // `run` and a daemon on the same journal would race for the same letters.
    JournalLock lock(journal_file, "run");
    Journal journal(journal_file);
    auto channel = make_channel(global.delivery, state_dir ? *state_dir / "outbox" : global.delivery.outbox, std::cout);
    SystemClock clock;
    Scheduler scheduler(runtime, journal, clock, *channel);
    TimelinePrinter timeline(std::cout, false, global.timezone);
    scheduler.set_observer(&timeline);
    scheduler.run_due();
    std::cout << counted(timeline.letters(), "letter") << " and " << counted(timeline.tasks(), "task") << " sent";
    if (timeline.delivered_on_retry()) std::cout << " (" << timeline.delivered_on_retry() << " on a retry)";
    std::cout << "; " << counted(timeline.skipped(), "occurrence") << " skipped or coalesced\n";
    if (auto next = scheduler.next_due())
        std::cout << "next due: " << format_local_with_zone(*next, global.timezone) << "\n";
    if (timeline.failed()) return kDeliveryFailures;
    return loaded.had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_run(CLI::App& app, CommonOptions& common, Action& action) {
    auto state_dir = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("run", "Send what is due now, then exit (for cron)");
    cmd->add_option("--state-dir", *state_dir, "Use DIR/journal.sqlite and DIR/outbox instead of the config's")
        ->type_name("DIR");
    cmd->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    cmd->callback([&, state_dir] {
        action = [&, state_dir] {
            return run_command(common, state_dir->empty() ? std::nullopt
                                                          : std::optional<std::filesystem::path>(*state_dir));
        };
    });
    return cmd;
}

}  // namespace outreach::cli
