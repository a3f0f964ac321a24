// Human control in the scheduler (issue 12), on a virtual clock: a paused
// campaign fires nothing and, at resume, each missed occurrence is decided by
// its own rules exactly as `resume --dry-run` predicted; a step that requires
// approval sends a proof to staff at its lead, fires only once approved for the
// content that would go out, and lapses when that content changes.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <map>
#include <set>

#include "control/approval.hpp"
#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "schedule/resume_preview.hpp"
#include "schedule/scheduler.hpp"
#include "scheduler_runner.hpp"
#include "test_support.hpp"

using namespace outreach;
using namespace outreach::test;
using namespace std::chrono_literals;

namespace {

Instant local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) { return new_york(y, m, d, hh, mm); }

// Invitation 9 May, weekly reminders until the 1 September deadline, a last
// call three days before it, a staff task the day after.
Workflow season() {
    Workflow wf;
    wf.milestones = {{"letter_date", make_date(2007, 5, 9), false, "invitations"},
                     {"deadline", make_date(2007, 9, 1), true, "notify by"}};
    wf.steps.push_back(letter_step("invitation", AtTrigger{"letter_date", Days{0}, {9, 0}}));
    wf.steps.push_back(letter_step("annex", AtTrigger{"letter_date", Days{0}, {9, 0}}));
    Step weekly = letter_step("weekly_reminder",
                              EveryTrigger{"FREQ=WEEKLY;BYDAY=MO", "letter_date", Days{0}, "deadline", {9, 0}},
                              Audience::without_response());
    weekly.valid_until = "deadline";
    wf.steps.push_back(weekly);
    Step last_call = letter_step("last_call", AtTrigger{"deadline", Days{-3}, {9, 0}}, Audience::without_response());
    last_call.valid_until = "deadline";
    wf.steps.push_back(last_call);
    Step task;
    task.id = "arrange_slots";
    task.trigger = AtTrigger{"deadline", Days{1}, {9, 0}};
    task.audience = Audience::staff();
    task.action = TaskAction{"task"};
    task.roll = Roll::None;  // Sunday 2 September: kept there, the test is about pausing, not working days
    wf.steps.push_back(task);
    return wf;
}

std::multiset<std::string> keys_in(const std::filesystem::path& outbox_new) {
    std::multiset<std::string> keys;
    if (!std::filesystem::exists(outbox_new)) return keys;
    for (const auto& entry : std::filesystem::directory_iterator(outbox_new)) keys.insert(entry.path().filename().string());
    return keys;
}

std::size_t letters_of(const std::vector<FiringReport>& reports, const std::string& step) {
    std::size_t n = 0;
    for (const auto& r : reports)
        if (r.occurrence.step->id == step) n += r.delivered.size();
    return n;
}

void pause(Journal& journal, Instant since, std::optional<Instant> until = std::nullopt) {
    journal.pause(PauseRecord{"test", since, until, "tester", "hold everything"});
}

void approve(Journal& journal, const Campaign& campaign, const std::string& step, const std::string& occurrence,
             Instant at) {
    journal.record_approval(ApprovalRecord{campaign.id(), step, occurrence, ApprovalRecord::Decision::Approved,
                                           approval_content_hash(campaign, *campaign.step(step)), "approver", at, ""});
}

struct ProofCounter final : SchedulerObserver {
    void occurrence_decided(const FiringReport&) override {}
    void proof_sent(const PlannedOccurrence& o, const Letter& proof) override {
        proofs.push_back(o.step->id + " " + o.id);
        bodies.push_back(proof.body);
    }
    void awaiting_approval(const PlannedOccurrence& o, const std::string& reason) override {
        waiting.push_back(o.step->id + " " + reason);
    }
    std::vector<std::string> proofs, bodies, waiting;
};

}  // namespace

TEST_CASE("a paused campaign fires nothing - resume decides each missed occurrence by its rules - as the dry run said",
          "[control][pause]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    const Campaign& campaign = runtime->campaigns.front();
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();  // enrol on 1 May
    pause(journal, clock.now());

    // Across the invitations, every reminder, the deadline and the staff task.
    const auto during = run_until(scheduler, clock, local(2007, 9, 2, 10, 0));
    CHECK(during.empty());
    CHECK(count_files(dir / "outbox/new") == 0);
    CHECK(journal.occurrences("test").empty());  // undecided, not skipped
    // A response recorded while paused is kept (and counts at resume).
    journal.add_response("test", Response{"FRA", "accepted", "", local(2007, 6, 1)}, "", local(2007, 6, 1));

    clock.set(local(2007, 9, 2, 10, 0));
    const auto preview = preview_due(*runtime, journal, campaign, clock.now());
    std::map<std::string, std::string> predicted;  // step occurrence -> fire | skip | coalesced
    for (const auto& d : preview)
        predicted[d.occurrence.step->id + " " + d.occurrence.id] =
            !d.coalesced_into.empty() ? "coalesced" : d.judgement.kind == Judgement::Kind::Fire ? "fired" : "skipped";
    CHECK(predicted.at("invitation 2007-05-09T09:00") == "fired");
    CHECK(predicted.at("last_call 2007-08-29T09:00") == "skipped");
    CHECK(predicted.at("weekly_reminder 2007-08-27T09:00") == "skipped");  // the latest, past its deadline
    CHECK(predicted.at("weekly_reminder 2007-05-14T09:00") == "coalesced");
    CHECK(predicted.at("arrange_slots 2007-09-02T09:00") == "fired");

    journal.resume("test");
    const auto reports = scheduler.run_due();
    std::map<std::string, std::string> decided;
    for (const auto& r : reports) decided[r.occurrence.step->id + " " + r.occurrence.id] = to_string(r.status);
    CHECK(decided == predicted);  // the dry run applies the scheduler's own rules
    CHECK(letters_of(reports, "invitation") == 3);
    CHECK(letters_of(reports, "weekly_reminder") == 0);
    CHECK(letters_of(reports, "last_call") == 0);
    for (const auto& r : reports)
        if (r.occurrence.step->id == "last_call") CHECK_THAT(r.reason, Catch::Contains("deadline 2007-09-01 has passed"));

    // None is sent twice: another pass, and a restart on the same journal.
    CHECK(scheduler.run_due().empty());
    Scheduler restarted(*runtime, journal, clock, outbox);
    CHECK(restarted.run_due().empty());
    const auto keys = keys_in(dir / "outbox/new");
    CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == keys.size());
    CHECK(keys.size() == 3 + 3 + 1);  // invitation, annex, the staff task
}

TEST_CASE("pause --until ends by itself and the scheduler wakes for it", "[control][pause]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();
    pause(journal, clock.now(), local(2007, 5, 10, 12, 0));
    const auto reports = run_until(scheduler, clock, local(2007, 5, 12));
    REQUIRE(letters_of(reports, "invitation") == 3);
    for (const auto& r : reports)
        if (r.occurrence.step->id == "invitation") {
            CHECK(r.decided_at == local(2007, 5, 10, 12, 0));  // at the end of the pause, not before
            CHECK_THAT(r.reason, Catch::Contains("late by 27 h"));
        }
}

TEST_CASE("a pause recorded during a pass stops what has not started - resume sends the rest once", "[control][pause]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();

    // The operator pauses while the invitations are being written (the pause
    // lands in the pass's own transaction, as if committed between two letters).
    struct PauseAfterFirst final : SchedulerObserver {
        Journal& journal;
        Instant at;
        bool done = false;
        PauseAfterFirst(Journal& j, Instant t) : journal(j), at(t) {}
        void occurrence_decided(const FiringReport&) override {
            if (done) return;
            done = true;
            journal.pause(PauseRecord{"test", at, std::nullopt, "tester", "stop"});
        }
    } pauser(journal, local(2007, 5, 9, 9, 0));
    scheduler.set_observer(&pauser);
    clock.set(local(2007, 5, 9, 9, 0));
    const auto first = scheduler.run_due();
    CHECK(letters_of(first, "invitation") == 3);  // the occurrence in flight completes
    CHECK(letters_of(first, "annex") == 0);       // the next one does not start
    CHECK_FALSE(journal.occurrence("test", "annex", "2007-05-09T09:00"));
    CHECK(count_files(dir / "outbox/new") == 3);

    clock.set(local(2007, 5, 9, 10, 0));
    CHECK(scheduler.run_due().empty());  // still paused
    journal.resume("test");
    const auto after = scheduler.run_due();
    CHECK(letters_of(after, "annex") == 3);
    CHECK(letters_of(after, "invitation") == 0);
    CHECK(count_files(dir / "outbox/new") == 6);
}

TEST_CASE("a step requiring approval - proof at its lead - nothing before approve - fires once approved",
          "[control][approval]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Campaign& campaign = runtime->campaigns.front();
    campaign.approval_leads["invitation"] = 48h;
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    ProofCounter seen;
    scheduler.set_observer(&seen);
    scheduler.run_due();

    // The proof goes out 48 h before 9 May 09:00, once.
    auto reports = run_until(scheduler, clock, local(2007, 5, 9, 8, 0));
    REQUIRE(seen.proofs == std::vector<std::string>{"invitation 2007-05-09T09:00"});
    CHECK(clock.now() == local(2007, 5, 7, 9, 0));
    CHECK(count_files(dir / "outbox/new") == 1);
    CHECK_THAT(seen.bodies.front(), Catch::Contains("PROOF FOR APPROVAL"));
    CHECK_THAT(seen.bodies.front(), Catch::Contains("3 letters to 3 States"));
    CHECK_THAT(seen.bodies.front(), Catch::Contains("invitation for Côte d'Ivoire"));  // the sample letter
    CHECK_THAT(seen.bodies.front(), Catch::Contains("FRA  France  foreign_minister"));
    CHECK_THAT(seen.bodies.front(), Catch::Contains("outreach approve test invitation 2007-05-09T09:00"));
    const auto proofs = journal.proofs("test");
    REQUIRE(proofs.size() == 1);
    CHECK(proofs.front().to_email == "staff@example.org");
    CHECK(journal.deliveries("test").empty());  // a proof is not a delivery of the step

    // Due: the annex (no approval needed) goes, the invitation waits.
    clock.set(local(2007, 5, 9, 12, 0));
    reports = scheduler.run_due();
    CHECK(letters_of(reports, "annex") == 3);
    CHECK(letters_of(reports, "invitation") == 0);
    CHECK_FALSE(journal.occurrence("test", "invitation", "2007-05-09T09:00"));
    CHECK(seen.waiting == std::vector<std::string>{"invitation awaiting approval"});
    CHECK(scheduler.run_due().empty());  // and keeps waiting, without a second proof
    CHECK(journal.proofs("test").size() == 1);

    approve(journal, campaign, "invitation", "2007-05-09T09:00", clock.now());
    clock.set(local(2007, 5, 9, 12, 5));
    reports = scheduler.run_due();
    REQUIRE(letters_of(reports, "invitation") == 3);
    CHECK_THAT(reports.front().reason, Catch::Contains("late by"));
    CHECK(scheduler.run_due().empty());
}

TEST_CASE("an approval racing a config reload - the template changes after approve - nothing is sent - a new proof goes",
          "[control][approval]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Campaign& campaign = runtime->campaigns.front();
    campaign.approval_leads["invitation"] = 48h;
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    {
        Scheduler scheduler(*runtime, journal, clock, outbox);
        run_until(scheduler, clock, local(2007, 5, 8));
    }
    approve(journal, campaign, "invitation", "2007-05-09T09:00", local(2007, 5, 8));
    // The template is edited after the approval; the daemon reloads (a new
    // scheduler on the same journal) before the step is due.
    write_file(dir / "templates/fixed/letter.mustache",
               "Subject: {{step_id}} for {{state_name}}\n\nExcellency,\n\nAn edited text, not approved.\n");
    Scheduler reloaded(*runtime, journal, clock, outbox);
    ProofCounter seen;
    reloaded.set_observer(&seen);
    clock.set(local(2007, 5, 9, 9, 0));
    const auto reports = reloaded.run_due();
    CHECK(letters_of(reports, "invitation") == 0);
    CHECK(letters_of(reports, "annex") == 3);
    REQUIRE(seen.proofs.size() == 1);  // a new proof, of the new content
    CHECK_THAT(seen.bodies.front(), Catch::Contains("An edited text, not approved."));
    CHECK(journal.proofs("test").size() == 2);
    REQUIRE(seen.waiting.size() == 1);
    CHECK_THAT(seen.waiting.front(), Catch::Contains("lapsed"));

    // Approved again, for the new content: it fires, once.
    approve(journal, campaign, "invitation", "2007-05-09T09:00", clock.now());
    clock.set(local(2007, 5, 9, 9, 30));
    CHECK(letters_of(reloaded.run_due(), "invitation") == 3);
    CHECK(reloaded.run_due().empty());
}

TEST_CASE("reject cancels an occurrence with its reason - an unapproved step is skipped at its deadline",
          "[control][approval]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Campaign& campaign = runtime->campaigns.front();
    campaign.approval_leads["invitation"] = 24h;
    campaign.approval_leads["last_call"] = 24h;
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();
    journal.record_approval(ApprovalRecord{"test", "invitation", "2007-05-09T09:00", ApprovalRecord::Decision::Rejected,
                                           "", "approver", local(2007, 5, 2), "wrong signatory"});
    clock.set(local(2007, 5, 9, 10, 0));
    const auto reports = scheduler.run_due();
    bool rejected = false;
    for (const auto& r : reports)
        if (r.occurrence.step->id == "invitation") {
            rejected = r.status == OccurrenceStatus::Skipped;
            CHECK_THAT(r.reason, Catch::Contains("rejected by approver"));
            CHECK_THAT(r.reason, Catch::Contains("wrong signatory"));
        }
    CHECK(rejected);
    CHECK(letters_of(reports, "invitation") == 0);

    // last_call is never approved: it waits, then its deadline decides it.
    const auto rest = run_until(scheduler, clock, local(2007, 9, 1, 12, 0));
    CHECK(letters_of(rest, "last_call") == 0);
    const auto decided = journal.occurrence("test", "last_call", "2007-08-29T09:00");
    REQUIRE(decided);
    CHECK(decided->status == OccurrenceStatus::Skipped);
    CHECK_THAT(decided->reason, Catch::Contains("deadline 2007-09-01 has passed"));
}

TEST_CASE("simulate's approval policy approves on the spot and records who", "[control][approval]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Campaign& campaign = runtime->campaigns.front();
    campaign.approval_leads["invitation"] = 48h;
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2007, 5, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.set_auto_approve([](const PlannedOccurrence&) { return true; }, "simulate (--approve)");
    const auto reports = run_until(scheduler, clock, local(2007, 5, 10));
    CHECK(letters_of(reports, "invitation") == 3);
    const auto approvals = journal.approvals("test");
    REQUIRE(approvals.size() == 1);
    CHECK(approvals.front().by == "simulate (--approve)");
    CHECK(journal.proofs("test").size() == 1);  // the proof still went out at its lead
}

TEST_CASE("a version-1 journal is migrated - its records kept - the audit trail gains the actor - control and letter "
          "language columns added",
          "[control][journal]") {
    ScratchDir dir;
    const auto file = dir / "journal.sqlite";
    {
        // The version-1 schema as an older outreach wrote it (only what matters here).
        Journal fresh(file);  // creates the current schema, then made to look like version 1
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
        const char* downgrade =
            "DROP TABLE audit; DROP TABLE pauses; DROP TABLE approvals; DROP TABLE proofs; DROP TABLE enclosures;"
            "ALTER TABLE deliveries DROP COLUMN language; ALTER TABLE deliveries DROP COLUMN attachments;"
            "CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at_utc INTEGER NOT NULL, campaign TEXT NOT NULL,"
            " event TEXT NOT NULL, detail TEXT NOT NULL);"
            "INSERT INTO audit(at_utc, campaign, event, detail) VALUES(100, 'test', 'response', 'old entry');"
            "INSERT INTO campaigns(id, enrolled_at) VALUES('test', 50);"
            "UPDATE meta SET value = '1' WHERE key = 'schema_version';";
        REQUIRE(sqlite3_exec(db, downgrade, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    Journal migrated(file);
    CHECK(migrated.enrolled_at("test") == Instant{std::chrono::seconds{50}});
    {
        // Version 3: each delivery records its language and enclosures.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, "SELECT language, attachments FROM deliveries", nullptr, nullptr, nullptr) == SQLITE_OK);
        CHECK(sqlite3_exec(db, "SELECT 1 FROM enclosures", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_stmt* version = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &version, nullptr) ==
                SQLITE_OK);
        REQUIRE(sqlite3_step(version) == SQLITE_ROW);
        CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(version, 0))) == "3");
        sqlite3_finalize(version);
        sqlite3_close(db);
    }
    const auto trail = migrated.audit_trail("test");
    REQUIRE(trail.size() == 1);
    CHECK(trail.front().detail == "old entry");
    CHECK(trail.front().actor.empty());
    migrated.pause(PauseRecord{"test", Instant{std::chrono::seconds{200}}, std::nullopt, "alice", "note"});
    migrated.audit(Instant{std::chrono::seconds{200}}, "test", "pause", "paused", "alice");
    CHECK(migrated.pause_of("test")->by == "alice");
    CHECK(migrated.audit_trail("test").back().actor == "alice");
    CHECK(migrated.resume("test"));
    CHECK_FALSE(migrated.pause_of("test"));

    // A journal of a newer version is refused, untouched.
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "UPDATE meta SET value = '9' WHERE key = 'schema_version';", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    CHECK_THROWS_WITH(Journal(file), Catch::Contains("journal schema version 9, this outreach uses 3"));
}

TEST_CASE("the content hash covers template - params and roster - not responses", "[control][approval]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), season());
    Campaign& campaign = runtime->campaigns.front();
    const Step& step = *campaign.step("invitation");
    const std::string original = approval_content_hash(campaign, step);
    CHECK(original.size() == 64);
    CHECK(approval_content_hash(campaign, step) == original);  // stable

    campaign.config.params.insert_or_assign("signatory", "Under-Secretary-General");
    const std::string with_params = approval_content_hash(campaign, step);
    CHECK(with_params != original);

    write_file(dir / "templates/fixed/letter.mustache", "Subject: {{step_id}}\n\nAnother text.\n");
    const std::string with_template = approval_content_hash(campaign, step);
    CHECK(with_template != with_params);

    auto states = std::vector<State>(campaign.roster.states().begin(), campaign.roster.states().end());
    states[1].addressees[0].email = "new.fm.fra@example.org";
    campaign.roster = Roster(states);
    CHECK(approval_content_hash(campaign, step) != with_template);
}
