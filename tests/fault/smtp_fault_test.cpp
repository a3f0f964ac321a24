// Faults around SMTP delivery, with real processes: kill -9 of the daemon while it
// sends over SMTP (duplicates counted at the server by Message-ID), a server that
// is down or answers 4xx/5xx, `outreach respond` while a long SMTP batch is sent,
// and two `run`s at once. The server is the scripted aiosmtpd server of
// tests/support/smtp_server.hpp, storing every message it accepts.
#include "fault_support.hpp"

using namespace outreach;
using namespace outreach::fault;
using outreach::test::Scenario;

namespace {

std::vector<std::string> command(const Scenario& scenario, const std::string& name) {
    return {"-c", scenario.config().string(), name, "--state-dir", scenario.state().string()};
}

// What the server stored and what the journal recorded: every letter delivered,
// and the journal names exactly the letters the server has.
Delivered audit_smtp(const Scenario& scenario, const fs::path& store, std::size_t expected) {
    const Delivered received = delivered_in({store});
    for (const auto& problem : received.problems) FAIL_CHECK("bad message at the server: " << problem);
    CHECK(received.distinct() == expected);  // 0 lost
    const Recorded recorded = recorded_in(scenario.journal(), "drive");
    CHECK(recorded.rows == expected);
    CHECK(recorded.not_delivered == 0);
    CHECK(recorded.delivered == ids_of(received));
    return received;
}

// `steps` × `states` letters due now, to a scripted server on a free port that
// accepts each letter in `delay_ms`.
struct SmtpDrive {
    SmtpDrive(int steps, int states, int delay_ms)
        : port(test::free_port()),
          scenario(smtp_delivery(port)),
          server(test::scripted_server(scenario.path("smtp"), port, "accept", delay_ms)),
          store(scenario.path("smtp/received")) {
        letters_due_now(scenario, steps, states);
    }
    int port;
    Scenario scenario;
    std::unique_ptr<test::SmtpServer> server;
    fs::path store;
};

std::vector<DeliveryRecord> deliveries(const Scenario& scenario) {
    Journal journal(scenario.journal());
    return journal.deliveries("drive");
}

}  // namespace

TEST_CASE("fault: kill -9 of the daemon during SMTP batches: at most one duplicate per kill", "[fault][smtp][daemon]") {
    REQUIRE_SMTP_SERVER();
    constexpr int kMaxKills = 15;
    constexpr int kSteps = 5, kStates = 300;  // 1,500 letters, 3 ms each at the server
    SmtpDrive drive(kSteps, kStates, 3);
    const Scenario& scenario = drive.scenario;
    const fs::path& store = drive.store;

    std::vector<std::size_t> duplicates_after_kill;  // duplicates that appeared after each kill
    std::size_t duplicates_before = 0;
    const auto duplicates_now = [&] { return entries_in(store) - distinct_received(store); };
    const std::size_t expected = kSteps * kStates;
    int kills = 0;
    for (; kills < kMaxKills && distinct_received(store) < expected; ++kills) {
        OutreachProcess daemon(command(scenario, "daemon"), scenario.path("daemon.log"));
        const std::size_t before = entries_in(store);
        wait_until([&] { return daemon.exit_code() || entries_in(store) > before; }, 30s, 1ms);
        std::this_thread::sleep_for(random_delay(500));
        INFO(daemon.log());
        REQUIRE(daemon.kill9());
        if (kills > 0) duplicates_after_kill.push_back(duplicates_now() - duplicates_before);
        duplicates_before = duplicates_now();
    }
    OutreachProcess finish(command(scenario, "daemon"), scenario.path("finish.log"));
    CHECK(wait_until([&] { return distinct_received(store) >= expected; }, 180s, 200ms));
    INFO(finish.log());
    REQUIRE(finish.wait_for_output("started with", 30s));  // before it, SIGTERM would simply kill it
    const auto stopped = finish.terminate();
    INFO(finish.stuck());
    REQUIRE(stopped == 0);
    duplicates_after_kill.push_back(duplicates_now() - duplicates_before);

    const Delivered received = audit_smtp(scenario, store, expected);
    std::size_t worst = 0;
    for (const std::size_t d : duplicates_after_kill) worst = std::max(worst, d);
    WARN("daemon, SMTP: " << kills << " kills, " << received.duplicates() << " duplicates at the server in "
                          << received.messages << " messages; at most " << worst << " after one kill");
    // One connection per daemon: at most the letter in flight is sent again.
    CHECK(worst <= 1);
    CHECK(received.duplicates() <= static_cast<std::size_t>(kills));
    CHECK(kills >= 5);
}

TEST_CASE("fault: SMTP server down, then up: the letters are retried and delivered once", "[fault][smtp]") {
    REQUIRE_SMTP_SERVER();
    const int port = test::free_port();  // nothing listens there yet
    Scenario scenario(smtp_delivery(port));
    letters_due_now(scenario, 1, 3);

    OutreachProcess run(command(scenario, "run"), scenario.path("run.log"));
    INFO(run.log());
    REQUIRE(run.wait_exit(60s) == 4);  // some deliveries failed
    for (const DeliveryRecord& record : deliveries(scenario)) {
        INFO(record.detail);
        CHECK(record.status == DeliveryStatus::TemporaryFailure);
        CHECK(record.attempts == 1);
        CHECK(record.next_attempt.has_value());
        CHECK_THAT(record.detail, Catch::Contains("127.0.0.1:" + std::to_string(port)));
    }

    // The server comes up; the daemon sleeps until the retries fall due (about a
    // minute, see Scheduler::retry_delay) and sends each letter once.
    auto server = test::scripted_server(scenario.path("smtp"), port, "accept");
    OutreachProcess daemon(command(scenario, "daemon"), scenario.path("daemon.log"));
    INFO(daemon.log());
    CHECK(wait_until([&] { return distinct_received(scenario.path("smtp/received")) >= 3; }, 150s, 250ms));
    const auto stopped = daemon.terminate();
    INFO(daemon.stuck());
    REQUIRE(stopped == 0);
    const Delivered received = audit_smtp(scenario, scenario.path("smtp/received"), 3);
    CHECK(received.duplicates() == 0);
    for (const DeliveryRecord& record : deliveries(scenario)) CHECK(record.attempts == 2);
}

TEST_CASE("fault: an SMTP 4xx reply is retried later, a 5xx reply fails for good", "[fault][smtp]") {
    REQUIRE_SMTP_SERVER();
    const int port = test::free_port();
    Scenario scenario(smtp_delivery(port));
    letters_due_now(scenario, 1, 3);

    // Two runs, one after the other: the second must not resend anything.
    const auto run_twice = [&](const std::string& mode, const std::function<void(const DeliveryRecord&)>& check) {
        auto server = test::scripted_server(scenario.path("smtp"), port, mode);
        for (int pass = 0; pass < 2; ++pass) {
            OutreachProcess run(command(scenario, "run"), scenario.path("run.log"));
            INFO(run.log());
            const int code = run.wait_exit(60s);
            REQUIRE(code != OutreachProcess::kRunning);
            if (pass == 0) CHECK(code == 4);  // some deliveries failed
            for (const DeliveryRecord& record : deliveries(scenario)) {
                INFO(record.detail);
                CHECK(record.attempts == 1);
                check(record);
            }
        }
        CHECK(entries_in(scenario.path("smtp/received")) == 0);
    };
    SECTION("451 to RCPT: temporary failure, a retry planned, not retried before it is due") {
        run_twice("rcpt-451", [](const DeliveryRecord& record) {
            CHECK(record.status == DeliveryStatus::TemporaryFailure);
            CHECK(record.next_attempt > record.updated_at);
            CHECK_THAT(record.detail, Catch::Contains("451 4.3.0 Mailbox busy"));
        });
    }
    SECTION("550 to DATA: failed, with the server's reply, never retried") {
        run_twice("data-550", [](const DeliveryRecord& record) {
            CHECK(record.status == DeliveryStatus::Failed);
            CHECK_FALSE(record.next_attempt.has_value());
            CHECK_THAT(record.detail, Catch::Contains("550 5.7.1 Message refused by policy"));
        });
        OutreachProcess status({"-c", scenario.config().string(), "status", "drive", "--state-dir",
                                scenario.state().string()},
                               scenario.path("status.log"));
        REQUIRE(status.wait_exit(60s) == 0);
        CHECK_THAT(status.log(), Catch::Contains("3 failed"));
    }
}

TEST_CASE("fault: respond during a 600-letter SMTP batch at 25 ms per letter never fails", "[fault][smtp][respond]") {
    REQUIRE_SMTP_SERVER();
    constexpr int kLetters = 600;
    SmtpDrive drive(1, kLetters, 25);
    const Scenario& scenario = drive.scenario;
    const fs::path& store = drive.store;

    OutreachProcess daemon(command(scenario, "daemon"), scenario.path("daemon.log"));
    REQUIRE(wait_until([&] { return entries_in(store) > 0; }, 60s));
    int calls = 0, failures = 0;
    std::chrono::milliseconds slowest{0};
    std::string failure_text;
    while (entries_in(store) < kLetters && !daemon.exit_code()) {
        const auto start = std::chrono::steady_clock::now();
        OutreachProcess respond({"-c", scenario.config().string(), "respond", "drive", test::state_code(calls),
                                 "acknowledged", "--note", "fault suite call " + std::to_string(calls),
                                 "--state-dir", scenario.state().string()},
                                scenario.path("respond-" + std::to_string(calls) + ".log"));
        const int code = respond.wait_exit(60s);
        slowest = std::max(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start));
        ++calls;
        if (code != 0) {
            ++failures;
            failure_text = respond.log();
        }
    }
    const std::size_t sent_during = entries_in(store);
    INFO(daemon.log());
    CHECK(wait_until([&] { return distinct_received(store) >= kLetters; }, 120s, 200ms));
    const auto stopped = daemon.terminate();
    INFO(daemon.stuck());
    REQUIRE(stopped == 0);

    WARN("respond during the SMTP batch: " << calls << " calls, " << failures << " failed, slowest "
                                           << slowest.count() << " ms; " << sent_during << " letters sent meanwhile");
    INFO(failure_text);
    CHECK(failures == 0);
    CHECK(calls >= 20);  // the calls really overlapped the batch (600 × 25 ms ≥ 15 s)
    const Delivered received = audit_smtp(scenario, store, kLetters);
    CHECK(received.duplicates() == 0);
    Journal journal(scenario.journal());
    CHECK(journal.responses("drive").size() == static_cast<std::size_t>(calls));
}

TEST_CASE("fault: two runs at once: one sends, the other names the holder and exits non-zero", "[fault][smtp][lock]") {
    REQUIRE_SMTP_SERVER();
    constexpr int kLetters = 300;
    SmtpDrive drive(1, kLetters, 5);
    const Scenario& scenario = drive.scenario;
    const fs::path& store = drive.store;

    OutreachProcess first(command(scenario, "run"), scenario.path("first.log"));
    OutreachProcess second(command(scenario, "run"), scenario.path("second.log"));
    const int first_code = first.wait_exit(120s), second_code = second.wait_exit(120s);
    INFO("first:\n" << first.log() << "\nsecond:\n" << second.log());
    REQUIRE(((first_code == 0) != (second_code == 0)));  // exactly one ran
    const OutreachProcess& winner = first_code == 0 ? first : second;
    const OutreachProcess& loser = first_code == 0 ? second : first;
    CHECK((first_code == 0 ? second_code : first_code) == 3);
    CHECK_THAT(loser.log(), Catch::Contains(std::to_string(winner.pid())) && Catch::Contains("run"));

    const Delivered received = audit_smtp(scenario, store, kLetters);
    CHECK(received.duplicates() == 0);
    // A third run finds nothing left to send.
    OutreachProcess third(command(scenario, "run"), scenario.path("third.log"));
    REQUIRE(third.wait_exit(60s) == 0);
    CHECK(entries_in(store) == received.messages);
}
