// Scheduler engine v2: per-State timelines, month offsets, hooks that see the
// firing, fixed and task audiences, the incremental planner, batched Maildir
// delivery and what a hostile outbox cannot make it do.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "schedule/scheduler.hpp"
#include "scheduler_runner.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {


Instant local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) { return new_york(y, m, d, hh, mm); }

std::vector<FiringReport> simulate(Scheduler& scheduler, VirtualClock& clock, Instant to) {
    return run_until(scheduler, clock, to);
}

std::vector<Letter> letters_of(const std::vector<FiringReport>& reports, const std::string& step) {
    std::vector<Letter> out;
    for (const auto& r : reports)
        if (r.occurrence.step->id == step) out.insert(out.end(), r.delivered.begin(), r.delivered.end());
    return out;
}

// Reports due per State: CIV on 31 March 2010 (reminder a month before clamps to
// 28 February), FRA on 15 June 2010; CHL owes nothing.
Workflow reporting_season() {
    Workflow wf;
    Milestone due{"report_due", {}, true, "report due"};
    due.per_state = {{"CIV", make_date(2010, 3, 31)}, {"FRA", make_date(2010, 6, 15)}};
    wf.milestones = {{"start", make_date(2010, 1, 4), false, "start"}, due,
                     {"end", make_date(2012, 1, 1), true, "campaign ends"}};
    Step reminder = letter_step("reminder", AtTrigger{"report_due", Offset::in_months(-1), {9, 0}});
    reminder.valid_until = "report_due";
    reminder.until_response = "report_submitted";
    wf.steps.push_back(reminder);
    Step overdue = letter_step("overdue", AtTrigger{"report_due", Offset::in_months(1), {9, 0}});
    overdue.until_response = "report_submitted";
    wf.steps.push_back(overdue);
    Step escalation = letter_step(
        "escalation", EveryTrigger{"FREQ=MONTHLY;INTERVAL=6", "report_due", Offset::in_months(7), "end", {9, 0}});
    escalation.valid_until = "end";
    escalation.until_response = "report_submitted";
    wf.steps.push_back(escalation);
    return wf;
}

const std::vector<ResponseKind> kReportKinds{{"report_submitted", "submitted", ResponseKind::Payload::None}};

}  // namespace

TEST_CASE("month offsets clamp to the end of the month, then add days", "[engine]") {
    CHECK(apply_offset(make_date(2009, 1, 31), Offset::in_months(1)) == make_date(2009, 2, 28));
    CHECK(apply_offset(make_date(2008, 1, 31), Offset::in_months(1)) == make_date(2008, 2, 29));
    CHECK(apply_offset(make_date(2010, 3, 31), Offset::in_months(-1)) == make_date(2010, 2, 28));
    CHECK(apply_offset(make_date(2010, 12, 15), Offset::in_months(2)) == make_date(2011, 2, 15));
    Offset both = Offset::in_months(-3);
    both.days = Days{-2};
    CHECK(apply_offset(make_date(2010, 5, 31), both) == make_date(2010, 2, 26));
    CHECK(apply_offset(make_date(2010, 5, 31), Days{-14}) == make_date(2010, 5, 17));
}

TEST_CASE("a per-State milestone gives each State its own occurrences, keys and deadline", "[engine]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), reporting_season(), kReportKinds);
    const auto occurrences = expand_occurrences(runtime->campaigns[0], {});
    std::map<std::string, std::vector<const PlannedOccurrence*>> by_step;
    for (const auto& o : occurrences) by_step[o.step->id].push_back(&o);
    REQUIRE(by_step["reminder"].size() == 2);  // CHL has no due date
    const auto& civ = *by_step["reminder"][0];
    CHECK(civ.id == "CIV@2010-02-28T09:00");
    CHECK(civ.only_state == "CIV");
    REQUIRE(civ.valid_until);
    CHECK(*civ.valid_until == local(2010, 3, 31));  // CIV's own due date, not FRA's
    CHECK(*by_step["reminder"][1]->valid_until == local(2010, 6, 15));
    // Escalations every 6 months from 7 months after each due date, until the end.
    std::size_t civ_escalations = 0;
    for (const auto* o : by_step["escalation"]) {
        if (o->only_state == "CIV") {
            CHECK(o->index == civ_escalations);
            ++civ_escalations;
        }
        CHECK(o->due < local(2012, 1, 1));
    }
    // 31 Oct 2010 and 31 Oct 2011: RFC 5545 skips the invalid 31 April.
    CHECK(civ_escalations == 2);

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2010, 1, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto reports = simulate(scheduler, clock, local(2012, 6, 1));
    const auto reminders = letters_of(reports, "reminder");
    REQUIRE(reminders.size() == 2);
    std::set<std::string> keys;
    for (const auto& l : reminders) {
        keys.insert(l.idempotency_key);
        CHECK(l.idempotency_key.find(l.state + "@") != std::string::npos);
    }
    CHECK(keys.size() == 2);
    CHECK(letters_of(reports, "overdue").size() == 2);
    CHECK(letters_of(reports, "escalation").size() == 2 + 2);  // FRA: 15 Jan and 15 Jul 2011
    for (const auto& r : reports)
        for (const auto& l : r.delivered) CHECK(l.state != "CHL");
}

TEST_CASE("a per-State deadline stops only that State, and a stop response ends its series", "[engine]") {
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), reporting_season(), kReportKinds);
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2010, 1, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();  // enrol
    // FRA submits on 1 August 2010: after its overdue letter, before any escalation.
    journal.add_response("test", Response{"FRA", "report_submitted", "", local(2010, 8, 1, 12, 0)}, "", local(2010, 8, 1));
    const auto reports = simulate(scheduler, clock, local(2012, 6, 1));
    std::size_t fra_escalations = 0, civ_escalations = 0, skipped_for_answer = 0;
    for (const auto& r : reports) {
        if (r.occurrence.step->id != "escalation") continue;
        if (r.status == OccurrenceStatus::Skipped && r.reason.find("has answered") != std::string::npos)
            ++skipped_for_answer;
        for (const auto& l : r.delivered) (l.state == "FRA" ? fra_escalations : civ_escalations)++;
    }
    CHECK(fra_escalations == 0);
    CHECK(civ_escalations == 2);
    CHECK(skipped_for_answer == 2);  // each of FRA's escalations, decided and recorded
    CHECK(letters_of(reports, "overdue").size() == 2);
}

namespace {

// Records what its hooks were shown and feeds it into the letters.
struct HookData {
    std::string note;
};

class HookType final : public CampaignType {
public:
    std::string name() const override { return "fixed"; }
    std::string description() const override { return "hooks"; }
    std::vector<OptionSpec> options() const override { return {}; }
    Workflow build_workflow(const CampaignContext&) const override {
        Workflow wf;
        wf.milestones = {{"start", make_date(2010, 1, 4), false, "start"}, {"end", make_date(2010, 4, 1), true, "end"}};
        Step monthly = letter_step("monthly", EveryTrigger{"FREQ=MONTHLY", "start", Days{0}, "end", {9, 0}},
                                   Audience::matching("second_call_only_chl"));
        monthly.action = LetterAction{"hooks", {}};
        wf.steps.push_back(monthly);
        Step fixed = letter_step("to_france", AtTrigger{"start", Days{1}, {9, 0}}, Audience::fixed({"FRA"}));
        wf.steps.push_back(fixed);
        Step task;
        task.id = "who_is_silent";
        task.trigger = AtTrigger{"start", Days{2}, {9, 0}};
        task.audience = Audience::without_response();
        task.action = TaskAction{"audience_task"};
        wf.steps.push_back(task);
        wf.data = std::make_shared<const HookData>(HookData{"kept since build_workflow"});
        return wf;
    }
    bool matches(const std::string& predicate, const State& state, const std::vector<Response>&,
                 const FiringContext& firing) const override {
        if (predicate != "second_call_only_chl") return CampaignType::matches(predicate, state, {}, firing);
        // Occurrence index 1 (the second monthly letter) goes to Chile alone.
        return firing.occurrence.index != 1 || state.code == "CHL";
    }
    TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>&) const override {
        TemplateValues v;
        v.scalars["seen_index"] = std::to_string(firing.occurrence.index);
        v.scalars["seen_now"] = format_local(firing.now, firing.campaign.timezone);
        v.scalars["seen_due"] = format_local(firing.occurrence.due, firing.campaign.timezone);
        v.scalars["seen_data"] = firing.data<HookData>().note;
        return v;
    }
    TemplateValues letter_values(const FiringContext&, const State& state, const std::vector<Response>&) const override {
        TemplateValues v;
        v.scalars["owed"] = state.code == "FRA" ? "2 reports" : "1 report";
        return v;
    }
};

}  // namespace

TEST_CASE("hooks see the occurrence, the clock and their data - fixed and task audiences", "[engine]") {
    ScratchDir dir;
    write_file(dir / "templates/fixed/hooks.mustache",
               "Subject: {{step_id}}\n\nindex {{seen_index}} due {{seen_due}} now {{seen_now}}; {{seen_data}}; "
               "you owe {{owed}}.\n");
    write_file(dir / "templates/fixed/audience_task.mustache",
               "Subject: silent\n\n{{audience_count}} silent:\n{{#audience_states}}- {{.}}\n{{/audience_states}}");
    auto runtime = make_runtime_of(dir.path(), std::make_shared<HookType>());
    // make_runtime_of writes no letter template: the fixed-audience step uses "letter".
    write_file(dir / "templates/fixed/letter.mustache", "Subject: {{step_id}}\n\nTo {{state_name}}.\n");
    Journal journal(dir / "journal.sqlite");
    journal.add_response("test", Response{"CIV", "any", "", local(2010, 1, 1)}, "", local(2010, 1, 1));
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2010, 1, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();
    clock.set(local(2010, 1, 4, 9, 30));  // half an hour late for the first monthly letter
    auto reports = scheduler.run_due();
    auto monthly = letters_of(reports, "monthly");
    REQUIRE(monthly.size() == 3);
    for (const auto& l : monthly) {
        CHECK_THAT(l.body, Catch::Contains("index 0 due 2010-01-04 09:00 EST now 2010-01-04 09:30 EST"));
        CHECK_THAT(l.body, Catch::Contains("kept since") && Catch::Contains("build_workflow;"));  // wrapped at 72
        CHECK_THAT(l.body, Catch::Contains(l.state == "FRA" ? "you owe 2 reports." : "you owe 1 report."));
    }
    const auto rest = simulate(scheduler, clock, local(2010, 4, 1));
    const auto second = [&] {
        std::vector<Letter> out;
        for (const auto& r : rest)
            if (r.occurrence.step->id == "monthly" && r.occurrence.index == 1) out = r.delivered;
        return out;
    }();
    REQUIRE(second.size() == 1);
    CHECK(second[0].state == "CHL");
    const auto to_france = letters_of(rest, "to_france");
    REQUIRE(to_france.size() == 1);
    CHECK(to_france[0].state == "FRA");
    const auto task = letters_of(rest, "who_is_silent");
    REQUIRE(task.size() == 1);
    CHECK(task[0].to_email == "staff@example.org");
    CHECK_THAT(task[0].body, Catch::Contains("2 silent:"));
    CHECK_THAT(task[0].body, Catch::Contains("- France (FRA)"));
    CHECK_THAT(task[0].body, Catch::Contains("- Chile (CHL)"));
    CHECK_THAT(task[0].body, !Catch::Contains("Ivoire"));
}

TEST_CASE("the planner expands once and picks up responses recorded by another process", "[engine]") {
    ScratchDir dir;
    Workflow wf;
    wf.milestones = {{"start", make_date(2010, 1, 4), false, "start"}};
    wf.steps.push_back(letter_step("invitation", AtTrigger{"start", Days{0}, {9, 0}}));
    wf.steps.push_back(letter_step("thanks", OnResponseTrigger{"accepted", Days{1}, {10, 0}}));
    auto runtime = make_runtime(dir.path(), wf, {{"accepted", "accepted", ResponseKind::Payload::None}});
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(local(2010, 1, 1));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();
    CHECK(scheduler.planner().planned() == 1);
    CHECK(scheduler.next_due() == local(2010, 1, 4, 9, 0));
    clock.set(local(2010, 1, 4, 9, 0));
    CHECK(letters_of(scheduler.run_due(), "invitation").size() == 3);
    CHECK_FALSE(scheduler.next_due());
    {
        Journal other(dir / "journal.sqlite");  // `outreach respond`, another connection
        other.add_response("test", Response{"FRA", "accepted", "", local(2010, 1, 5, 15, 0)}, "", local(2010, 1, 5));
    }
    CHECK(scheduler.next_due() == local(2010, 1, 6, 10, 0));
    CHECK(scheduler.planner().planned() == 2);
    clock.set(local(2010, 1, 6, 10, 0));
    const auto thanks = letters_of(scheduler.run_due(), "thanks");
    REQUIRE(thanks.size() == 1);
    CHECK(thanks[0].state == "FRA");
    CHECK(scheduler.planner().pending() == 0);
}

namespace {
Letter sample_letter(const std::string& key, int minute) {
    Letter l;
    l.idempotency_key = key;
    l.campaign = "c";
    l.step = "s";
    l.occurrence = "o";
    l.state = "FRA";
    l.scheduled = local(2010, 1, 4, 9, minute);
    l.from_name = "Treaty Section";
    l.from_email = "treaty@example.org";
    l.to_name = "Minister";
    l.to_email = "fm@example.org";
    l.subject = "Subject";
    l.body = "Excellency,\n";
    return l;
}
std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("Maildir batches: nothing is visible before publish, everything after", "[engine][maildir]") {
    ScratchDir dir;
    MaildirChannel outbox(dir / "outbox");
    for (int i = 0; i < 3; ++i)
        CHECK(outbox.stage(sample_letter("k" + std::to_string(i), i)).status == DeliveryResult::Status::Delivered);
    // The letters are written into tmp/ by the channel's work queue, meanwhile.
    CHECK(count_files(dir / "outbox/new") == 0);
    CHECK_FALSE(outbox.publish());
    CHECK(count_files(dir / "outbox/new") == 3);
    CHECK(count_files(dir / "outbox/tmp") == 0);
    CHECK(outbox.stage(sample_letter("k1", 1)).status == DeliveryResult::Status::AlreadyDelivered);
}

TEST_CASE("Maildir prepared letters: written ahead, visible only once staged and published", "[engine][maildir]") {
    ScratchDir dir;
    MaildirChannel outbox(dir / "outbox");
    for (int i = 0; i < 40; ++i) outbox.prepare(sample_letter("p" + std::to_string(i), i));
    for (int i = 0; i < 30; ++i)
        CHECK(outbox.stage(sample_letter("p" + std::to_string(i), i)).status == DeliveryResult::Status::Delivered);
    CHECK(count_files(dir / "outbox/new") == 0);
    CHECK_FALSE(outbox.publish());
    CHECK(count_files(dir / "outbox/new") == 30);
    // The ten prepared and never staged (say, the occurrence failed) are not letters.
    outbox.drop_prepared();
    CHECK(count_files(dir / "outbox/tmp") == 0);
    CHECK(count_files(dir / "outbox/new") == 30);
    const std::string name = outbox.file_name_for(sample_letter("p3", 3));
    CHECK_THAT(slurp(dir / "outbox/new" / name), Catch::Contains("Excellency"));
    CHECK(outbox.stage(sample_letter("p3", 3)).status == DeliveryResult::Status::AlreadyDelivered);
}

TEST_CASE("Maildir batch with a letter that cannot be built: nothing of it is published, the letter fails alone on retry",
          "[engine][maildir]") {
    ScratchDir dir;
    MaildirChannel outbox(dir / "outbox");
    Letter unbuildable = sample_letter("bad", 0);
    unbuildable.scheduled = Instant(std::chrono::seconds(400'000'000'000LL));  // year 12,000: no RFC 5322 date
    CHECK(outbox.stage(sample_letter("good", 1)).status == DeliveryResult::Status::Delivered);
    CHECK(outbox.stage(unbuildable).status == DeliveryResult::Status::Delivered);  // built later, on the queue
    const auto error = outbox.publish();
    REQUIRE(error);
    CHECK_THAT(*error, Catch::Contains("1 of the 2 letters") && Catch::Contains("bad"));
    CHECK(count_files(dir / "outbox/new") == 0);
    CHECK(count_files(dir / "outbox/tmp") == 0);
    // The scheduler retries each letter with deliver(): the good one goes, the bad one fails for good.
    CHECK(outbox.deliver(sample_letter("good", 1)).status == DeliveryResult::Status::Delivered);
    CHECK(outbox.deliver(unbuildable).status == DeliveryResult::Status::PermanentFailure);
    CHECK(count_files(dir / "outbox/new") == 1);
}

TEST_CASE("a hostile outbox: planted links and files are neither followed nor taken for letters", "[engine][maildir]") {
    ScratchDir dir;
    const Letter letter = sample_letter("campaign/step/occ/FRA/foreign_minister", 0);
    const std::string name = MaildirChannel(dir / "probe").file_name_for(letter);
    for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directories(dir / "outbox" / sub);
    const auto victim = dir / "victim.txt";
    write_file(victim, "precious");

    SECTION("a symlink in tmp/ under the letter's name") {
        std::filesystem::create_symlink(victim, dir / "outbox/tmp" / name);
        MaildirChannel outbox(dir / "outbox");
        CHECK(outbox.deliver(letter).status == DeliveryResult::Status::Delivered);
        CHECK(slurp(victim) == "precious");
        CHECK(std::filesystem::is_regular_file(std::filesystem::symlink_status(dir / "outbox/new" / name)));
    }
    SECTION("a dangling symlink in new/ does not count as sent, and creates nothing outside") {
        std::filesystem::create_symlink(dir / "outside-new.txt", dir / "outbox/new" / name);
        MaildirChannel outbox(dir / "outbox");
        CHECK(outbox.deliver(letter).status == DeliveryResult::Status::Delivered);
        CHECK_FALSE(std::filesystem::exists(dir / "outside-new.txt"));
        CHECK(std::filesystem::is_regular_file(std::filesystem::symlink_status(dir / "outbox/new" / name)));
        CHECK_THAT(slurp(dir / "outbox/new" / name), Catch::Contains("Excellency"));
    }
    SECTION("an empty file in new/ or cur/ does not count as sent") {
        write_file(dir / "outbox/cur" / (name + ":2,S"), "");
        write_file(dir / "outbox/new" / name, "");
        MaildirChannel outbox(dir / "outbox");
        CHECK(outbox.deliver(letter).status == DeliveryResult::Status::Delivered);
        CHECK_THAT(slurp(dir / "outbox/new" / name), Catch::Contains("Excellency"));
    }
    SECTION("a real letter already read (in cur/) counts as sent") {
        write_file(dir / "outbox/cur" / (name + ":2,S"), "From: someone\n\nbody\n");
        MaildirChannel outbox(dir / "outbox");
        CHECK(outbox.deliver(letter).status == DeliveryResult::Status::AlreadyDelivered);
    }
    SECTION("outbox directories others may write to are made private") {
        ::chmod((dir / "outbox/new").c_str(), 0777);
        MaildirChannel outbox(dir / "outbox");
        CHECK(outbox.deliver(letter).status == DeliveryResult::Status::Delivered);
        struct stat status {};
        REQUIRE(::stat((dir / "outbox/new").c_str(), &status) == 0);
        CHECK((status.st_mode & 0777) == 0700);
    }
    SECTION("an outbox directory that is a symlink is refused") {
        std::filesystem::remove_all(dir / "outbox/new");
        std::filesystem::create_directories(dir / "elsewhere");
        std::filesystem::create_directory_symlink(dir / "elsewhere", dir / "outbox/new");
        MaildirChannel outbox(dir / "outbox");
        const auto result = outbox.deliver(letter);
        CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
        CHECK_THAT(result.detail, Catch::Contains("symbolic link"));
        CHECK(std::filesystem::is_empty(dir / "elsewhere"));
    }
}
