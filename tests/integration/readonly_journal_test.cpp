// A journal that cannot be written (issue 9: `simulate` looped forever printing the
// same error, `run` exited 0): every command that records something exits
// non-zero at once, naming the journal, and sends nothing.
//
// The tests run as root, where a file's mode does not stop a write. The journal is
// therefore made read-only the way a read-only mount makes it: inside a private
// user and mount namespace (`unshare -rm`), the journal file is bind-mounted onto
// itself read-only, so opening it for writing fails with EROFS for root too.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli_runner.hpp"
#include "journal/journal.hpp"
#include "soon_scenario.hpp"
#include "test_support.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {

bool namespaces_available() {
    static const bool available = std::system("unshare -rm true >/dev/null 2>&1") == 0;
    return available;
}

// `outreach <args>` with `journal` read-only (a read-only bind mount of the file
// itself); stdout and stderr merged. `timeout`: a command that loops is a failure.
// The paths are scratch directories' (no quotes or spaces in them).
CliResult run_with_readonly_journal(const std::filesystem::path& journal, const std::string& args) {
    const std::string file = journal.string();
    const std::string script = "mount --bind " + file + " " + file + " && mount -o remount,bind,ro " + file +
                               " && exec " + std::string(OUTREACH_CLI) + " " + args;
    FILE* pipe = ::popen(("env -u INVOCATION_ID -u JOURNAL_STREAM -u NOTIFY_SOCKET timeout 60 unshare -rm sh -c '" +
                          script + "' 2>&1")
                             .c_str(),
                         "r");
    REQUIRE(pipe);
    std::string out;
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("a read-only journal: run, simulate, respond and daemon exit non-zero, naming it, sending nothing",
          "[journal][hardening]") {
    if (!namespaces_available()) {
        WARN("skipped: `unshare -rm` (user and mount namespaces) is not available here");
        return;
    }
    Scenario scenario;
    const auto first_due = std::chrono::floor<std::chrono::minutes>(WallClock::now()) - std::chrono::minutes(10);
    scenario.campaign("drive", first_due, 1, 3);
    {
        Journal journal(scenario.journal());  // a real journal, with the campaign enrolled before its letters
        journal.enrol("drive", std::chrono::floor<std::chrono::seconds>(first_due - std::chrono::hours(1)));
    }
    const std::string common = "-c " + scenario.config().string() + " ";
    const std::string state = " --state-dir " + scenario.state().string();

    // The same commands on a writable journal would send 3 letters (checked last).
    for (const std::string command : {"run", "daemon", "simulate --from 2000-01-01 --to 2000-01-02",
                                      "respond drive AAA acknowledged"}) {
        INFO(command);
        const CliResult result = run_with_readonly_journal(scenario.journal(), common + command + state);
        INFO(result.output);
        CHECK(result.exit_code == 3);  // a runtime failure; 124 would be the timeout's
        CHECK_THAT(result.output, Catch::Contains(scenario.journal().string()));
        CHECK_THAT(result.output, Catch::Contains("read-only", Catch::CaseSensitive::No));
        CHECK(count_files(scenario.outbox_new()) == 0);
    }

    const CliResult writable = run_outreach(common + "run" + state);
    INFO(writable.output);
    CHECK(writable.exit_code == 0);
    CHECK(count_files(scenario.outbox_new()) == 3);
}
