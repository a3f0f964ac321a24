// Measures the daemon as operators run it (the built `outreach daemon`, a child
// process): how late letters land in the Maildir after they fall due, and how often
// the daemon wakes up while nothing is due.
//
//   outreach_daemon_latency_bench [--states N] [--steps S] [--idle-seconds T]
//
// N States x 3 addressees = letters per step; S steps one minute apart, the first at
// the next whole minute at least 5 s away (the SDK schedules in whole minutes).
// Latency of a letter = mtime of its Maildir file - its due instant (the file name
// starts with the due instant in seconds). Idle wake-ups = context switches of the
// daemon (voluntary + involuntary, /proc/PID/status) over T seconds after the last step.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

struct Options {
    int states = 200;
    int steps = 3;
    int idle_seconds = 60;
};

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> int {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return std::stoi(argv[++i]);
        };
        if (arg == "--states") options.states = value();
        else if (arg == "--steps") options.steps = value();
        else if (arg == "--idle-seconds") options.idle_seconds = value();
        else throw std::invalid_argument("unknown argument " + arg);
    }
    if (options.states < 1 || options.states > 26 * 26 * 26 || options.steps < 1 || options.idle_seconds < 1)
        throw std::invalid_argument("--states 1..17576, --steps >= 1, --idle-seconds >= 1");
    return options;
}

void write_file(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

std::string state_code(int i) {
    return {static_cast<char>('A' + i / 676), static_cast<char>('A' + i / 26 % 26), static_cast<char>('A' + i % 26)};
}

std::string iso_minute(Clock::time_point t) {
    const std::time_t seconds = Clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%MZ", &utc);
    return text;
}

void write_config(const fs::path& dir, int states, int steps, Clock::time_point first_due) {
    std::ostringstream roster;
    const char* roles[] = {"head_of_state", "foreign_minister", "permanent_representative"};
    for (int i = 0; i < states; ++i) {
        const std::string code = state_code(i);
        roster << "[[state]]\ncode = \"" << code << "\"\nname = \"State " << code << "\"\nstatus = \"member\"\n";
        for (const char* role : roles)
            roster << "[[state.addressee]]\nrole = \"" << role << "\"\nemail = \"" << role << "." << code
                   << "@example.org\"\n";
    }
    write_file(dir / "roster.toml", roster.str());
    write_file(dir / "templates/soon/letter.mustache",
               "Subject: {{step_id}} for {{state_name}}\n\nExcellency,\n\nA benchmark letter to {{addressee_title}}.\n");
    write_file(dir / "outreach.toml", "timezone = \"UTC\"\njournal = \"state/journal.sqlite\"\n"
                                      "campaigns = \"campaigns\"\ntemplates = \"templates\"\n"
                                      "plugin_dirs = [\"" OUTREACH_SOON_PLUGIN_DIR "\"]\n"
                                      "[sender]\nname = \"Bench\"\nemail = \"bench@example.org\"\n"
                                      "staff_email = \"staff@example.org\"\n"
                                      "[delivery]\nchannel = \"maildir\"\noutbox = \"state/outbox\"\n");
    write_file(dir / "campaigns/bench.toml",
               "id = \"bench\"\ntype = \"soon\"\ntimezone = \"UTC\"\n"
               "addressees = [\"head_of_state\", \"foreign_minister\", \"permanent_representative\"]\n"
               "[roster]\nfile = \"../roster.toml\"\n[params]\nfirst_due = \"" +
                   iso_minute(first_due) + "\"\nsteps = " + std::to_string(steps) + "\n");
}

pid_t start_daemon(const fs::path& dir) {
    std::cout.flush();  // or the child's freopen writes our buffered output again
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // Console logging into a file, not journald, whatever session runs the bench.
        ::unsetenv("INVOCATION_ID");
        ::unsetenv("JOURNAL_STREAM");
        ::unsetenv("NOTIFY_SOCKET");
        std::freopen((dir / "daemon.log").c_str(), "w", stderr);
        std::freopen("/dev/null", "w", stdout);
        const std::string config = (dir / "outreach.toml").string();
        const std::string state = (dir / "state").string();
        ::execl(OUTREACH_CLI, OUTREACH_CLI, "-c", config.c_str(), "daemon", "--state-dir", state.c_str(),
                static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    return pid;
}

// Stops the daemon however the bench ends; stop() reports its exit code.
class DaemonProcess {
public:
    explicit DaemonProcess(pid_t pid) : pid_(pid) {}
    ~DaemonProcess() {
        if (pid_ > 0) stop();
    }
    pid_t pid() const { return pid_; }
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t pid_;
};

// Over all its threads.
long context_switches(pid_t pid) {
    long total = 0;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        std::ifstream status(task.path() / "status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
                total += std::stol(line.substr(line.find(':') + 1));
    }
    return total;
}

std::size_t count_files(const fs::path& dir) {
    if (!fs::exists(dir)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

double percentile(const std::vector<double>& sorted, double p) {
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse_options(argc, argv);
    const fs::path dir = fs::temp_directory_path() / ("outreach-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);

    const auto now = Clock::now();
    auto first_due = std::chrono::ceil<std::chrono::minutes>(now + std::chrono::seconds(5));
    write_config(dir, options.states, options.steps, first_due);
    DaemonProcess daemon(start_daemon(dir));

    const std::size_t expected = static_cast<std::size_t>(options.states) * 3 * static_cast<std::size_t>(options.steps);
    const auto last_due = first_due + std::chrono::minutes(options.steps - 1);
    std::cout << "daemon pid " << daemon.pid() << "; " << expected << " letters (" << options.steps << " steps x "
              << options.states << " States x 3 addressees), first due in "
              << std::chrono::duration_cast<std::chrono::seconds>(first_due - now).count() << " s" << std::endl;
    const fs::path new_dir = dir / "state/outbox/new";
    while (count_files(new_dir) < expected) {
        if (Clock::now() > last_due + std::chrono::minutes(2))
            throw std::runtime_error("letters missing; see " + (dir / "daemon.log").string());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

    std::vector<double> latencies;
    for (const auto& entry : fs::directory_iterator(new_dir)) {
        struct stat status {};
        ::stat(entry.path().c_str(), &status);
        const long long due = std::stoll(entry.path().filename().string());
        latencies.push_back(static_cast<double>(status.st_mtim.tv_sec - due) +
                            static_cast<double>(status.st_mtim.tv_nsec) / 1e9);
    }
    std::sort(latencies.begin(), latencies.end());
    std::cout << std::fixed << std::setprecision(3) << "due -> in Maildir: min " << latencies.front() << " s, p50 "
              << percentile(latencies, 0.50) << " s, p99 " << percentile(latencies, 0.99) << " s, max "
              << latencies.back() << " s" << std::endl;

    // Let the last pass settle, then count how often the idle daemon runs at all.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long before = context_switches(daemon.pid());
    std::this_thread::sleep_for(std::chrono::seconds(options.idle_seconds));
    const long woken = context_switches(daemon.pid()) - before;
    std::cout << std::setprecision(1) << "idle: " << woken << " wake-ups in " << options.idle_seconds << " s ("
              << static_cast<double>(woken) * 60.0 / options.idle_seconds << " per minute)" << std::endl;

    const int code = daemon.stop();
    std::cout << "daemon exited with " << code << " after SIGTERM" << std::endl;
    fs::remove_all(dir);
    return code == 0 ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "bench: " << e.what() << "\n";
    return 1;
}
