// kill -9 of `outreach simulate` and of `outreach daemon` while they write Maildir
// batches (tmp/ staged, one syncfs, renames into new/, then the journal commit),
// many times, then a run to completion. Whatever the moment of each kill: no
// letter lost, none duplicated, no empty or torn file in the outbox, and the
// journal records exactly the letters that are in the outbox.
#include "fault_support.hpp"

using namespace outreach;
using namespace outreach::fault;
using outreach::test::Scenario;

namespace {

struct KillTally {
    int kills = 0;           // kill -9 that found the process running
    int with_staged = 0;     // ... while letters were staged in tmp/ (a batch in flight)
    int rounds = 0;
};

// Checks the invariants of one finished state directory; `expected` letters.
void audit_maildir(const Scenario& scenario, std::size_t expected) {
    const fs::path outbox = scenario.state() / "outbox";
    const Delivered delivered = delivered_in({outbox / "new", outbox / "cur"});
    INFO("outbox " << outbox);
    for (const auto& problem : delivered.problems) FAIL_CHECK("torn or empty letter: " << problem);
    CHECK(delivered.problems.empty());
    CHECK(delivered.duplicates() == 0);                  // 0 duplicated
    CHECK(delivered.distinct() == expected);             // 0 lost
    const Recorded recorded = recorded_in(scenario.journal(), "drive");
    CHECK(recorded.not_delivered == 0);
    CHECK(recorded.rows == expected);
    CHECK(recorded.delivered == ids_of(delivered));      // the journal agrees with the outbox
}

}  // namespace

TEST_CASE("fault: kill -9 during simulate, 200 times: no letter lost, duplicated or torn", "[fault][maildir]") {
    constexpr int kTargetKills = 200;
    constexpr int kKillsPerRound = 40;
    constexpr int kSteps = 20, kStates = 100;  // 2,000 letters: four batches of 512
    KillTally tally;
    while (tally.kills < kTargetKills && tally.rounds < 40) {
        ++tally.rounds;
        Scenario scenario;
        scenario.campaign("drive", test::WallClock::time_point(std::chrono::sys_days(std::chrono::year(2030) /
                                                                                       1 / 1)),
                          kSteps, kStates);
        const std::vector<std::string> simulate{"-c",     scenario.config().string(), "simulate", "--from",
                                                "2030-01-01", "--to", "2030-01-02", "--state-dir",
                                                scenario.state().string(), "--summary"};
        const fs::path tmp = scenario.state() / "outbox/tmp", fresh = scenario.state() / "outbox/new";
        for (int k = 0; k < kKillsPerRound && tally.kills < kTargetKills; ++k) {
            OutreachProcess run(simulate, scenario.path("simulate.log"));
            // Kill once it is writing: letters staged in tmp/ or moved into new/,
            // then after a random moment within about one batch.
            const std::size_t before = entries_in(fresh);
            wait_until([&] { return run.exit_code() || entries_in(tmp) > 0 || entries_in(fresh) != before; }, 30s, 1ms);
            std::this_thread::sleep_for(random_delay(600));
            const bool staged = entries_in(tmp) > 0;
            if (!run.kill9()) {
                INFO(run.log());
                REQUIRE(run.wait_exit(0ms) == 0);  // it finished before the kill
                break;
            }
            ++tally.kills;
            tally.with_staged += staged ? 1 : 0;
        }
        // To completion, then once more: nothing new.
        OutreachProcess finish(simulate, scenario.path("simulate.log"));
        REQUIRE(finish.wait_exit(120s) == 0);
        OutreachProcess again(simulate, scenario.path("again.log"));
        REQUIRE(again.wait_exit(120s) == 0);
        CHECK_THAT(again.log(), Catch::Contains("\n0 letters and"));
        audit_maildir(scenario, kSteps * kStates);
    }
    WARN("simulate: " << tally.kills << " kills over " << tally.rounds << " rounds of " << kSteps * kStates
                      << " letters; " << tally.with_staged << " kills with a batch staged in tmp/");
    CHECK(tally.kills >= kTargetKills);
}

TEST_CASE("fault: kill -9 of the daemon during Maildir batches: no letter lost, duplicated or torn",
          "[fault][maildir][daemon]") {
    constexpr int kRounds = 3, kKillsPerRound = 8;
    constexpr int kSteps = 3, kStates = 1000;  // 3,000 letters due at once
    KillTally tally;
    for (int round = 0; round < kRounds; ++round) {
        ++tally.rounds;
        Scenario scenario;
        letters_due_now(scenario, kSteps, kStates);
        const std::vector<std::string> daemon{"-c", scenario.config().string(), "daemon", "--state-dir",
                                              scenario.state().string()};
        const fs::path tmp = scenario.state() / "outbox/tmp", fresh = scenario.state() / "outbox/new";
        const std::size_t expected = kSteps * kStates;
        // Until all is in new/: a daemon with nothing left to write has no batch to interrupt.
        for (int k = 0; k < kKillsPerRound && entries_in(fresh) < expected; ++k) {
            OutreachProcess run(daemon, scenario.path("daemon.log"));
            const std::size_t before = entries_in(fresh);
            wait_until([&] { return run.exit_code() || entries_in(tmp) > 0 || entries_in(fresh) != before; }, 30s, 1ms);
            std::this_thread::sleep_for(random_delay(600));
            const bool staged = entries_in(tmp) > 0;
            INFO(run.log());
            REQUIRE(run.kill9());  // a daemon does not exit by itself
            ++tally.kills;
            tally.with_staged += staged ? 1 : 0;
        }
        OutreachProcess finish(daemon, scenario.path("finish.log"));
        CHECK(wait_until([&] { return entries_in(fresh) >= expected; }, 120s, 50ms));
        // SIGTERM is read between passes: the pass under way (renames, then the
        // journal's commit) ends first. Before "started", SIGTERM would simply kill it.
        INFO(finish.log());
        REQUIRE(finish.wait_for_output("started with", 30s));
        const auto stopped = finish.terminate();
        INFO(finish.stuck());
        REQUIRE(stopped == 0);
        audit_maildir(scenario, expected);
    }
    WARN("daemon, Maildir: " << tally.kills << " kills over " << tally.rounds << " rounds of " << kSteps * kStates
                             << " letters; " << tally.with_staged << " kills with a batch staged in tmp/");
}
