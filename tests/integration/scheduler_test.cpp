// The scheduler's promises: exactly once across restarts and crashes, deadline
// validity after downtime, misfire policies, responses win, DST-correct times.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "schedule/scheduler.hpp"
#include "scheduler_runner.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {

const std::string kZone = "America/New_York";

Instant local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) { return new_york(y, m, d, hh, mm); }

Workflow season() {
    Workflow wf;
    wf.milestones = {{"letter_date", make_date(2007, 5, 9), false, "invitations"},
                     {"deadline", make_date(2007, 9, 1), true, "notify by"},
                     {"event", make_date(2007, 9, 25), false, "event"}};
    wf.steps.push_back(letter_step("invitation", AtTrigger{"letter_date", Days{0}, {9, 0}}));
    Step weekly = letter_step("weekly_reminder",
                              EveryTrigger{"FREQ=WEEKLY;BYDAY=MO", "letter_date", Days{0}, "deadline", {9, 0}},
                              Audience::without_response());
    weekly.valid_until = "deadline";
    wf.steps.push_back(weekly);
    Step last_call = letter_step("last_call", AtTrigger{"deadline", Days{-3}, {9, 0}}, Audience::without_response());
    last_call.valid_until = "deadline";
    last_call.misfire = {MisfirePolicy::Kind::SkipWhenLate, std::chrono::hours(24)};
    wf.steps.push_back(last_call);
    Step task;
    task.id = "arrange_slots";
    task.trigger = AtTrigger{"deadline", Days{1}, {9, 0}};
    task.audience = Audience::staff();
    task.action = TaskAction{"task"};
    wf.steps.push_back(task);
    return wf;
}

std::vector<FiringReport> simulate(Scheduler& scheduler, VirtualClock& clock, Instant to) {
    return run_until(scheduler, clock, to);
}

std::size_t letters_in(const std::vector<FiringReport>& reports, const std::string& step) {
    std::size_t n = 0;
    for (const auto& r : reports)
        if (r.occurrence.step->id == step) n += r.delivered.size();
    return n;
}

// Writes to the Maildir like the real channel, then "crashes" (throws) on the
// n-th letter, before the scheduler can journal it.
class CrashingChannel final : public Channel {
public:
    CrashingChannel(std::filesystem::path root, int crash_on) : inner_(std::move(root)), crash_on_(crash_on) {}
    std::string name() const override { return "maildir"; }
    DeliveryResult deliver(const Letter& letter) override {
        auto result = inner_.deliver(letter);
        if (++count_ == crash_on_) throw std::runtime_error("simulated crash after writing the file");
        return result;
    }

private:
    MaildirChannel inner_;
    int crash_on_;
    int count_ = 0;
};

}  // namespace

TEST_CASE("a season runs in order, in local time, and nothing after its deadline", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 1, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto reports = simulate(scheduler, clock, local(2008, 1, 1));

    CHECK(letters_in(reports, "invitation") == 3);
    // Mondays from 14 May to 27 August 2007: 16 weeks x 3 States.
    CHECK(letters_in(reports, "weekly_reminder") == 16 * 3);
    CHECK(letters_in(reports, "last_call") == 3);
    CHECK(letters_in(reports, "arrange_slots") == 1);
    for (const auto& r : reports) {
        CHECK(r.status == OccurrenceStatus::Fired);
        if (r.occurrence.step->valid_until == "deadline") CHECK(r.occurrence.due < local(2007, 9, 1));
        for (const auto& l : r.delivered) {
            // 09:00 New York time whatever the season (EDT here).
            CHECK(format_local(l.scheduled, kZone).substr(11, 5) == "09:00");
        }
    }
    CHECK(count_files(dir / "outbox/new") == 3 + 48 + 3 + 1);
}

TEST_CASE("restarting on the same journal sends nothing twice", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    std::size_t first = 0;
    {
        Journal journal(dir / "journal.sqlite");
        MaildirChannel outbox(dir / "outbox");
        VirtualClock clock(local(2007, 1, 1));
        Scheduler scheduler(*runtime, journal, clock, outbox);
        for (const auto& r : simulate(scheduler, clock, local(2007, 7, 1))) first += r.delivered.size();
    }
    const std::size_t files_after_first = count_files(dir / "outbox/new");
    CHECK(files_after_first == first);
    {
        // A new process: same journal, clock back at the start of the season.
        Journal journal(dir / "journal.sqlite");
        MaildirChannel outbox(dir / "outbox");
        VirtualClock clock(local(2007, 1, 1));
        Scheduler scheduler(*runtime, journal, clock, outbox);
        std::size_t again = 0;
        for (const auto& r : simulate(scheduler, clock, local(2007, 7, 1))) again += r.delivered.size();
        CHECK(again == 0);
        CHECK(count_files(dir / "outbox/new") == files_after_first);
        // ...and it carries on from where the first one stopped.
        std::size_t rest = 0;
        for (const auto& r : simulate(scheduler, clock, local(2008, 1, 1))) rest += r.delivered.size();
        CHECK(rest > 0);
        CHECK(count_files(dir / "outbox/new") == files_after_first + rest);
    }
}

TEST_CASE("a crash between writing a letter and journaling it does not duplicate it", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    {
        Journal journal(dir / "journal.sqlite");
        CrashingChannel crashing(dir / "outbox", 2);
        VirtualClock clock(local(2007, 5, 9, 9, 0));
        Scheduler scheduler(*runtime, journal, clock, crashing);
        scheduler.run_due();  // the invitation: crashes on its 2nd letter, transaction rolled back
        CHECK_FALSE(journal.occurrence("test", "invitation", "2007-05-09T09:00"));
    }
    CHECK(count_files(dir / "outbox/new") == 2);  // two files made it to disk
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 9, 9, 5));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto reports = scheduler.run_due();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].delivered.size() == 1);
    CHECK(reports[0].already_delivered == 2);
    CHECK(count_files(dir / "outbox/new") == 3);  // one per State, exactly
    CHECK(journal.deliveries("test").size() == 3);
}

TEST_CASE("after downtime, missed reminders coalesce and the deadline holds", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();  // enrol

    SECTION("down from 1 May to 20 June: one late reminder for six missed Mondays") {
        clock.set(local(2007, 6, 20, 12, 0));
        const auto reports = scheduler.run_due();
        std::size_t coalesced = 0, weekly_fired = 0;
        for (const auto& r : reports) {
            if (r.occurrence.step->id != "weekly_reminder") continue;
            if (r.status == OccurrenceStatus::Coalesced) ++coalesced;
            if (r.status == OccurrenceStatus::Fired) {
                ++weekly_fired;
                CHECK(r.occurrence.id == "2007-06-18T09:00");
                CHECK_THAT(r.reason, Catch::Contains("late by"));
            }
        }
        CHECK(coalesced == 5);  // 14, 21, 28 May, 4, 11 June
        CHECK(weekly_fired == 1);
        CHECK(letters_in(reports, "invitation") == 3);  // fire-late-once
    }
    SECTION("down until after the deadline: no reminder goes out at all") {
        clock.set(local(2007, 9, 1, 0, 0));  // the very start of the deadline day
        const auto reports = scheduler.run_due();
        CHECK(letters_in(reports, "weekly_reminder") == 0);
        CHECK(letters_in(reports, "last_call") == 0);
        bool saw_deadline_skip = false;
        for (const auto& r : reports)
            if (r.occurrence.step->id == "last_call") {
                CHECK(r.status == OccurrenceStatus::Skipped);
                saw_deadline_skip = r.reason.find("deadline 2007-09-01 has passed") != std::string::npos;
            }
        CHECK(saw_deadline_skip);
        CHECK(letters_in(reports, "invitation") == 3);
    }
    SECTION("skip-when-late: last call missed by more than its grace is skipped") {
        clock.set(local(2007, 8, 30, 10, 0));  // due 29 Aug 09:00, grace 24 h
        const auto reports = scheduler.run_due();
        bool skipped = false;
        for (const auto& r : reports)
            if (r.occurrence.step->id == "last_call") {
                skipped = r.status == OccurrenceStatus::Skipped;
                CHECK_THAT(r.reason, Catch::Contains("missed by"));
            }
        CHECK(skipped);
    }
    SECTION("skip-when-late: within the grace it still fires") {
        clock.set(local(2007, 8, 29, 20, 0));
        CHECK(letters_in(scheduler.run_due(), "last_call") == 3);
    }
}

TEST_CASE("occurrences before a campaign was enrolled are not sent", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 8, 1));  // enabled long after the invitations went out
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto reports = simulate(scheduler, clock, local(2008, 1, 1));
    CHECK(letters_in(reports, "invitation") == 0);
    CHECK(letters_in(reports, "weekly_reminder") == 4 * 3);  // 6, 13, 20, 27 August
}

TEST_CASE("responses win: a State that answered is not reminded", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season(), {{"intends_to_sign", "", ResponseKind::Payload::Treaty}});
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    journal.add_response("test", Response{"FRA", "intends_to_sign", "Treaty A", local(2007, 6, 1, 12, 0)}, "", clock.now());
    // The staff task is due on Sunday 2 September: it goes out on Monday 3 (weekends only here).
    const auto reports = simulate(scheduler, clock, local(2007, 9, 4));
    for (const auto& r : reports) {
        for (const auto& l : r.delivered) {
            if (l.step == "weekly_reminder" && l.state == "FRA") CHECK(l.scheduled < local(2007, 6, 1, 12, 0));
            if (l.step == "last_call") CHECK(l.state != "FRA");
        }
    }
    CHECK(letters_in(reports, "last_call") == 2);
    // The staff task lists the response.
    const auto deliveries = journal.deliveries("test");
    const auto task = std::find_if(deliveries.begin(), deliveries.end(),
                                   [](const DeliveryRecord& d) { return d.letter.step == "arrange_slots"; });
    REQUIRE(task != deliveries.end());
    CHECK_THAT(task->letter.body, Catch::Contains("France (FRA): intends_to_sign — Treaty A"));
    CHECK(task->letter.to_email == "staff@example.org");
}

TEST_CASE("after and on_response triggers", "[scheduler]") {
    ScratchDir dir;
    Workflow wf = season();
    wf.steps.push_back(letter_step("second_letter", AfterTrigger{"invitation", std::chrono::hours(48)}));
    Step ack = letter_step("acknowledgement", OnResponseTrigger{"intends_to_sign", Days{1}, {10, 0}});
    wf.steps.push_back(ack);
    wf.steps.push_back(letter_step("c_states", AtTrigger{"event", Days{0}, {9, 0}}, Audience::matching("starts_with_c")));
    auto runtime = make_runtime(dir.path(), wf, {{"intends_to_sign", "", ResponseKind::Payload::Treaty}});
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    journal.add_response("test", Response{"CHL", "intends_to_sign", "Treaty B", local(2007, 7, 3, 15, 0)}, "", clock.now());
    const auto reports = simulate(scheduler, clock, local(2008, 1, 1));
    CHECK(letters_in(reports, "second_letter") == 3);
    CHECK(letters_in(reports, "acknowledgement") == 1);
    CHECK(letters_in(reports, "c_states") == 2);  // CIV and CHL
    for (const auto& r : reports) {
        if (r.occurrence.step->id == "second_letter") CHECK(r.occurrence.due == local(2007, 5, 11, 9, 0));
        if (r.occurrence.step->id == "acknowledgement") {
            CHECK(r.occurrence.due == local(2007, 7, 4, 10, 0));
            REQUIRE(r.delivered.size() == 1);
            CHECK(r.delivered[0].state == "CHL");
        }
    }
}

TEST_CASE("temporary failures are retried with backoff and survive a restart", "[scheduler]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    class FlakyChannel final : public Channel {
    public:
        explicit FlakyChannel(bool up) : up_(up) {}
        std::string name() const override { return "flaky"; }
        DeliveryResult deliver(const Letter&) override {
            return up_ ? DeliveryResult{DeliveryResult::Status::Delivered, "ok", "<id>"}
                       : DeliveryResult{DeliveryResult::Status::TemporaryFailure, "connection refused", ""};
        }

    private:
        bool up_;
    };
    {
        Journal journal(dir / "journal.sqlite");
        FlakyChannel down(false);
        VirtualClock clock(local(2007, 5, 9, 9, 0));
        Scheduler scheduler(*runtime, journal, clock, down);
        const auto reports = scheduler.run_due();
        REQUIRE(reports.size() == 1);
        CHECK(reports[0].failed == 3);
        const auto retry = journal.next_retry();
        REQUIRE(retry);
        CHECK(*retry > clock.now());
        CHECK(*retry <= clock.now() + std::chrono::seconds(72));  // 1 min +20% jitter
    }
    Journal journal(dir / "journal.sqlite");
    FlakyChannel up(true);
    VirtualClock clock(local(2007, 5, 9, 10, 0));
    Scheduler scheduler(*runtime, journal, clock, up);
    scheduler.run_due();
    for (const auto& d : journal.deliveries("test")) {
        CHECK(d.status == DeliveryStatus::Delivered);
        CHECK(d.attempts == 2);
    }
    CHECK_FALSE(journal.next_retry());
}

TEST_CASE("retry delays grow exponentially and are capped", "[scheduler]") {
    using namespace std::chrono;
    const auto first = Scheduler::retry_delay(1, "k");
    CHECK(first >= seconds(48));
    CHECK(first <= seconds(72));
    CHECK(Scheduler::retry_delay(4, "k") >= seconds(8 * 48));
    CHECK(Scheduler::retry_delay(30, "k") <= hours(6) * 1.2);
}

TEST_CASE("a journal that is not a database is refused with its path", "[journal]") {
    ScratchDir dir;
    write_file(dir / "bad.sqlite", "this is not a database, just text that is long enough to have a header...");
    CHECK_THROWS_WITH(Journal(dir / "bad.sqlite"), Catch::Contains("bad.sqlite"));
}

TEST_CASE("an after-step whose predecessor fell before enrolment is skipped, not left waiting", "[scheduler]") {
    ScratchDir dir;
    Workflow wf = season();
    wf.steps.push_back(letter_step("second_letter", AfterTrigger{"invitation", std::chrono::hours(48)}));
    auto runtime = make_runtime(dir.path(), wf);
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 10));  // enrolled after the invitation, before the second letter
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto reports = simulate(scheduler, clock, local(2007, 6, 1));
    CHECK(letters_in(reports, "invitation") == 0);
    CHECK(letters_in(reports, "second_letter") == 0);
    const auto decided = journal.occurrence("test", "second_letter", "2007-05-09T09:00");
    REQUIRE(decided);
    CHECK(decided->status == OccurrenceStatus::Skipped);
    CHECK_THAT(decided->reason, Catch::Contains("before the campaign was enrolled"));
    CHECK(letters_in(reports, "weekly_reminder") > 0);  // and the season goes on
}
