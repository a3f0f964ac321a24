// `outreach daemon` as operators run it: the built CLI as a child process, a scratch
// config whose `soon` campaign (tests/plugins/soon_plugin.cpp) has letters due at
// chosen UTC minutes, signals sent from outside, and the sd_notify messages read
// from a socket the test plays systemd with.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "journal/journal.hpp"
#include "delivery/message.hpp"
#include "cli_runner.hpp"
#include "soon_scenario.hpp"
#include "test_support.hpp"

using namespace outreach::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// The SDK schedules in whole minutes: the next minute boundary at least `margin` away.
WallClock::time_point next_minute(std::chrono::seconds margin) {
    return std::chrono::ceil<std::chrono::minutes>(WallClock::now() + margin);
}

// Plays systemd's side of sd_notify: a datagram socket named by NOTIFY_SOCKET.
class NotifySocket {
public:
    explicit NotifySocket(fs::path path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(path_.string().size() < sizeof address.sun_path);
        std::strcpy(address.sun_path, path_.c_str());
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~NotifySocket() { ::close(fd_); }
    const fs::path& path() const { return path_; }

    // Waits for a message containing `text`. Messages before it are dropped, so
    // successive calls see the daemon's messages in order.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
        const auto give_up = std::chrono::steady_clock::now() + timeout;
        for (std::size_t seen = 0;;) {
            for (; seen < messages_.size(); ++seen)
                if (messages_[seen].find(text) != std::string::npos) {
                    messages_.erase(messages_.begin(), messages_.begin() + static_cast<std::ptrdiff_t>(seen));
                    return true;
                }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd pfd{fd_, POLLIN, 0};
            if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
            std::array<char, 4096> buffer{};
            const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n > 0) messages_.emplace_back(buffer.data(), static_cast<std::size_t>(n));
        }
    }

    // What has arrived and not been matched yet (for a failure's message).
    std::string unmatched() const {
        std::string out;
        for (const auto& m : messages_) out += m + "\n---\n";
        return out;
    }

private:
    fs::path path_;
    int fd_ = -1;
    std::vector<std::string> messages_;
};

// `outreach -c CONFIG daemon --state-dir STATE`, output into a log file.
class Daemon {
public:
    Daemon(const Scenario& scenario, const NotifySocket* notify, const std::string& log_name = "daemon.log",
           bool verbose = false)
        : log_(scenario.path(log_name)) {
        const std::string config = scenario.config().string(), state = scenario.state().string();
        const std::string notify_path = notify ? notify->path().string() : "";
        // Or the child's freopen would write out our buffered output a second time.
        std::fflush(stdout);
        std::fflush(stderr);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            // Console logging whatever session runs the tests; sd_notify only to us.
            ::unsetenv("INVOCATION_ID");
            ::unsetenv("JOURNAL_STREAM");
            if (notify_path.empty()) ::unsetenv("NOTIFY_SOCKET");
            else ::setenv("NOTIFY_SOCKET", notify_path.c_str(), 1);
            if (!std::freopen(log_.c_str(), "a", stderr) || !std::freopen(log_.c_str(), "a", stdout)) std::_Exit(126);
            if (verbose)
                ::execl(OUTREACH_CLI, OUTREACH_CLI, "-v", "-c", config.c_str(), "daemon", "--state-dir", state.c_str(),
                        static_cast<char*>(nullptr));
            else
                ::execl(OUTREACH_CLI, OUTREACH_CLI, "-c", config.c_str(), "daemon", "--state-dir", state.c_str(),
                        static_cast<char*>(nullptr));
            std::_Exit(127);
        }
    }
    ~Daemon() {
        if (pid_ > 0 && !exit_code_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    pid_t pid() const { return pid_; }
    void signal(int sig) const { REQUIRE(::kill(pid_, sig) == 0); }
    std::string log() const { return read_text(log_); }

    // The exit code once it has exited, nullopt while it runs.
    std::optional<int> exit_code() {
        if (!exit_code_) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return exit_code_;
    }
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
        wait_until([&] { return exit_code().has_value(); }, timeout);
        return exit_code();
    }
    bool running() { return !exit_code().has_value(); }

    // Voluntary + involuntary context switches of all its threads: how often it ran at all.
    long context_switches() const {
        long total = 0;
        for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid_) + "/task")) {
            std::ifstream status(task.path() / "status");
            std::string line;
            while (std::getline(status, line))
                if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
                    total += std::stol(line.substr(line.find(':') + 1));
        }
        return total;
    }
    // Until it has not run for 300 ms (at most 10 s).
    void wait_until_quiet() const {
        long last = context_switches();
        for (int i = 0; i < 33; ++i) {
            std::this_thread::sleep_for(300ms);
            const long now = context_switches();
            if (now == last) return;
            last = now;
        }
    }

private:
    fs::path log_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

// Every letter in the outbox, by idempotency key (X-Outreach-Key).
std::multiset<std::string> delivered_keys(const fs::path& outbox_new) {
    std::multiset<std::string> keys;
    if (!fs::exists(outbox_new)) return keys;
    for (const auto& entry : fs::directory_iterator(outbox_new)) {
        const auto message = outreach::parse_message(read_text(entry.path()));
        const auto key = message.headers.find("X-Outreach-Key");
        keys.insert(key == message.headers.end() ? "(no key) " + entry.path().string() : key->second);
    }
    return keys;
}

// How late each letter landed: its file's mtime minus its due instant (the file
// name starts with the due instant in seconds).
std::vector<double> lateness_seconds(const fs::path& outbox_new) {
    std::vector<double> late;
    for (const auto& entry : fs::directory_iterator(outbox_new)) {
        struct stat status {};
        REQUIRE(::stat(entry.path().c_str(), &status) == 0);
        const long long due = std::stoll(entry.path().filename().string());
        late.push_back(static_cast<double>(status.st_mtim.tv_sec - due) +
                       static_cast<double>(status.st_mtim.tv_nsec) / 1e9);
    }
    return late;
}

// Enrols `campaign` in the journal as if a daemon had run it since `since`, so that
// occurrences due after `since` but before now count as missed (downtime).
void enrolled_since(const Scenario& scenario, const std::string& campaign, WallClock::time_point since) {
    outreach::Journal journal(scenario.journal());
    journal.enrol(campaign, std::chrono::floor<std::chrono::seconds>(since));
}

}  // namespace

TEST_CASE("daemon delivers letters due seconds ahead on time and survives a broken config on SIGHUP", "[daemon]") {
    Scenario scenario;
    const auto due = next_minute(5s);
    scenario.campaign("soon", due);
    NotifySocket notify(scenario.path("notify.sock"));
    Daemon daemon(scenario, &notify);

    REQUIRE(notify.wait_for("READY=1", 10s));
    INFO(daemon.log());

    // A broken campaign file: logged with its position, the old config keeps running.
    scenario.break_campaign("soon");
    daemon.signal(SIGHUP);
    REQUIRE(notify.wait_for("RELOADING=1", 5s));
    REQUIRE(notify.wait_for("READY=1", 5s));
    CHECK(wait_until([&] { return daemon.log().find("configuration not reloaded") != std::string::npos; }, 2s));
    CHECK_THAT(daemon.log(), Catch::Contains("campaigns/soon.toml:"));
    CHECK(daemon.running());

    // It still delivers, on time, what the old configuration has due.
    REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) == 3; }, std::chrono::duration_cast<std::chrono::milliseconds>(due - WallClock::now()) + 20s));
    for (double late : lateness_seconds(scenario.outbox_new())) {
        // Never early. File mtimes come from the kernel's coarse clock (up to a
        // tick behind the real time the timerfd fired at), hence the 20 ms.
        CHECK(late >= -0.02);
        CHECK(late < 5.0);
    }
    CHECK(notify.wait_for("STATUS=idle", 5s));

    // A valid reload takes effect: a campaign added while the daemon ran, with a
    // letter missed during its (simulated) downtime, is fired late once.
    // `soon`, repaired, has fired already and does not fire again.
    const auto missed = std::chrono::floor<std::chrono::minutes>(WallClock::now()) - 10min;
    scenario.campaign("soon", due);
    scenario.campaign("added", missed, 1, 2);
    enrolled_since(scenario, "added", missed - 1h);
    daemon.signal(SIGHUP);
    CHECK(wait_until([&] { return count_files(scenario.outbox_new()) == 5; }, 10s));
    CHECK_THAT(daemon.log(), Catch::Contains("configuration reloaded: 2 campaigns"));
    CHECK_THAT(daemon.log(), Catch::Contains("late by 10 min"));

    daemon.signal(SIGTERM);
    REQUIRE(notify.wait_for("STOPPING=1", 5s));
    CHECK(daemon.wait_exit(5s) == 0);
    CHECK(delivered_keys(scenario.outbox_new()).size() == 5);
}

TEST_CASE("daemon status names the next step - the wake file re-plans - idle costs no wake-ups", "[daemon]") {
    Scenario scenario;
    // Five years ahead, on a weekday: a letter due on a weekend rolls to the next
    // working day, and the status would name that day instead.
    auto far = WallClock::now() + 24h * 365 * 5;
    while (std::chrono::weekday{std::chrono::floor<std::chrono::days>(far)}.iso_encoding() > 5) far += 24h;
    scenario.campaign("later", far);
    NotifySocket notify(scenario.path("notify.sock"));
    Daemon daemon(scenario, &notify, "daemon.log", true);
    // READY=1 comes with the first plan's STATUS.
    const bool ready = notify.wait_for("READY=1\nMAINPID=" + std::to_string(daemon.pid()) + "\nSTATUS=next: later letter_1 at " +
                              iso_minute(far).substr(0, 10),
                          10s);
    INFO(notify.unmatched());
    CHECK(ready);
    INFO(daemon.log());

    daemon.wait_until_quiet();  // the first pass may still run on a busy machine
    const long before = daemon.context_switches();
    std::this_thread::sleep_for(2s);
    CHECK(daemon.context_switches() == before);

    // `outreach respond` touches <journal>.wake after recording a response.
    write_file(fs::path(scenario.journal().string() + ".wake"), "");
    CHECK(wait_until([&] { return daemon.log().find("journal.sqlite.wake touched") != std::string::npos; }, 5s));
    CHECK(daemon.running());

    daemon.signal(SIGINT);
    CHECK(daemon.wait_exit(5s) == 0);
}

TEST_CASE("daemon with nothing due says idle and is not woken", "[daemon]") {
    Scenario scenario;
    // Due before the campaign was first seen: never fired, nothing left to do.
    scenario.campaign("past", std::chrono::floor<std::chrono::minutes>(WallClock::now()) - 5min);
    NotifySocket notify(scenario.path("notify.sock"));
    Daemon daemon(scenario, &notify);
    REQUIRE(notify.wait_for("READY=1\nMAINPID=" + std::to_string(daemon.pid()) + "\nSTATUS=idle", 10s));
    daemon.wait_until_quiet();
    const long before = daemon.context_switches();
    std::this_thread::sleep_for(2s);
    CHECK(daemon.context_switches() == before);
    CHECK(count_files(scenario.outbox_new()) == 0);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit(5s) == 0);
}

TEST_CASE("a second daemon on the same journal exits 3 naming the first", "[daemon]") {
    Scenario scenario;
    scenario.campaign("later", WallClock::now() + 24h * 400);
    NotifySocket notify(scenario.path("notify.sock"));
    Daemon first(scenario, &notify);
    REQUIRE(notify.wait_for("READY=1", 10s));

    const auto second = run_outreach("-c " + scenario.config().string() + " daemon --state-dir " + scenario.state().string());
    INFO(second.output);
    CHECK(second.exit_code == 3);
    CHECK_THAT(second.output, Catch::Contains("another outreach daemon (pid " + std::to_string(first.pid()) +
                                              ") is using " + scenario.journal().string()));
    CHECK(first.running());
    first.signal(SIGTERM);
    REQUIRE(first.wait_exit(5s) == 0);

    // The lock goes with the process: now another daemon may start.
    Daemon next(scenario, &notify, "next.log");
    CHECK(notify.wait_for("MAINPID=" + std::to_string(next.pid()), 10s));
    next.signal(SIGTERM);
    CHECK(next.wait_exit(5s) == 0);
}

TEST_CASE("daemon refuses to start on an invalid configuration", "[daemon]") {
    Scenario scenario;
    scenario.campaign("soon", WallClock::now() + 24h);
    scenario.break_campaign("soon");
    const auto r = run_outreach("-c " + scenario.config().string() + " daemon --state-dir " + scenario.state().string());
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("campaigns/soon.toml:"));
    CHECK_THAT(r.output, Catch::Contains("not starting"));
}

TEST_CASE("a daemon stopped mid-batch loses nothing and sends nothing twice", "[daemon]") {
    // 2 steps missed during downtime, 150 States x 3 addressees each: 900 letters,
    // all due at once when the daemon starts.
    constexpr int kStates = 150;
    constexpr std::size_t kLetters = 2 * kStates * 3;
    Scenario scenario;
    const auto first_due = std::chrono::floor<std::chrono::minutes>(WallClock::now()) - 30min;
    scenario.campaign("bulk", first_due, 2, kStates, true);
    enrolled_since(scenario, "bulk", first_due - 1h);
    NotifySocket notify(scenario.path("notify.sock"));

    SECTION("SIGTERM: the batch in flight completes, then exit 0") {
        Daemon daemon(scenario, &notify);
        REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) > 0; }, 20s));
        daemon.signal(SIGTERM);
        const std::size_t at_signal = count_files(scenario.outbox_new());
        INFO("letters when SIGTERM was sent: " << at_signal);
        CHECK(at_signal < kLetters);  // really mid-batch
        REQUIRE(daemon.wait_exit(120s) == 0);
        CHECK(count_files(scenario.outbox_new()) == kLetters);
        CHECK_THAT(daemon.log(), Catch::Contains("received SIGTERM; stopping"));
    }
    SECTION("SIGKILL: the restarted daemon completes the batch") {
        Daemon daemon(scenario, &notify);
        REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) > 10; }, 20s));
        daemon.signal(SIGKILL);
        daemon.wait_exit(5s);
        INFO("letters when killed: " << count_files(scenario.outbox_new()));
        CHECK(count_files(scenario.outbox_new()) < kLetters);
    }

    // Restart: whatever is missing is sent, nothing twice.
    Daemon restarted(scenario, &notify, "restarted.log");
    REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) >= kLetters; }, 120s));
    REQUIRE(notify.wait_for("MAINPID=" + std::to_string(restarted.pid()), 10s));
    REQUIRE(notify.wait_for("STATUS=idle", 120s));  // its pass is over
    restarted.signal(SIGTERM);
    CHECK(restarted.wait_exit(10s) == 0);
    const auto keys = delivered_keys(scenario.outbox_new());
    CHECK(keys.size() == kLetters);
    CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == kLetters);
}

// ---- human control under the daemon (issue 12) -----------------------------------

namespace {

std::string cli_in(const Scenario& scenario, const std::string& command) {
    return "-c " + scenario.config().string() + " " + command + " --state-dir " + scenario.state().string();
}

std::size_t keys_with(const std::multiset<std::string>& keys, const std::string& part) {
    return static_cast<std::size_t>(
        std::count_if(keys.begin(), keys.end(), [&](const std::string& k) { return k.find(part) != std::string::npos; }));
}

// Letters (not proofs) of one step of campaign `soon`.
std::size_t letters_of_step(const std::multiset<std::string>& keys, const std::string& step) {
    return static_cast<std::size_t>(std::count_if(keys.begin(), keys.end(), [&](const std::string& k) {
        return k.rfind("soon/" + step + "/", 0) == 0 && k.find("/proof/") == std::string::npos;
    }));
}

std::string all_files_text(const fs::path& dir) {
    std::string text;
    for (const auto& entry : fs::directory_iterator(dir)) text += read_text(entry.path()) + "\n";
    return text;
}

}  // namespace

TEST_CASE("Checked by - under the daemon - proof to staff - nothing before approve - all after - an edit after approval "
          "lapses it",
          "[daemon][control]") {
    Scenario scenario;
    const auto due = next_minute(10s);
    scenario.campaign("soon", due, 2, 3, false, "approval = \"required\"\n", "interval_minutes = 1\n");
    NotifySocket notify(scenario.path("notify.sock"));
    Daemon daemon(scenario, &notify);
    REQUIRE(notify.wait_for("READY=1", 10s));
    INFO(daemon.log());

    // Both steps are within the default 48 h lead: their proofs go to staff at once.
    REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) == 2; }, 10s));
    auto keys = delivered_keys(scenario.outbox_new());
    CHECK(letters_of_step(keys, "letter_1") == 0);
    CHECK(keys_with(keys, "/proof/") == 2);
    const std::string proofs = all_files_text(scenario.outbox_new());
    CHECK_THAT(proofs, Catch::Contains("To: Staff <staff@example.org>"));
    CHECK_THAT(proofs, Catch::Contains("[Proof for approval] soon letter_1"));
    CHECK_THAT(proofs, Catch::Contains("3 letters to 3 States"));

    // letter_1 falls due unapproved: nothing is sent; status says since when it waits.
    std::this_thread::sleep_until(due + 3s);
    CHECK(count_files(scenario.outbox_new()) == 2);
    const auto waiting = run_outreach(cli_in(scenario, "status soon"));
    CHECK_THAT(waiting.output, Catch::Contains("awaiting approval since"));
    const std::string day = iso_minute(due).substr(0, 10);
    const auto plan = run_outreach("-c " + scenario.config().string() + " plan --from " + day + " --to " + day);
    CHECK_THAT(plan.output, Catch::Contains("needs approval"));

    const auto approved = run_outreach(cli_in(scenario, "approve soon letter_1 --note \"read and checked\""));
    INFO(approved.output);
    REQUIRE(approved.exit_code == 0);
    CHECK_THAT(approved.output, Catch::Contains("Approved by"));
    REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) == 5; }, 10s));
    CHECK(letters_of_step(delivered_keys(scenario.outbox_new()), "letter_1") == 3);

    // letter_2 is approved, then its template edited before it is due: the
    // approval lapses, a new proof goes out, no letter.
    REQUIRE(run_outreach(cli_in(scenario, "approve soon letter_2")).exit_code == 0);
    scenario.edit_template("Subject: {{step_id}} for {{state_name}}\n\nExcellency,\n\nA text nobody approved.\n");
    std::this_thread::sleep_until(due + 60s + 4s);
    keys = delivered_keys(scenario.outbox_new());
    CHECK(keys.size() == 6);
    CHECK(letters_of_step(keys, "letter_2") == 0);
    CHECK(keys_with(keys, "soon/letter_2/") == 2);  // two proofs, of the old and the new content
    CHECK(keys_with(keys, "/proof/") == 3);
    CHECK_THAT(all_files_text(scenario.outbox_new()), Catch::Contains("A text nobody approved."));
    const auto lapsed = run_outreach(cli_in(scenario, "status soon"));
    CHECK_THAT(lapsed.output, Catch::Contains("approval lapsed"));

    // The audit trail: who approved, when, the note.
    const auto history = run_outreach(cli_in(scenario, "history soon"));
    CHECK_THAT(history.output, Catch::Contains("control approve"));
    CHECK_THAT(history.output, Catch::Contains("read and checked"));

    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit(5s) == 0);
}

TEST_CASE("Checked by - a pause across a due time and a deadline - resume skips the reminder - sends the others once",
          "[daemon][control]") {
    Scenario scenario;
    const auto today = std::chrono::floor<std::chrono::days>(WallClock::now());
    const auto yesterday_noon = today - 12h;
    const auto due = next_minute(10s);
    const auto interval = std::chrono::duration_cast<std::chrono::minutes>(due - yesterday_noon).count();
    scenario.campaign("soon", yesterday_noon, 2, 3, false, "",
                      "interval_minutes = " + std::to_string(interval) + "\nreminder_due = \"" +
                          iso_minute(yesterday_noon + 1h) + "\"\ndeadline = \"" + iso_minute(today).substr(0, 10) +
                          "\"\n");
    enrolled_since(scenario, "soon", yesterday_noon - 1h);  // letter_1 and the reminder fell due while paused
    const auto paused = run_outreach(cli_in(scenario, "pause soon --note \"hold for the Bureau\""));
    INFO(paused.output);
    REQUIRE(paused.exit_code == 0);

    NotifySocket notify(scenario.path("notify.sock"));
    Daemon daemon(scenario, &notify);
    REQUIRE(notify.wait_for("READY=1", 10s));
    INFO(daemon.log());
    std::this_thread::sleep_until(due + 3s);  // letter_2 falls due during the pause
    CHECK(count_files(scenario.outbox_new()) == 0);

    const auto dry = run_outreach(cli_in(scenario, "resume soon --dry-run"));
    INFO(dry.output);
    CHECK(dry.exit_code == 0);
    CHECK_THAT(dry.output, Catch::Contains("reminder") && Catch::Contains("skipped: deadline"));
    CHECK_THAT(dry.output, Catch::Contains("letter_1") && Catch::Contains("fires late by"));
    CHECK_THAT(dry.output, Catch::Contains("2 fire, 1 skipped, 0 coalesced"));
    const auto status = run_outreach(cli_in(scenario, "status soon"));
    CHECK_THAT(status.output, Catch::Contains("PAUSED") && Catch::Contains("on resume"));
    const auto plan = run_outreach("-c " + scenario.config().string() + " plan --from " +
                                   iso_minute(yesterday_noon).substr(0, 10) + " --to " + iso_minute(due).substr(0, 10));
    CHECK_THAT(plan.output, Catch::Contains("paused; on resume skipped: deadline"));
    std::this_thread::sleep_for(1s);
    CHECK(count_files(scenario.outbox_new()) == 0);  // the dry run changed nothing

    const auto resumed = run_outreach(cli_in(scenario, "resume soon"));
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    REQUIRE(wait_until([&] { return count_files(scenario.outbox_new()) == 6; }, 10s));
    const auto keys = delivered_keys(scenario.outbox_new());
    CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == 6);
    CHECK(letters_of_step(keys, "letter_1") == 3);
    CHECK(letters_of_step(keys, "letter_2") == 3);
    CHECK(keys_with(keys, "reminder") == 0);

    // A reload plans again from the journal: nothing is sent twice.
    daemon.signal(SIGHUP);
    REQUIRE(notify.wait_for("READY=1", 5s));
    daemon.wait_until_quiet();
    CHECK(count_files(scenario.outbox_new()) == 6);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit(5s) == 0);
    {
        outreach::Journal journal(scenario.journal());
        const auto reminder = journal.occurrence("soon", "reminder", iso_minute(yesterday_noon + 1h).substr(0, 16));
        REQUIRE(reminder);
        CHECK(reminder->status == outreach::OccurrenceStatus::Skipped);
        CHECK_THAT(reminder->reason, Catch::Contains("deadline"));
    }
    const auto history = run_outreach(cli_in(scenario, "history soon"));
    CHECK_THAT(history.output, Catch::Contains("control pause") && Catch::Contains("hold for the Bureau"));
    CHECK_THAT(history.output, Catch::Contains("control resume"));
}

TEST_CASE("control commands - refusals name the problem - test proofs are repeatable and never deliveries",
          "[control][cli]") {
    Scenario scenario;
    scenario.campaign("soon", WallClock::now() + 24h * 30, 1, 3, false, "[steps.letter_1]\napproval = \"none\"\n");

    const auto not_required = run_outreach(cli_in(scenario, "approve soon letter_1"));
    CHECK(not_required.exit_code == 1);
    CHECK_THAT(not_required.output, Catch::Contains("does not require approval"));
    const auto unknown = run_outreach(cli_in(scenario, "approve soon leter_1"));
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.output, Catch::Contains("did you mean 'letter_1'"));
    CHECK(run_outreach(cli_in(scenario, "reject soon letter_1")).exit_code == 2);  // --reason is required
    const auto past = run_outreach(cli_in(scenario, "pause soon --until 2001-01-01"));
    CHECK(past.exit_code == 1);
    CHECK_THAT(past.output, Catch::Contains("has passed"));
    const auto two = run_outreach(cli_in(scenario, "proof soon letter_1 --to \"a@example.org,evil@example.net\""));
    CHECK(two.exit_code == 1);
    CHECK_THAT(two.output, Catch::Contains("not one e-mail address"));

    for (int i = 0; i < 2; ++i) {
        const auto sent = run_outreach(cli_in(scenario, "proof soon letter_1 --state AAB --to desk@example.org"));
        INFO(sent.output);
        REQUIRE(sent.exit_code == 0);
    }
    REQUIRE(count_files(scenario.outbox_new()) == 2);
    const std::string text = all_files_text(scenario.outbox_new());
    CHECK_THAT(text, Catch::Contains("desk@example.org"));
    CHECK_THAT(text, Catch::Contains("[Test proof] soon letter_1"));
    CHECK_THAT(text, Catch::Contains("letter_1 for State AAB"));
    CHECK(keys_with(delivered_keys(scenario.outbox_new()), "proof/soon/letter_1/") == 2);
    {
        outreach::Journal journal(scenario.journal());
        CHECK(journal.deliveries("soon").empty());
        CHECK(journal.proofs("soon").size() == 2);
    }
    CHECK_THAT(run_outreach(cli_in(scenario, "history soon")).output, Catch::Contains("control proof"));

    // A rejected occurrence is cancelled with its reason.
    const auto rejected = run_outreach(cli_in(scenario, "reject soon letter_1 --reason \"wrong signatory\""));
    CHECK(rejected.exit_code == 0);
    CHECK_THAT(rejected.output, Catch::Contains("Rejected by"));
}
