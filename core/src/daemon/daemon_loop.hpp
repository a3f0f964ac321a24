#pragma once
// The daemon: one thread, one poll() over a timerfd armed at the scheduler's next
// due instant, a signalfd, an inotify watch on the journal's wake file and an
// eventfd to stop it. Nothing wakes it while nothing is due.
//
// Also here, because only the daemon needs them and they need libsystemd (linked
// privately into liboutreach): the journal lock, sd_notify and the journald logger.
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <spdlog/logger.h>

#include "delivery/channel.hpp"
#include "config/diagnostics.hpp"
#include "journal/journal.hpp"
#include "outreach/clock.hpp"
#include "runtime.hpp"
#include "schedule/scheduler.hpp"

namespace outreach {

// Blocks SIGHUP, SIGTERM and SIGINT in the calling thread so that the daemon reads
// them from its signalfd. Call it before any thread starts: threads inherit the mask.
OUTREACH_EXPORT void block_daemon_signals();

// Under systemd (JOURNAL_STREAM or INVOCATION_ID set) a journald logger, else a
// console logger on stderr; made the default logger, which campaign loggers clone.
OUTREACH_EXPORT std::shared_ptr<spdlog::logger> install_daemon_logger(spdlog::level::level_enum level);

// sd_notify(3) with the variables given ("READY=1\nSTATUS=..."); a no-op when the
// daemon was not started by systemd (no NOTIFY_SOCKET).
OUTREACH_EXPORT void notify_service_manager(const std::string& state);

// Another process holds the journal lock: a daemon, or a `run` or `simulate`.
class OUTREACH_EXPORT DaemonAlreadyRunning : public std::runtime_error {
public:
    DaemonAlreadyRunning(pid_t pid, const std::filesystem::path& journal, const std::string& holder = "daemon");
    pid_t pid() const { return pid_; }  // 0 when the other process's pid could not be read
    const std::string& holder() const { return holder_; }  // "daemon", "run", "simulate"; "" when unknown

private:
    pid_t pid_;
    std::string holder_;
};

// flock(LOCK_EX|LOCK_NB) on `<journal>.lock`, holding "<pid> <command>" of this
// process, for as long as the object lives. The lock file is opened with
// O_NOFOLLOW and must be a regular file with one link, owned by the running
// user (mode 0600): a link planted in the state dir is refused, never followed
// or truncated. Throws DaemonAlreadyRunning when another process holds it,
// std::system_error (or std::runtime_error for a planted file) when the file
// cannot be used. `holder` names this process's command in the message another
// one prints ("daemon", "run"); empty: taken from this process's command line.
class OUTREACH_EXPORT JournalLock {
public:
    explicit JournalLock(const std::filesystem::path& journal, std::string holder = {});
    ~JournalLock();
    JournalLock(const JournalLock&) = delete;
    JournalLock& operator=(const JournalLock&) = delete;
    static std::filesystem::path lock_file_for(const std::filesystem::path& journal);

private:
    int fd_ = -1;
};

// `<journal>.wake`: `outreach respond` touches it after recording a response, so a
// running daemon re-plans at once.
OUTREACH_EXPORT std::filesystem::path wake_file_for(const std::filesystem::path& journal);
// Touches `<journal>.wake` (created 0600 if missing, never through a symlink):
// what `respond`, `pause`, `resume`, `approve` and `reject` do after recording,
// so that a running daemon re-plans at once. A failure only delays the daemon
// to its next timer, so it is not an error.
OUTREACH_EXPORT void touch_wake_file(const std::filesystem::path& journal);

// Everything built from one reading of the configuration. Replaced as a whole on
// SIGHUP; members are destroyed in reverse order (scheduler, channel, runtime).
struct DaemonGeneration {
    std::unique_ptr<Runtime> runtime;
    std::unique_ptr<Channel> channel;
    std::unique_ptr<Scheduler> scheduler;
};

// Builds a generation; appends every problem found to `problems` (a generation
// with problems is discarded). May throw std::exception, treated as one problem.
using GenerationFactory = std::function<DaemonGeneration(Diagnostics& problems)>;

class OUTREACH_EXPORT DaemonLoop {
public:
    // `journal` is the one the factory's schedulers use (kept for the daemon's
    // lifetime); `clock` must be a real clock: the timerfd waits on CLOCK_REALTIME.
    DaemonLoop(GenerationFactory factory, Journal& journal, const Clock& clock, std::shared_ptr<spdlog::logger> log);
    ~DaemonLoop();
    DaemonLoop(const DaemonLoop&) = delete;
    DaemonLoop& operator=(const DaemonLoop&) = delete;

    // Loads the first generation. False (problems logged) when it has problems:
    // the daemon does not start on a configuration it would refuse to reload.
    bool start();
    // Runs until SIGTERM/SIGINT or request_stop(); a pass in progress completes
    // first. Throws when the journal fails (the service manager restarts us).
    void run();
    // Safe from any thread and from signal handlers.
    void request_stop();

    // "next: focus2007 deadline_reminder_30 at 2007-08-02 09:00 EDT" or "idle".
    std::string status() const { return status_; }

private:
    void run_pass();
    void plan();
    void reload();
    void arm_timer(std::optional<Instant> at);
    bool read_signals();  // true when asked to stop
    bool wake_file_touched();
    std::string describe_next(Instant due);

    GenerationFactory factory_;
    Journal& journal_;
    const Clock& clock_;
    std::shared_ptr<spdlog::logger> log_;
    std::string wake_name_;
    DaemonGeneration generation_;
    std::string status_ = "idle";
    int timer_fd_ = -1, signal_fd_ = -1, inotify_fd_ = -1, stop_fd_ = -1;
    // Passes in a row that decided nothing while next_due() stayed in the past
    // (e.g. an `after` step whose reference cannot fire): backs off instead of spinning.
    int stalled_passes_ = 0;
    bool last_pass_decided_ = true;
    bool pass_needed_ = true;  // the first pass runs at once: it catches up after downtime
};

}  // namespace outreach
