// `pause` and `resume`: an operator stops a campaign from firing and lets it go
// again. Both are recorded in the journal's audit trail with the OS user, and
// wake a running daemon. While paused, due occurrences stay undecided (not
// skipped) and responses are still recorded; at resume each is decided by its
// own rules, which `resume --dry-run` shows first.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "control/operator_identity.hpp"
#include "control_support.hpp"
#include "daemon/daemon_loop.hpp"
#include "outreach/clock.hpp"
#include "safe_text.hpp"
#include "schedule/resume_preview.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

struct PauseArgs {
    std::string campaign, until, note;
    std::filesystem::path state_dir;
    bool dry_run = false;
};

void print_preview(const std::vector<PreviewDecision>& preview, Instant now, std::ostream& out) {
    if (preview.empty()) {
        out << "  nothing is due: occurrences fall due on their dates as usual\n";
        return;
    }
    std::size_t fire = 0, skip = 0, coalesce = 0, other = 0;
    for (const auto& d : preview) {
        out << "  " << terminal_safe(describe_preview(d, now)) << "\n";
        if (!d.coalesced_into.empty()) ++coalesce;
        else if (d.judgement.kind == Judgement::Kind::Fire) ++fire;
        else if (d.judgement.kind == Judgement::Kind::Skip) ++skip;
        else ++other;
    }
    out << "  " << fire << " fire, " << skip << " skipped, " << coalesce << " coalesced"
        << (other ? ", " + std::to_string(other) + " wait (approval or an earlier step)" : "") << "\n";
}

int pause_command(const CommonOptions& common, const PauseArgs& args) {
    if (!is_utf8_argument("--note", args.note)) return kUsage;
    auto target = load_control_target(common, args.campaign, args.state_dir);
    if (!target) return kInvalidInput;
    const Campaign& campaign = *target->campaign;
    const Instant now = SystemClock().now();
    std::optional<Instant> until;
    if (!args.until.empty()) {
        until = parse_local_instant(args.until, campaign.timezone());
        if (!until) {
            std::cerr << "error: --until: '" << terminal_safe(args.until)
                      << "' is not a date or date-time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, local to "
                      << campaign.timezone() << ")\n";
            return kInvalidInput;
        }
        if (*until <= now) {
            std::cerr << "error: --until: " << format_local(*until, campaign.timezone()) << " has passed\n";
            return kInvalidInput;
        }
    }
    Journal journal(target->journal_file);
    const std::string user = operator_identity();
    const auto before = journal.pause_of(campaign.id());
    const PauseRecord pause{campaign.id(), before && before->active_at(now) ? before->since : now, until, user, args.note};
    {
        Journal::Batch batch(journal);
        journal.pause(pause);
        journal.audit(now, campaign.id(), "pause",
                      std::string("paused") + (until ? " until " + format_local(*until, campaign.timezone()) : "") +
                          (args.note.empty() ? "" : "; note: " + args.note),
                      user);
        batch.commit();
    }
    touch_wake_file(target->journal_file);
    std::cout << "Paused " << campaign.id() << " (by " << terminal_safe(user) << ", "
              << format_local(now, campaign.timezone()) << ")"
              << (until ? "; it resumes by itself at " + format_local(*until, campaign.timezone())
                        : "; `outreach resume " + campaign.id() + "` lets it go again")
              << ". Nothing of it fires meanwhile; responses are still recorded.\n";
    return kOk;
}

int resume_command(const CommonOptions& common, const PauseArgs& args) {
    auto target = load_control_target(common, args.campaign, args.state_dir);
    if (!target) return kInvalidInput;
    const Campaign& campaign = *target->campaign;
    const Instant now = SystemClock().now();
    if (args.dry_run && !std::filesystem::exists(target->journal_file)) {
        std::cout << campaign.id() << " is not paused (no journal yet); nothing changed\n";
        return kOk;
    }
    Journal journal(target->journal_file);
    const auto pause = journal.pause_of(campaign.id());
    const bool active = pause && pause->active_at(now);
    const auto preview = preview_due(*target->loaded.runtime, journal, campaign, now);
    if (args.dry_run) {
        std::cout << campaign.id()
                  << (active ? " is paused since " + format_local(pause->since, campaign.timezone()) + " by " +
                                   terminal_safe(pause->by)
                             : std::string(" is not paused"))
                  << ". Dry run, nothing changed. If resumed now (" << format_local(now, campaign.timezone()) << "):\n";
        print_preview(preview, now, std::cout);
        return kOk;
    }
    const std::string user = operator_identity();
    {
        Journal::Batch batch(journal);
        const bool was = journal.resume(campaign.id());
        if (was) journal.audit(now, campaign.id(), "resume", active ? "resumed" : "pause record removed (it had ended)", user);
        batch.commit();
    }
    if (!pause) {
        std::cout << campaign.id() << " was not paused; nothing changed\n";
        return kOk;
    }
    touch_wake_file(target->journal_file);
    std::cout << "Resumed " << campaign.id() << " (by " << terminal_safe(user)
              << "). The daemon, or the next `outreach run`, decides what fell due meanwhile:\n";
    print_preview(preview, now, std::cout);
    return kOk;
}

void add_common(CLI::App* cmd, PauseArgs& args) {
    cmd->add_option("campaign", args.campaign, "Campaign id")->required()->type_name("CAMPAIGN");
    cmd->add_option("--state-dir", args.state_dir, "Use DIR/journal.sqlite instead of the configured journal")
        ->type_name("DIR");
}

}  // namespace

CLI::App* register_pause(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<PauseArgs>();
    auto* cmd = app.add_subcommand("pause", "Stop a campaign from firing (its due steps wait; responses are recorded)");
    add_common(cmd, *args);
    cmd->add_option("--until", args->until, "Resume by itself then: YYYY-MM-DD (start of day) or YYYY-MM-DDTHH:MM, "
                                            "local to the campaign")
        ->type_name("DATETIME");
    cmd->add_option("--note", args->note, "Why (kept in the audit trail, shown by `history`)")->type_name("TEXT");
    cmd->callback([&, args] { action = [&, args] { return pause_command(common, *args); }; });
    return cmd;
}

CLI::App* register_resume(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<PauseArgs>();
    auto* cmd = app.add_subcommand("resume", "Let a paused campaign fire again; each missed step is decided by its "
                                             "own rules (deadline, misfire policy, coalescing)");
    add_common(cmd, *args);
    cmd->add_flag("--dry-run", args->dry_run, "Show what resuming now would fire, skip and coalesce; change nothing");
    cmd->callback([&, args] { action = [&, args] { return resume_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
