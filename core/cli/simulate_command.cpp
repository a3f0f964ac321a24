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

}  // namespace outreach::cli
