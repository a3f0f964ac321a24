// `daemon`: runs unattended, sending what falls due when it falls due. The event
// loop is core/src/daemon_loop.*; this file wires it to the operator's config.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <sstream>

#include "delivery/channel_factory.hpp"
#include "commands.hpp"
#include "heap_pages.hpp"
#include "config/config.hpp"
#include "daemon/daemon_loop.hpp"
#include "journal/journal.hpp"
#include "schedule/scheduler.hpp"
#include "timeline_printer.hpp"

namespace outreach::cli {
namespace {

namespace fs = std::filesystem;

// The timeline `run` prints, one log line per decided occurrence or retry.
class LoggedTimeline final : public SchedulerObserver {
public:
    LoggedTimeline(std::shared_ptr<spdlog::logger> log, const std::string& zone)
        : log_(std::move(log)), printer_(text_, true, zone) {}

    void occurrence_decided(const FiringReport& report) override {
        printer_.occurrence_decided(report);
        emit(report.failed ? spdlog::level::warn : spdlog::level::info);
    }
    void delivery_retried(const DeliveryRecord& record) override {
        printer_.delivery_retried(record);
        emit(record.status == DeliveryStatus::Delivered ? spdlog::level::info : spdlog::level::warn);
    }

private:
    void emit(spdlog::level::level_enum level) {
        std::string line;
        while (std::getline(text_, line))
            if (!line.empty()) log_->log(level, "{}", line);
        text_.clear();
        text_.str({});
    }

    std::shared_ptr<spdlog::logger> log_;
    std::stringstream text_;
    TimelinePrinter printer_;
};

struct StatePaths {
    fs::path journal;
    fs::path outbox;
};

StatePaths state_paths(const GlobalConfig& global, const std::optional<fs::path>& state_dir) {
    if (state_dir) return {*state_dir / "journal.sqlite", *state_dir / "outbox"};
    return {global.journal, global.delivery.outbox};
}

int daemon_command(const CommonOptions& common, const std::optional<fs::path>& state_dir) {
    // Before anything can start a thread (plugins, libcurl): they inherit the mask,
    // so the signals reach only the loop's signalfd.
    block_daemon_signals();
    const auto log =
        install_daemon_logger(spdlog::get_level() <= spdlog::level::debug ? spdlog::level::debug : spdlog::level::info);
    try {
        // The journal (and its lock) is fixed for the daemon's lifetime; find it first.
        Diagnostics problems;
        Config config;
        try {
            config = load_config(common.config, problems);
        } catch (const std::exception& e) {
            if (problems.empty()) problems.push_back(Diagnostic{common.config, 0, 0, {}, e.what()});
        }
        if (!problems.empty()) {
            for (const auto& p : problems) log->error("{}", p.format());
            log->error("not starting: the configuration has {} problem{}", problems.size(),
                       problems.size() == 1 ? "" : "s");
            return kInvalidInput;
        }
        const fs::path journal_file = state_paths(config.global, state_dir).journal;
        JournalLock lock(journal_file, "daemon");
        Journal journal(journal_file);
        SystemClock clock;
        LoggedTimeline timeline(log, config.global.timezone);

        auto build = [&](Diagnostics& out) {
            DaemonGeneration generation;
            generation.runtime = load_runtime(common.config, out);
            for (const auto& refusal : generation.runtime->plugins.refusals())
                log->warn("plugin {}: {}", refusal.file.string(), refusal.reason);
            const StatePaths paths = state_paths(generation.runtime->config.global, state_dir);
            if (paths.journal != journal_file)
                out.push_back(Diagnostic{generation.runtime->config.global.file, 0, 0, "journal",
                                         "the journal changed from " + journal_file.string() + " to " +
                                             paths.journal.string() + "; restart the daemon to switch journals"});
            if (!out.empty()) return generation;
            generation.channel = make_channel(generation.runtime->config.global.delivery, paths.outbox, std::cout);
            generation.scheduler = std::make_unique<Scheduler>(*generation.runtime, journal, clock, *generation.channel);
            generation.scheduler->set_observer(&timeline);
            return generation;
        };

        DaemonLoop loop(build, journal, clock, log);
        if (!loop.start()) return kInvalidInput;
        settle_heap();  // loaded: from here on the daemon runs for months
        loop.run();
        return kOk;
    } catch (const DaemonAlreadyRunning& e) {
        log->error("{}", e.what());
        return kRuntimeFailure;
    } catch (const std::exception& e) {
        log->error("{}", e.what());
        notify_service_manager("STOPPING=1\nSTATUS=failed: " + std::string(e.what()));
        return kRuntimeFailure;
    }
}

}  // namespace

CLI::App* register_daemon(CLI::App& app, CommonOptions& common, Action& action) {
    auto state_dir = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(
        "daemon",
        "Run unattended: send what falls due when it falls due (SIGHUP reloads, SIGTERM stops; see docs/daemon.md)");
    cmd->add_option("--state-dir", *state_dir, "Use DIR/journal.sqlite and DIR/outbox instead of the config's")
        ->type_name("DIR");
    cmd->callback([&, state_dir] {
        action = [&, state_dir] {
            return daemon_command(common, state_dir->empty() ? std::nullopt : std::optional<fs::path>(*state_dir));
        };
    });
    return cmd;
}

}  // namespace outreach::cli
