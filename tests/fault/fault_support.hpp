#pragma once
// The fault-injection suite's tools: `outreach` as a real child process that the
// test can kill -9, and audits that compare what was delivered (the Maildir
// outbox, or what an SMTP server received) with what the journal recorded.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "delivery/message.hpp"
#include "journal/journal.hpp"
#include "smtp_server.hpp"
#include "soon_scenario.hpp"

extern char** environ;

namespace outreach::fault {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::read_text;

inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds poll = 5ms) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::sleep_for(poll);
    }
    return true;
}

// The kill times are random; the seed is printed so a failing run can be replayed
// (OUTREACH_FAULT_SEED=<n>).
inline std::mt19937& random_engine() {
    static std::mt19937 engine = [] {
        const char* given = std::getenv("OUTREACH_FAULT_SEED");
        const unsigned seed = given ? static_cast<unsigned>(std::stoul(given)) : std::random_device{}();
        WARN("fault suite seed: OUTREACH_FAULT_SEED=" << seed);
        return std::mt19937(seed);
    }();
    return engine;
}

inline std::chrono::milliseconds random_delay(int max_ms) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(0, max_ms)(random_engine()));
}

// `outreach <args>` with stdout and stderr appended to `log`, outside any systemd
// context (no sd_notify, console logging).
class OutreachProcess {
public:
    OutreachProcess(const std::vector<std::string>& args, fs::path log) : log_(std::move(log)) {
        std::vector<std::string> command{OUTREACH_CLI};
        command.insert(command.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& arg : command) argv.push_back(arg.data());
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (char** e = environ; *e; ++e) {
            const std::string_view entry(*e);
            if (entry.rfind("INVOCATION_ID=", 0) == 0 || entry.rfind("JOURNAL_STREAM=", 0) == 0 ||
                entry.rfind("NOTIFY_SOCKET=", 0) == 0)
                continue;
            envp.push_back(*e);
        }
        envp.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0) FAIL("cannot start " << OUTREACH_CLI << ": " << std::strerror(error));
    }
    ~OutreachProcess() {
        if (!exit_code_) kill9();
    }
    OutreachProcess(const OutreachProcess&) = delete;
    OutreachProcess& operator=(const OutreachProcess&) = delete;

    pid_t pid() const { return pid_; }
    std::string log() const { return read_text(log_); }

    // The exit code once it has exited (128 + signal if killed), nullopt while it runs.
    std::optional<int> exit_code() {
        if (!exit_code_) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_code_ = decode(status);
        }
        return exit_code_;
    }
    static constexpr int kRunning = -1;
    // The exit code, or kRunning when it is still running after `timeout`.
    int wait_exit(std::chrono::milliseconds timeout) {
        wait_until([&] { return exit_code().has_value(); }, timeout, 10ms);
        return exit_code().value_or(kRunning);
    }
    // Until its output contains `text` (e.g. the daemon's "started with": its
    // signal handling is in place); false if it exited or the time ran out first.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
        return wait_until([&] { return exit_code() || log().find(text) != std::string::npos; }, timeout, 10ms) &&
               log().find(text) != std::string::npos;
    }
    // SIGKILL now; true when it was still running (the kill interrupted it).
    bool kill9() {
        if (exit_code()) return false;
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        exit_code_ = decode(status);
        return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    }
    void signal(int sig) const { ::kill(pid_, sig); }

    // SIGTERM, then its exit code within `timeout`; kRunning (and the process's
    // state in `stuck()`, for the failure message) when it did not stop.
    int terminate(std::chrono::milliseconds timeout = 30s) {
        signal(SIGTERM);
        const int code = wait_exit(timeout);
        if (code == kRunning) {
            const std::string proc = "/proc/" + std::to_string(pid_);
            stuck_ = "state of " + proc + " after SIGTERM:\n";
            std::istringstream status(read_text(proc + "/status"));
            for (std::string line; std::getline(status, line);)
                if (line.rfind("State", 0) == 0 || line.rfind("Sig", 0) == 0 || line.rfind("Shd", 0) == 0 ||
                    line.rfind("Threads", 0) == 0)
                    stuck_ += line + "\n";
            for (const auto& task : fs::directory_iterator(proc + "/task"))
                stuck_ += "thread " + task.path().filename().string() + " in " + read_text(task.path() / "wchan") +
                          ", " + read_text(task.path() / "comm");
        }
        return code;
    }
    const std::string& stuck() const { return stuck_; }

private:
    static int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }
    fs::path log_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::string stuck_;
};

inline std::size_t entries_in(const fs::path& dir) {
    std::error_code ignored;
    std::size_t n = 0;
    for (fs::directory_iterator it(dir, ignored), end; !ignored && it != end; it.increment(ignored)) ++n;
    return n;
}

// The Message-ID header of a stored message, found without a full parse (for
// polling; the audits parse every message).
inline std::string quick_message_id(const std::string& text) {
    for (const char* name : {"\nMessage-Id: ", "\nMessage-ID: ", "\nmessage-id: "}) {
        const auto at = text.find(name);
        if (at == std::string::npos) continue;
        const auto begin = at + std::strlen(name);
        return text.substr(begin, text.find_first_of("\r\n", begin) - begin);
    }
    return {};
}

// Distinct Message-IDs among the messages an SMTP server stored so far.
inline std::size_t distinct_received(const fs::path& store) {
    std::set<std::string> ids;
    std::error_code ignored;
    for (fs::directory_iterator it(store, ignored), end; !ignored && it != end; it.increment(ignored))
        if (it->path().extension() == ".eml") ids.insert(quick_message_id(read_text(it->path())));
    return ids.size();
}

// What a set of delivered messages holds, by Message-ID.
struct Delivered {
    std::map<std::string, int> copies;   // Message-ID -> how many messages carry it
    std::vector<std::string> problems;   // empty, unparsable or truncated messages
    std::size_t messages = 0;

    std::size_t distinct() const { return copies.size(); }
    std::size_t duplicates() const { return messages - problems.size() - copies.size(); }
};

// Every message file in `dirs`: non-empty, parses, and carries the whole letter
// (the template's last line), so a torn write would show.
inline Delivered delivered_in(const std::vector<fs::path>& dirs) {
    Delivered result;
    for (const auto& dir : dirs) {
        if (!fs::exists(dir)) continue;
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.path().extension() == ".tmp") continue;  // the scripted server's own staging
            ++result.messages;
            const std::string name = entry.path().filename().string();
            if (!entry.is_regular_file() || entry.file_size() == 0) {
                result.problems.push_back(name + ": empty or not a regular file");
                continue;
            }
            try {
                const ParsedMessage message = parse_message(read_text(entry.path()));
                if (message.body.find("A letter to foreign_minister of ") == std::string::npos)
                    result.problems.push_back(name + ": the letter's text is incomplete");
                else
                    ++result.copies[message.message_id];
            } catch (const std::exception& e) {
                result.problems.push_back(name + ": " + e.what());
            }
        }
    }
    return result;
}

// What the journal says was delivered in `campaign`, by Message-ID, and how many
// deliveries it holds in another state.
struct Recorded {
    std::set<std::string> delivered;
    std::size_t not_delivered = 0;
    std::size_t rows = 0;
};

inline Recorded recorded_in(const fs::path& journal_file, const std::string& campaign) {
    Journal journal(journal_file);
    Recorded result;
    for (const DeliveryRecord& record : journal.deliveries(campaign)) {
        ++result.rows;
        if (record.status == DeliveryStatus::Delivered)
            result.delivered.insert(message_id_for(record.letter.idempotency_key, record.letter.from_email));
        else
            ++result.not_delivered;
    }
    return result;
}

inline std::set<std::string> ids_of(const Delivered& delivered) {
    std::set<std::string> ids;
    for (const auto& [id, copies] : delivered.copies) ids.insert(id);
    return ids;
}

// [delivery] for the scripted SMTP server on `port` (plain text: a test server).
inline std::string smtp_delivery(int port) {
    return "channel = \"smtp\"\noutbox = \"state/outbox\"\n[delivery.smtp]\nhost = \"127.0.0.1\"\nport = " +
           std::to_string(port) + "\nsecurity = \"none\"\ntimeout_seconds = 20\n";
}

// A campaign "drive" with `steps` × `states` letters due a few minutes ago, enrolled
// an hour before they fell due (as if a daemon had been running), so the next
// `run` or daemon sends them all at once.
inline void letters_due_now(test::Scenario& scenario, int steps, int states) {
    const auto first_due = std::chrono::floor<std::chrono::minutes>(test::WallClock::now()) - 10min;
    scenario.campaign("drive", first_due, steps, states);
    Journal journal(scenario.journal());
    journal.enrol("drive", std::chrono::floor<std::chrono::seconds>(first_due - 1h));
}

}  // namespace outreach::fault
