// Responses end to end: `respond` checks and records them, `status` and
// `history` read them back, response scripts replay them in `simulate`, and the
// treaty_event campaign reacts (no reminders to responders, acknowledgements,
// signing slots for exactly the intents).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "journal/journal.hpp"
#include "delivery/message.hpp"
#include "journal/response_recording.hpp"
#include "journal/response_script.hpp"
#include "cli_runner.hpp"
#include "test_support.hpp"
#include "time/business_calendar.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {

const std::string kRepo = OUTREACH_SOURCE_DIR;
const std::string kConfig = "-c " + kRepo + "/config/outreach.toml";
const std::string kZone = "America/New_York";
const std::string kCrpd = "Convention on the Rights of Persons with Disabilities";

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string collapse_spaces(const std::string& text) {
    return std::regex_replace(text, std::regex("\\s+"), " ");
}

// The shipped runtime with focus2007 only (other campaigns' plugins may be missing here).
std::unique_ptr<Runtime> focus2007_runtime() {
    Diagnostics diagnostics;
    auto runtime = load_runtime(std::filesystem::path(kRepo) / "config/outreach.toml", diagnostics);
    REQUIRE(runtime->campaign("focus2007"));
    std::erase_if(runtime->campaigns, [](const Campaign& c) { return c.id() != "focus2007"; });
    return runtime;
}

// A runtime over small_roster() (CIV, FRA, CHL) with one kind of each payload.
std::unique_ptr<Runtime> kinds_runtime(const ScratchDir& dir) {
    Workflow workflow;
    workflow.milestones = {{"start", make_date(2007, 5, 1), false, ""}};
    workflow.values.lists["treaties"] = {kCrpd};
    using P = ResponseKind::Payload;
    return make_runtime(dir.path(), workflow,
                        {{"intends_to_sign", "", P::Treaty},
                         {"will_speak", "", P::Pillar},
                         {"declined", "", P::Note},
                         {"will_attend", "", P::None}});
}

std::vector<std::string> refusal_fields(const std::function<void()>& call) {
    try {
        call();
    } catch (const ResponseRefused& refused) {
        std::vector<std::string> fields;
        for (const auto& p : refused.problems()) fields.push_back(p.field);
        return fields;
    }
    return {};
}

}  // namespace

TEST_CASE("validate_response checks State, kind and payload", "[responses]") {
    ScratchDir dir;
    const auto runtime = kinds_runtime(dir);
    const Campaign& c = runtime->campaigns.front();
    const Instant at = to_instant(make_date(2007, 6, 15), {9, 0}, kZone);

    SECTION("accepted forms") {
        auto v = validate_response(c, "fra", "intends_to_sign", {"convention on the rights of persons with disabilities", "", "by note"}, at, at);
        CHECK(v.response.state == "FRA");
        CHECK(v.response.payload == kCrpd);  // the highlighted spelling
        CHECK(v.note == "by note");
        CHECK(v.warnings.empty());
        CHECK(validate_response(c, "Côte d'Ivoire", "will_speak", {"", "2", ""}, at, at).response.payload == "II");
        CHECK(validate_response(c, "CHL", "will_speak", {"", "iv", ""}, at, at).response.payload == "IV");
        v = validate_response(c, "CHL", "declined", {"", "", "not this year"}, at, at);
        CHECK(v.response.payload == "not this year");
        CHECK(v.note.empty());
        CHECK(validate_response(c, "CHL", "declined", {}, at, at).response.payload.empty());
        v = validate_response(c, "CHL", "intends_to_sign", {"Some Other Treaty", "", ""}, at, at);
        CHECK(v.response.payload == "Some Other Treaty");
        REQUIRE(v.warnings.size() == 1);
        CHECK_THAT(v.warnings[0], Catch::Contains("not one of the treaties highlighted"));
    }
    SECTION("refusals name the field") {
        CHECK(refusal_fields([&] { validate_response(c, "Frnace", "will_attend", {}, at, at); }) ==
              std::vector<std::string>{"state"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "will_atend", {}, at, at); }) ==
              std::vector<std::string>{"kind"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "intends_to_sign", {}, at, at); }) ==
              std::vector<std::string>{"treaty"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "will_speak", {}, at, at); }) ==
              std::vector<std::string>{"pillar"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "will_speak", {"", "5", ""}, at, at); }) ==
              std::vector<std::string>{"pillar"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "will_speak", {kCrpd, "1", ""}, at, at); }) ==
              std::vector<std::string>{"treaty"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "will_attend", {kCrpd, "1", ""}, at, at); }) ==
              std::vector<std::string>{"treaty", "pillar"});
        CHECK(refusal_fields([&] { validate_response(c, "FRA", "declined", {"", "3", ""}, at, at); }) ==
              std::vector<std::string>{"pillar"});
        CHECK(refusal_fields([&] {
                  validate_response(c, "FRA", "will_attend", {}, at + std::chrono::minutes(2), at);
              }) == std::vector<std::string>{"at"});
        // Every problem at once.
        CHECK(refusal_fields([&] { validate_response(c, "XXX", "nope", {}, at + std::chrono::hours(1), at); }) ==
              std::vector<std::string>{"state", "kind", "at"});
        try {
            validate_response(c, "Frnace", "will_atend", {}, at, at);
            FAIL("refused expected");
        } catch (const ResponseRefused& refused) {
            CHECK_THAT(refused.what(), Catch::Contains("unknown State 'Frnace' (did you mean 'France'?)"));
            CHECK_THAT(refused.what(), Catch::Contains("did you mean 'will_attend'?"));
            CHECK_THAT(refused.what(), Catch::Contains("intends_to_sign, will_speak, declined, will_attend"));
        }
    }
    SECTION("a script date may lie in the future") {
        CHECK_NOTHROW(validate_response(c, "FRA", "will_attend", {}, at + std::chrono::hours(24 * 365), std::nullopt));
    }
}

TEST_CASE("respond and status round trip through the CLI", "[responses]") {
    ScratchDir dir;
    const std::string state_dir = " --state-dir " + quoted(dir.path());
    auto r = run_outreach(kConfig + " respond focus2007 FRA intends_to_sign --treaty '" + kCrpd +
                          "' --at 2007-06-15 --note 'Note verbale of 14 June'" + state_dir);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("Recorded for focus2007 (response 1): France (FRA) intends_to_sign (" + kCrpd +
                                         ") on 2007-06-15 09:00 EDT"));
    CHECK(std::filesystem::exists(dir / "journal.sqlite.wake"));  // the daemon re-plans on it

    r = run_outreach(kConfig + " respond focus2007 'Norway' declined --note 'not this year' --at 2007-07-10T14:30" +
                     state_dir);
    REQUIRE(r.exit_code == 0);
    // Recording the same response again adds nothing.
    r = run_outreach(kConfig + " respond focus2007 fra intends_to_sign --treaty '" + kCrpd + "' --at 2007-06-15" + state_dir);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("Already recorded"));
    {
        Journal journal(dir / "journal.sqlite");
        const auto records = journal.responses("focus2007");
        REQUIRE(records.size() == 2);
        CHECK(records[0].note == "Note verbale of 14 June");
        CHECK(records[1].response.payload == "not this year");
        CHECK(records[1].response.at == to_instant(make_date(2007, 7, 10), {14, 30}, kZone));
    }

    r = run_outreach(kConfig + " status focus2007 --format json --as-of 2007-07-01" + state_dir, false);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto json = nlohmann::json::parse(r.output);
    REQUIRE(json["campaigns"].size() == 1);
    auto c = json["campaigns"][0];
    CHECK(c["states"] == 195);
    CHECK(c["responded"] == 1);  // Norway answers on 10 July, after the status instant
    CHECK(c["responses_by_kind"]["intends_to_sign"] == 1);
    CHECK(c["responses_by_kind"]["declined"] == 0);
    CHECK(c["not_responded"]["count"] == 194);
    CHECK(c["next_deadline"]["id"] == "notification_deadline");
    CHECK(c["next_deadline"]["date"] == "2007-09-01");
    CHECK(c["next_step"]["step"] == "deadline_reminder_60");
    CHECK(c["next_step"]["due_local"] == "2007-07-03 09:00 EDT");
    CHECK(c["next_step"]["recipients"] == 193);  // France answered: not reminded; South Sudan joined in 2011

    r = run_outreach(kConfig + " status focus2007 --as-of 2007-08-01" + state_dir);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("intends_to_sign 1"));
    CHECK_THAT(r.output, Catch::Contains("declined 1"));
    CHECK_THAT(r.output, Catch::Contains("not responded  193: AFG AGO ALB"));
    CHECK_THAT(r.output, Catch::Contains("next deadline  2007-09-01 notification_deadline"));

    r = run_outreach(kConfig + " history focus2007 --state NOR" + state_dir);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("2007-07-10 14:30 EDT"));
    CHECK_THAT(r.output, Catch::Contains("response declined (\"not this year\")"));
    CHECK_THAT(r.output, !Catch::Contains("FRA"));
}

TEST_CASE("respond refuses bad responses with a clear message", "[responses]") {
    ScratchDir dir;
    const std::string state_dir = " --state-dir " + quoted(dir.path());
    struct Case {
        std::string name, args, expected;
    };
    const std::vector<Case> cases{
        {"unknown campaign", "focus2070 FRA declined", "no campaign 'focus2070'"},
        {"unknown State", "focus2007 Frnace declined", "state: unknown State 'Frnace' (did you mean 'France'?)"},
        {"unknown kind", "focus2007 FRA intends_to_sing --treaty X",
         "kind: unknown response kind 'intends_to_sing' (did you mean 'intends_to_sign'?); treaty_event takes "
         "intends_to_sign, intends_to_ratify, intends_to_accede, declined"},
        {"missing treaty", "focus2007 FRA intends_to_ratify", "--treaty: response kind 'intends_to_ratify' needs the treaty"},
        {"payload not taken", "focus2007 FRA declined --treaty '" + kCrpd + "'",
         "--treaty: response kind 'declined' takes a note, not a treaty"},
        {"pillar not taken", "focus2007 FRA intends_to_sign --treaty '" + kCrpd + "' --pillar 2",
         "--pillar: response kind 'intends_to_sign' takes a treaty, not a pillar"},
        {"in the future", "focus2007 FRA declined --at 2999-01-01", "--at: 2999-01-01 09:00 EST is in the future"},
        {"malformed --at", "focus2007 FRA declined --at 2007-13-01", "--at: '2007-13-01' is not a date"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            const auto r = run_outreach(kConfig + " respond " + c.args + state_dir);
            INFO(r.output);
            CHECK(r.exit_code == 1);
            CHECK_THAT(r.output, Catch::Contains(c.expected));
            CHECK_FALSE(std::filesystem::exists(dir / "journal.sqlite.wake"));
        }
    }
    SECTION("State outside the campaign's roster") {
        write_file(dir / "cfg/outreach.toml", "templates = \"" + kRepo + "/config/templates\"\njournal = \"journal.sqlite\"\n");
        std::string campaign = read_text(kRepo + "/config/campaigns/focus2007.toml");
        campaign = std::regex_replace(campaign, std::regex("file = \"\\.\\./rosters/un-states\\.toml\""),
                                      "file = \"" + kRepo + "/config/rosters/un-states.toml\"\nexclude = [\"FRA\"]");
        write_file(dir / "cfg/campaigns/focus2007.toml", campaign);
        const auto r = run_outreach("-c " + quoted(dir / "cfg/outreach.toml") + " respond focus2007 France declined" + state_dir);
        INFO(r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Catch::Contains("France (FRA) is not in the roster of campaign 'focus2007'"));
    }
    SECTION("a treaty that is not highlighted is recorded with a warning") {
        const auto r = run_outreach(kConfig + " respond focus2007 FRA intends_to_sign --treaty 'Ottawa Convention' --at 2007-06-01" + state_dir);
        INFO(r.output);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, Catch::Contains("warning: treaty 'Ottawa Convention' is not one of the treaties highlighted"));
    }
}

TEST_CASE("Focus 2007 season with the example response script", "[responses][season]") {
    ScratchDir dir;
    const std::string script = kRepo + "/config/responses/focus2007-responses.toml";
    const std::string args = kConfig + " simulate --from 2007-01-01 --to 2007-12-31 --campaign focus2007 --summary"
                                       " --responses " + script + " --state-dir " + quoted(dir.path());
    auto r = run_outreach(args);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Matches("[\\s\\S]*2007-06-15 16:30 EDT  focus2007 +response +DEU intends_to_sign[\\s\\S]*"));
    CHECK_THAT(r.output, Catch::Contains("13 scripted responses recorded"));

    const auto runtime = focus2007_runtime();
    Diagnostics errors;
    const ResponseScript expected = load_response_script(script, *runtime, errors);
    for (const auto& e : errors) UNSCOPED_INFO(e.format());
    REQUIRE(errors.empty());
    REQUIRE(expected.responses.size() == 13);

    Journal journal(dir / "journal.sqlite");
    REQUIRE(journal.responses("focus2007").size() == 13);
    std::map<std::string, Instant> first_answer;  // State -> its first response
    std::set<std::string> declined;
    for (const auto& s : expected.responses) {
        const Response& resp = s.validated.response;
        first_answer.emplace(resp.state, resp.at);
        if (resp.kind == "declined") declined.insert(resp.state);
    }

    const Instant deadline = start_of_day(make_date(2007, 9, 1), kZone);
    std::map<std::string, std::set<std::string>> reminded;  // step -> States
    std::multiset<std::pair<std::string, Instant>> acknowledgements;  // (State, when)
    std::set<std::string> event_reminded;
    std::string slots_key;
    for (const auto& d : journal.deliveries("focus2007")) {
        const auto& l = d.letter;
        if (l.step.rfind("deadline_reminder_", 0) == 0) {
            CHECK(l.scheduled < deadline);  // nothing after the deadline
            reminded[l.step].insert(l.state);
            if (const auto it = first_answer.find(l.state); it != first_answer.end()) {
                INFO(l.state << " reminded by " << l.step << " after answering");
                CHECK(l.scheduled < it->second);  // responders are never reminded after their response
            }
        }
        if (l.step.rfind("acknowledgement_", 0) == 0) acknowledgements.emplace(l.state, l.scheduled);
        if (l.step == "event_reminder") event_reminded.insert(l.state);
        if (l.step == "arrange_signing_slots") slots_key = l.idempotency_key;
    }
    // Non-responders get every reminder; e.g. Brazil (10 July) got the first one only.
    // 194 States in 2007: South Sudan joined in 2011.
    CHECK(reminded["deadline_reminder_60"].size() == 194 - 6);
    CHECK(reminded["deadline_reminder_30"].size() == 194 - 9);
    CHECK(reminded["deadline_reminder_14"].size() == 194 - 11);
    CHECK(reminded["deadline_reminder_60"].count("BRA"));
    CHECK_FALSE(reminded["deadline_reminder_30"].count("BRA"));

    // One acknowledgement the day after each intent (or the next working day), at
    // 09:00, to that State only.
    std::multiset<std::pair<std::string, Instant>> expected_acks;
    std::set<std::string> expected_slots;
    const std::map<std::string, std::string> action{
        {"intends_to_sign", "sign"}, {"intends_to_ratify", "ratify"}, {"intends_to_accede", "accede"}};
    for (const auto& s : expected.responses) {
        const Response& resp = s.validated.response;
        if (!action.count(resp.kind)) continue;
        const Date next_day = local_date(resp.at, kZone) + Days{1};
        const auto working = roll_to_working_day(*runtime->campaigns.front().calendar, next_day, RollDirection::Forward, {}, {});
        REQUIRE(working);
        expected_acks.emplace(resp.state, to_instant(*working, {9, 0}, kZone));
        expected_slots.insert(runtime->campaigns.front().roster.find(resp.state)->name + " — " + resp.payload + " (" +
                              action.at(resp.kind) + ")");
    }
    CHECK(expected_acks.size() == 11);
    CHECK(acknowledgements == expected_acks);

    // The event reminder skips the States that declined.
    CHECK(event_reminded.size() == 194 - declined.size());  // 194 States in 2007
    for (const auto& code : declined) CHECK_FALSE(event_reminded.count(code));

    // The signing-slot task lists exactly the intents.
    REQUIRE_FALSE(slots_key.empty());
    std::string task;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "outbox/new")) {
        const std::string text = read_text(entry.path());
        if (text.find(slots_key) != std::string::npos) task = collapse_spaces(parse_message(text).body);
    }
    REQUIRE_FALSE(task.empty());
    CHECK_THAT(task, Catch::Contains("10 States notified 11 treaty actions (4 signatures, 5 ratifications, 2 accessions)"));
    for (const auto& slot : expected_slots) CHECK_THAT(task, Catch::Contains("- " + slot));
    const auto list_start = task.find("Arrange a slot for each:");
    const auto list_end = task.find("For each notifying State:");
    REQUIRE(list_start != std::string::npos);
    std::size_t entries = 0;
    for (auto at = task.find(" - ", list_start); at != std::string::npos && at < list_end; at = task.find(" - ", at + 1))
        ++entries;
    CHECK(entries == expected_slots.size());
    CHECK(task.find("Norway") == std::string::npos);

    // Re-running on the same directory records and sends nothing new.
    r = run_outreach(args);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("0 scripted responses recorded; 13 already recorded earlier"));
    CHECK_THAT(r.output, Catch::Contains("0 letters and 0 tasks delivered"));
    CHECK(journal.responses("focus2007").size() == 13);
}

TEST_CASE("a response script with errors reports each with file:line:column and field", "[responses]") {
    ScratchDir dir;
    const auto file = dir / "bad-responses.toml";
    write_file(file,
               "campaign = \"focus2007\"\n"                       // 1
               "[[response]]\n"                                   // 2
               "stat = \"FRA\"\n"                                 // 3
               "kind = \"declined\"\n"                            // 4
               "date = 2007-06-01\n"                              // 5
               "[[response]]\n"                                   // 6
               "state = \"FRA\"\n"                                // 7
               "kind = \"intends_to_sing\"\n"                     // 8
               "date = 2007-06-01\n"                              // 9
               "[[response]]\n"                                   // 10
               "state = \"Frnace\"\n"                             // 11
               "kind = \"intends_to_sign\"\n"                     // 12
               "date = \"first of June\"\n"                       // 13
               "[[response]]\n"                                   // 14
               "state = \"CHL\"\n"                                // 15
               "kind = \"intends_to_ratify\"\n"                   // 16
               "pillar = 2\n"                                     // 17
               "date = 2007-06-02\n"                              // 18
               "[[response]]\n"                                   // 19
               "campaign = \"focus207\"\n"                        // 20
               "state = \"CHL\"\n"                                // 21
               "kind = \"declined\"\n"                            // 22
               "date = 2007-06-02\n");                            // 23
    const auto r = run_outreach(kConfig + " simulate --from 2007-01-01 --to 2007-12-31 --campaign focus2007 --responses " +
                                quoted(file) + " --state-dir " + quoted(dir / "state"));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    const std::string f = file.string();
    CHECK_THAT(r.output, Catch::Contains(f + ":3:1: response[1].stat: unknown key 'stat' (did you mean 'state'?)"));
    CHECK_THAT(r.output, Catch::Contains(f + ":2:1: response[1].state: missing required key 'state'"));
    CHECK_THAT(r.output, Catch::Contains(f + ":8:8: response[2].kind: unknown response kind 'intends_to_sing' (did you "
                                             "mean 'intends_to_sign'?)"));
    CHECK_THAT(r.output, Catch::Contains(f + ":13:8: response[3].date: 'first of June' is not a date"));
    CHECK_THAT(r.output, Catch::Contains(f + ":17:10: response[4].pillar: response kind 'intends_to_ratify' takes a "
                                             "treaty, not a pillar"));
    CHECK_THAT(r.output, Catch::Contains(f + ":14:1: response[4].treaty: response kind 'intends_to_ratify' needs the treaty"));
    CHECK_THAT(r.output, Catch::Contains(f + ":20:12: response[5].campaign: no campaign with id 'focus207' (did you "
                                             "mean 'focus2007'?)"));
    CHECK_THAT(r.output, Catch::Contains("nothing simulated"));
    CHECK_FALSE(std::filesystem::exists(dir / "state/journal.sqlite"));
}
