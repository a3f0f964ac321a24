#include "daemon/daemon_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

#include "schedule/occurrences.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

namespace fs = std::filesystem;

sigset_t daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// systemd connects stderr to the journal and says so in JOURNAL_STREAM
// ("device:inode"); if the operator redirected stderr elsewhere, honour that.
bool stderr_is_journal_stream() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    struct stat status {};
    if (::fstat(STDERR_FILENO, &status) != 0) return false;
    return std::string(stream) ==
           std::to_string(static_cast<unsigned long long>(status.st_dev)) + ":" +
               std::to_string(static_cast<unsigned long long>(status.st_ino));
}

bool run_by_systemd() {
    if (stderr_is_journal_stream()) return true;
    return std::getenv("INVOCATION_ID") != nullptr && std::getenv("JOURNAL_STREAM") == nullptr;
}

std::string monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return std::to_string(static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                          static_cast<unsigned long long>(now.tv_nsec) / 1000ULL);
}

struct LockHolder {
    pid_t pid = 0;
    std::string command;
};

// "<pid> <command>" as the lock holder wrote it; it may be writing it right now,
// so allow it a moment. Older versions wrote the pid alone.
LockHolder read_holder(int fd) {
    LockHolder holder;
    for (int attempt = 0; attempt < 20; ++attempt) {
        std::array<char, 96> buffer{};
        const ssize_t n = ::pread(fd, buffer.data(), buffer.size() - 1, 0);
        if (n > 0) {
            char* end = nullptr;
            const long pid = std::strtol(buffer.data(), &end, 10);
            if (pid > 0) {
                holder.pid = static_cast<pid_t>(pid);
                std::string rest(end);
                const auto first = rest.find_first_not_of(' ');
                rest = first == std::string::npos ? std::string() : rest.substr(first);
                rest = rest.substr(0, rest.find('\n'));
                // Only a command name: the file is outside our control until locked.
                const bool plain = !rest.empty() && rest.size() <= 32 &&
                                   std::all_of(rest.begin(), rest.end(), [](char c) {
                                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                                   });
                holder.command = plain ? rest : "";
                return holder;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return holder;
}

// This process's subcommand ("run", "daemon", "simulate"), from
// /proc/self/cmdline; empty when it is not the outreach tool.
std::string own_command() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string argument;
    static const char* const kCommands[] = {"daemon", "run", "simulate", "respond", "status", "history", "plan",
                                            "validate", "plugins"};
    while (std::getline(in, argument, '\0')) {
        for (const char* command : kCommands)
            if (argument == command) return command;
    }
    return {};
}

void close_if_open(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace

// ---- process setup ------------------------------------------------------------

void block_daemon_signals() {
    const sigset_t set = daemon_signals();
    if (const int error = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); error != 0)
        throw std::system_error(error, std::generic_category(), "cannot block SIGHUP/SIGTERM/SIGINT");
}

std::shared_ptr<spdlog::logger> install_daemon_logger(spdlog::level::level_enum level) {
    std::shared_ptr<spdlog::logger> logger;
    if (run_by_systemd()) {
        // journald keeps time, priority and identifier itself: the message alone.
        logger = std::make_shared<spdlog::logger>("outreach", std::make_shared<spdlog::sinks::systemd_sink_mt>("outreach"));
    } else {
        logger = std::make_shared<spdlog::logger>("outreach", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        logger->set_pattern("%Y-%m-%d %H:%M:%S %^%l%$: %v");
    }
    logger->set_level(level);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    return logger;
}

void notify_service_manager(const std::string& state) { ::sd_notify(0, state.c_str()); }

// ---- the journal lock -----------------------------------------------------------

namespace {

std::string holder_text(pid_t pid, const std::string& holder) {
    const std::string id = "pid " + (pid > 0 ? std::to_string(pid) : std::string("unknown"));
    if (holder == "daemon") return "another outreach daemon (" + id + ")";
    if (holder.empty()) return "another outreach process (" + id + ")";
    return "`outreach " + holder + "` (" + id + ")";
}

}  // namespace

DaemonAlreadyRunning::DaemonAlreadyRunning(pid_t pid, const fs::path& journal, const std::string& holder)
    : std::runtime_error(holder_text(pid, holder) + " is using " + journal.string() +
                         (holder == "daemon" || holder.empty() ? "" : "; try again when it has finished")),
      pid_(pid),
      holder_(holder) {}

fs::path JournalLock::lock_file_for(const fs::path& journal) { return fs::path(journal.string() + ".lock"); }

JournalLock::JournalLock(const fs::path& journal, std::string holder) {
    if (holder.empty()) holder = own_command();
    const fs::path file = lock_file_for(journal);
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    // O_NOFOLLOW: a symbolic link planted under the lock's name is refused, so
    // the file it points to is never truncated. O_NONBLOCK: a FIFO does not block.
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
    if (fd_ < 0) {
        if (errno == ELOOP)
            throw std::runtime_error("lock file " + file.string() +
                                     " is a symbolic link; refusing to use it (remove it: outreach creates its own)");
        throw_errno("cannot open lock file " + file.string());
    }
    struct stat status {};
    if (::fstat(fd_, &status) != 0) {
        const int error = errno;
        close_if_open(fd_);
        throw std::system_error(error, std::generic_category(), "cannot inspect lock file " + file.string());
    }
    const auto refuse = [&](const std::string& why) {
        close_if_open(fd_);
        throw std::runtime_error("lock file " + file.string() + " " + why +
                                 "; refusing to use it (remove it: outreach creates its own)");
    };
    if (!S_ISREG(status.st_mode)) refuse("is not a regular file");
    // A hard link to another file would have that file truncated below.
    if (status.st_nlink != 1) refuse("has " + std::to_string(status.st_nlink) + " hard links");
    if (status.st_uid != ::geteuid())
        refuse("belongs to uid " + std::to_string(status.st_uid) + ", not to the user running outreach (uid " +
               std::to_string(::geteuid()) + ")");
    if ((status.st_mode & 077) != 0 && ::fchmod(fd_, 0600) != 0) {
        const int error = errno;
        close_if_open(fd_);
        throw std::system_error(error, std::generic_category(), "cannot make " + file.string() + " private");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        if (error == EWOULDBLOCK) {
            const LockHolder other = read_holder(fd_);
            close_if_open(fd_);
            throw DaemonAlreadyRunning(other.pid, journal, other.command);
        }
        close_if_open(fd_);
        throw std::system_error(error, std::generic_category(), "cannot lock " + file.string());
    }
    // The file stays (removing it would race with a daemon that just opened it);
    // only its content changes, for the message a second process prints.
    const std::string record = std::to_string(::getpid()) + " " + holder + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, record.data(), record.size(), 0) != static_cast<ssize_t>(record.size())) {
        const int error = errno;
        close_if_open(fd_);
        throw std::system_error(error, std::generic_category(), "cannot write " + file.string());
    }
}

JournalLock::~JournalLock() { close_if_open(fd_); }

fs::path wake_file_for(const fs::path& journal) { return fs::path(journal.string() + ".wake"); }

void touch_wake_file(const fs::path& journal) {
    const fs::path wake = wake_file_for(journal);
    const int fd = ::open(wake.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
    if (fd < 0) return;
    ::futimens(fd, nullptr);  // IN_ATTRIB even when the file existed
    ::close(fd);              // IN_CLOSE_WRITE
}

// ---- the loop -------------------------------------------------------------------

DaemonLoop::DaemonLoop(GenerationFactory factory, Journal& journal, const Clock& clock,
                       std::shared_ptr<spdlog::logger> log)
    : factory_(std::move(factory)), journal_(journal), clock_(clock), log_(std::move(log)) {
    const fs::path wake = wake_file_for(journal.file());
    wake_name_ = wake.filename().string();
    const fs::path watched = wake.has_parent_path() ? wake.parent_path() : fs::path(".");
    try {
        timer_fd_ = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
        if (timer_fd_ < 0) throw_errno("timerfd_create");
        const sigset_t signals = daemon_signals();
        signal_fd_ = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
        if (signal_fd_ < 0) throw_errno("signalfd");
        stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (stop_fd_ < 0) throw_errno("eventfd");
        inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (inotify_fd_ < 0) throw_errno("inotify_init1");
        // `touch` (new file or new times), an editor's rename, a writer's close.
        if (::inotify_add_watch(inotify_fd_, watched.c_str(), IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_TO | IN_CREATE) < 0)
            throw_errno("cannot watch " + watched.string() + " for " + wake_name_);
    } catch (...) {
        for (int* fd : {&timer_fd_, &signal_fd_, &stop_fd_, &inotify_fd_}) close_if_open(*fd);
        throw;
    }
}

DaemonLoop::~DaemonLoop() {
    // The scheduler and channel refer to the runtime: release them first.
    generation_.scheduler.reset();
    generation_.channel.reset();
    generation_.runtime.reset();
    for (int* fd : {&timer_fd_, &signal_fd_, &stop_fd_, &inotify_fd_}) close_if_open(*fd);
}

namespace {

DaemonGeneration build_generation(const GenerationFactory& factory, Diagnostics& problems) {
    try {
        return factory(problems);
    } catch (const std::exception& e) {
        problems.push_back(Diagnostic{{}, 0, 0, {}, e.what()});
        return {};
    }
}

}  // namespace

bool DaemonLoop::start() {
    Diagnostics problems;
    DaemonGeneration first = build_generation(factory_, problems);
    if (!problems.empty() || !first.scheduler) {
        for (const auto& p : problems) log_->error("{}", p.format());
        log_->error("not starting: the configuration has {} problem{}", problems.size(), problems.size() == 1 ? "" : "s");
        return false;
    }
    generation_ = std::move(first);
    generation_.scheduler->enrol_new_campaigns(clock_.now());
    plan();
    log_->info("started with {} campaign{}, journal {}; {}", generation_.runtime->campaigns.size(),
               generation_.runtime->campaigns.size() == 1 ? "" : "s", journal_.file().string(), status_);
    notify_service_manager("READY=1\nMAINPID=" + std::to_string(::getpid()) + "\nSTATUS=" + status_);
    return true;
}

void DaemonLoop::request_stop() {
    const std::uint64_t one = 1;
    // write(2) is async-signal-safe; a full counter already means "stop".
    [[maybe_unused]] const ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
}

void DaemonLoop::run() {
    if (!generation_.scheduler) throw std::logic_error("DaemonLoop::run() before a successful start()");
    enum { kSignals, kStop, kTimer, kWake };
    std::array<pollfd, 4> fds{};
    fds[kSignals] = {signal_fd_, POLLIN, 0};
    fds[kStop] = {stop_fd_, POLLIN, 0};
    fds[kTimer] = {timer_fd_, POLLIN, 0};
    fds[kWake] = {inotify_fd_, POLLIN, 0};
    for (;;) {
        if (pass_needed_) {
            pass_needed_ = false;
            run_pass();
            plan();
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        // Signals first: a stop wins over work that became due at the same moment
        // (it is not in flight yet; the next start fires it, late but once).
        if ((fds[kSignals].revents & POLLIN) && read_signals()) break;
        if (fds[kStop].revents & POLLIN) {
            log_->info("stop requested");
            break;
        }
        if (fds[kTimer].revents & POLLIN) {
            std::uint64_t expirations = 0;
            if (::read(timer_fd_, &expirations, sizeof expirations) < 0) {
                if (errno == ECANCELED) {
                    log_->info("the system clock was set; re-planning");
                    pass_needed_ = true;
                } else if (errno != EAGAIN && errno != EINTR) {
                    throw_errno("reading the timerfd");
                }
            } else {
                pass_needed_ = true;
            }
        }
        if ((fds[kWake].revents & POLLIN) && wake_file_touched()) {
            log_->debug("{} touched: re-planning", wake_name_);
            pass_needed_ = true;
        }
    }
    notify_service_manager("STOPPING=1\nSTATUS=stopping");
    log_->info("stopped");
}

void DaemonLoop::run_pass() {
    const auto reports = generation_.scheduler->run_due();
    last_pass_decided_ = !reports.empty();
}

void DaemonLoop::plan() {
    std::optional<Instant> next = generation_.scheduler->next_due();
    const Instant now = clock_.now();
    if (next && *next <= now && !last_pass_decided_) {
        // Still due right after a pass that decided nothing: waiting for something
        // this process cannot change by itself. Retry with backoff, do not spin.
        ++stalled_passes_;
        const auto delay = std::min<std::chrono::seconds>(std::chrono::seconds(1LL << std::min(stalled_passes_ - 1, 12)),
                                                          std::chrono::hours(1));
        if (stalled_passes_ == 1)
            log_->warn("{} stays due but nothing could be decided; retrying with backoff", describe_next(*next));
        arm_timer(now + delay);
    } else {
        if (next && *next > now) stalled_passes_ = 0;
        arm_timer(next);
    }
    const std::string status = next ? describe_next(*next) : "idle";
    if (status != status_) {
        status_ = status;
        log_->debug("{}", status_);
        notify_service_manager("STATUS=" + status_);
    }
}

void DaemonLoop::arm_timer(std::optional<Instant> at) {
    itimerspec spec{};  // all zero: disarmed, so an idle daemon is never woken
    int flags = 0;
    if (at) {
        // 0 would disarm; any instant in the past fires at once.
        spec.it_value.tv_sec = std::max<time_t>(static_cast<time_t>(at->time_since_epoch().count()), 1);
        flags = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET;
    }
    if (::timerfd_settime(timer_fd_, flags, &spec, nullptr) != 0) throw_errno("timerfd_settime");
}

bool DaemonLoop::read_signals() {
    bool stop = false, reload_requested = false;
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGHUP) {
            reload_requested = true;
        } else {
            log_->info("received {}; stopping", info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            stop = true;
        }
    }
    if (stop) return true;
    if (reload_requested) reload();
    return false;
}

void DaemonLoop::reload() {
    notify_service_manager("RELOADING=1\nMONOTONIC_USEC=" + monotonic_usec() + "\nSTATUS=reloading");
    log_->info("SIGHUP: reloading the configuration and plugins");
    Diagnostics problems;
    DaemonGeneration next = build_generation(factory_, problems);
    if (!problems.empty() || !next.scheduler) {
        for (const auto& p : problems) log_->error("{}", p.format());
        log_->error("configuration not reloaded ({} problem{}); still running the previous one", problems.size(),
                    problems.size() == 1 ? "" : "s");
    } else {
        // Old scheduler and channel before the runtime (and plugins) they refer to.
        generation_.scheduler.reset();
        generation_.channel.reset();
        generation_ = std::move(next);
        generation_.scheduler->enrol_new_campaigns(clock_.now());
        stalled_passes_ = 0;
        log_->info("configuration reloaded: {} campaign{}", generation_.runtime->campaigns.size(),
                   generation_.runtime->campaigns.size() == 1 ? "" : "s");
    }
    pass_needed_ = true;  // re-plans (and fires anything the new campaigns have due)
    notify_service_manager("READY=1\nSTATUS=" + status_);
}

bool DaemonLoop::wake_file_touched() {
    bool touched = false;
    alignas(inotify_event) std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t n = ::read(inotify_fd_, buffer.data(), buffer.size());
        if (n <= 0) break;
        for (ssize_t at = 0; at < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
            if (event->mask & IN_Q_OVERFLOW) touched = true;  // events lost: assume ours was one
            if (event->len > 0 && wake_name_ == event->name) touched = true;
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
    }
    return touched;
}

std::string DaemonLoop::describe_next(Instant due) {
    const auto next = generation_.scheduler->next_occurrence();
    if (next && generation_.scheduler->planner().next_instant() == due) {
        if (next->due == due)
            return "next: " + next->campaign->id() + " " + next->step->id + " at " +
                   format_local_with_zone(due, next->campaign->timezone());
        if (next->due > due)  // a step that requires approval: its proof goes out first
            return "next: proof of " + next->campaign->id() + " " + next->step->id + " at " +
                   format_local_with_zone(due, next->campaign->timezone());
        // Past due and awaiting approval (or a proof to retry): judged again then.
        return "next: " + next->campaign->id() + " " + next->step->id + " (awaiting approval) checked again at " +
               format_local_with_zone(due, next->campaign->timezone());
    }
    if (journal_.next_retry() == due) return "next: retry of failed deliveries at " + format_local_with_zone(due, generation_.runtime->config.global.timezone);
    return "next: end of a pause (pause --until) at " + format_local_with_zone(due, generation_.runtime->config.global.timezone);
}

}  // namespace outreach
