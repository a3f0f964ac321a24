// The operator's desk (issue 10): `preview`, the reply report (`status --format
// csv` / `--by-state`), the calendar export (`plan --format ics`), `plan
// --state-dir`, decisions in `history`, local times in `run`, and the wording
// operators read. CSV and iCalendar are checked with independent parsers
// (Python's csv module, Debian's python3-icalendar).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <regex>
#include <sys/wait.h>

#include "cli_runner.hpp"
#include "journal/journal.hpp"
#include "test_support.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {

const std::string kRepo = OUTREACH_SOURCE_DIR;
const std::string kShippedConfig = "-c " + kRepo + "/config/outreach.toml";
const char* kPython = "/usr/bin/python3";

CliResult run_command(const std::string& command) {
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Runs `script` with Debian's Python on `input` (a file); its output is what it printed.
CliResult run_python(const ScratchDir& dir, const std::string& script, const std::filesystem::path& input) {
    write_file(dir / "check.py", script);
    return run_command(std::string(kPython) + " " + (dir / "check.py").string() + " " + input.string());
}

// The first half of the Focus 2007 season with its scripted replies, into `state`.
void simulate_focus2007(const std::filesystem::path& state, const std::string& to = "2007-07-15") {
    const auto r = run_outreach(kShippedConfig + " simulate --from 2007-05-01 --to " + to +
                                " --campaign focus2007 --summary --responses " + kRepo +
                                "/config/responses/focus2007-responses.toml --state-dir " + state.string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
}

std::string iso_date(std::chrono::sys_days day) { return format_date(day); }

}  // namespace

TEST_CASE("preview prints a letter decoded, as it will be sent", "[cli][preview]") {
    // Côte d'Ivoire: a non-ASCII name in the To header (RFC 2047) and the body (quoted-printable).
    const auto r = run_outreach(kShippedConfig + " preview focus2007 invitation CIV");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("as it will be sent 2007-05-09 09:00 EDT"));
    // Côte d'Ivoire corresponds in French (roster `language`).
    CHECK_THAT(r.output, Catch::Contains("To: Ministre des affaires étrangères – Côte d'Ivoire <"));
    CHECK_THAT(r.output, Catch::Contains("Subject: Focus 2007"));
    CHECK_THAT(r.output, Catch::Contains("Content-Language: fr"));
    CHECK_THAT(r.output, Catch::Contains("\nExcellence,\n"));
    CHECK_THAT(r.output, Catch::Contains("Je vous prie d'agréer, Excellence, les assurances de ma très haute\n"));
    CHECK_THAT(r.output, Catch::Contains("--- part 2: application/pdf, focus2007-invitation-CIV.pdf"));
    // Decoded: no encoded words, no soft line breaks or =XX escapes left.
    CHECK_THAT(r.output, !Catch::Contains("=?utf-8?") && !Catch::Contains("=C3") && !Catch::Contains("=\n"));
    // The address block: no honorific standing alone when the roster has no name.
    CHECK_THAT(r.output, !Catch::Contains("\nSon Excellence\n"));
    CHECK_THAT(r.output, Catch::Contains("Ministre des affaires étrangères\nCôte d'Ivoire\nYamoussoukro"));
}

TEST_CASE("preview explains unknown campaigns, steps, States, roles and occurrences", "[cli][preview]") {
    auto check = [](const std::string& args, const std::string& expected) {
        const auto r = run_outreach(kShippedConfig + " preview " + args);
        INFO(args << "\n" << r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Catch::Contains(expected));
    };
    check("focus207 invitation FRA", "did you mean 'focus2007'?");
    check("focus2007 invitaton FRA", "unknown step 'invitaton' (did you mean 'invitation'?)");
    check("focus2007 invitation Frnace", "unknown State 'Frnace' (did you mean 'France'?)");
    check("focus2007 invitation FRA --role foreign_ministr", "unknown role 'foreign_ministr' (did you mean 'foreign_minister'?)");
    check("focus2007 invitation FRA --occurrence 2007-05-10T09:00", "unknown occurrence '2007-05-10T09:00' (did you mean '2007-05-09T09:00'?)");
    check("focus2007 publish_booklet FRA", "is a task for staff: give 'staff'");
    CHECK(run_outreach(kShippedConfig + " preview focus2007").exit_code == 2);
}

TEST_CASE("preview --state-dir shows a delivered letter as it was sent", "[cli][preview]") {
    ScratchDir dir;
    simulate_focus2007(dir / "state");
    const auto r = run_outreach(kShippedConfig + " preview focus2007 invitation FRA --state-dir " + (dir / "state").string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("to FRA/foreign_minister, as sent (delivered"));
    CHECK_THAT(r.output, Catch::Contains("Message-ID: <"));
    CHECK_THAT(r.output, Catch::Contains("Je vous prie d'agréer, Excellence"));  // France corresponds in French
    // A staff task not sent yet in that journal is composed with its responses.
    const auto task = run_outreach(kShippedConfig + " preview focus2007 arrange_signing_slots staff --state-dir " +
                                   (dir / "state").string());
    INFO(task.output);
    REQUIRE(task.exit_code == 0);
    CHECK_THAT(task.output, Catch::Contains("composed now, with the"));
    // --state-dir never creates a journal.
    const auto missing = run_outreach(kShippedConfig + " preview focus2007 invitation FRA --state-dir " +
                                      (dir / "nothing").string());
    CHECK(missing.exit_code == 1);
    CHECK_FALSE(std::filesystem::exists(dir / "nothing"));
}

TEST_CASE("status --format csv is the reply report, RFC 4180, read back by Python's csv module", "[cli][status]") {
    ScratchDir dir;
    simulate_focus2007(dir / "state");
    {
        Journal journal(dir / "state/journal.sqlite");
        journal.add_response("focus2007", {"CIV", "intends_to_sign", "United Nations Convention against Corruption",
                                           Instant{std::chrono::sys_days{std::chrono::year{2007} / 7 / 2}} + std::chrono::hours(14)},
                             "Note verbale, 2 July: \"subject to\" approval\nsecond line", Instant{});
    }
    const auto r = run_outreach(kShippedConfig + " status focus2007 --format csv --as-of 2007-07-15 --state-dir " +
                                    (dir / "state").string(),
                                false);
    REQUIRE(r.exit_code == 0);
    write_file(dir / "report.csv", r.output);
    // Every record ends with CRLF; the note's own line break stays inside its quoted field.
    CHECK(r.output.substr(0, r.output.find('\n') + 1).ends_with("\r\n"));
    CHECK(r.output.ends_with("\r\n"));
    const auto parsed = run_python(dir,
                                   "import csv, sys\n"
                                   "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
                                   "    rows = list(csv.DictReader(f, strict=True))\n"
                                   "print('rows', len(rows))\n"
                                   "civ = [r for r in rows if r['code'] == 'CIV']\n"
                                   "print('civ', len(civ), repr(civ[0]['name']), repr(civ[0]['note']), civ[0]['kind'])\n"
                                   "fra = [r for r in rows if r['code'] == 'FRA'][0]\n"
                                   "print('fra', fra['kind'], fra['letters_sent'], fra['last_letter_date'], fra['response_date'])\n"
                                   "silent = [r for r in rows if r['kind'] == '']\n"
                                   "print('silent', len(silent), silent[0]['letters_sent'])\n",
                                   dir / "report.csv");
    INFO(parsed.output);
    REQUIRE(parsed.exit_code == 0);
    // 195 States, each one row, plus the responses beyond a State's first (none here).
    CHECK_THAT(parsed.output, Catch::Contains("rows 195"));
    CHECK_THAT(parsed.output,
               Catch::Contains("civ 1 \"Côte d'Ivoire\" 'Note verbale, 2 July: \"subject to\" approval\\nsecond line' "
                               "intends_to_sign"));
    // FRA got the invitation and the reminders before it answered on 5 June.
    CHECK_THAT(parsed.output, Catch::Matches("[\\s\\S]*fra intends_to_sign [1-9] 2007-0[5-7]-[0-9]{2} 2007-06-05[\\s\\S]*"));
    CHECK_THAT(parsed.output, Catch::Matches("[\\s\\S]*silent 1[0-9]{2} [1-9][\\s\\S]*"));

    const auto table = run_outreach(kShippedConfig + " status focus2007 --by-state --as-of 2007-07-15 --state-dir " +
                                    (dir / "state").string());
    INFO(table.output);
    REQUIRE(table.exit_code == 0);
    CHECK_THAT(table.output, Catch::Contains("code  name"));
    // One line per row, the note escaped onto it.
    CHECK_THAT(table.output, Catch::Contains("approval\\nsecond line"));
    CHECK_THAT(table.output, Catch::Contains("CIV   Côte d'Ivoire"));
}

TEST_CASE("plan --format ics is a valid iCalendar with stable UIDs and local times across DST", "[cli][plan][ics]") {
    ScratchDir dir;
    // Focus 2007 (EDT) and the counter-terrorism meeting of 4 December 2007 (EST).
    const std::string args = kShippedConfig + " plan --from 2007-01-01 --to 2007-12-31 --format ics";
    const auto first = run_outreach(args, false);
    const auto second = run_outreach(args, false);
    REQUIRE(first.exit_code == 0);
    REQUIRE(second.exit_code == 0);
    write_file(dir / "first.ics", first.output);
    write_file(dir / "second.ics", second.output);
    const auto json = nlohmann::json::parse(
        run_outreach(kShippedConfig + " plan --from 2007-01-01 --to 2007-12-31 --format json", false).output);
    std::size_t occurrences = 0, dated = 0;
    for (const auto& c : json["campaigns"]) {
        occurrences += c["occurrences"].size();
        for (const auto& m : c["milestones"])
            if (m.contains("date") && m["date"].get<std::string>().starts_with("2007")) ++dated;
            else if (m.contains("per_state"))
                for (const auto& [code, date] : m["per_state"].items()) dated += date.get<std::string>().starts_with("2007");
    }
    const auto parsed = run_python(
        dir,
        "import sys, datetime\n"
        "from icalendar import Calendar\n"
        "def load(p):\n"
        "    data = open(p, 'rb').read()\n"
        "    assert b'\\r\\n' in data and all(len(l) <= 75 for l in data.split(b'\\r\\n')), 'folding'\n"
        "    return Calendar.from_ical(data)\n"
        "a, b = load(sys.argv[1]), load(sys.argv[1].replace('first', 'second'))\n"
        "ev = a.walk('VEVENT')\n"
        "print('events', len(ev))\n"
        "print('stable', [str(e['UID']) for e in ev] == [str(e['UID']) for e in b.walk('VEVENT')])\n"
        "print('unique', len({str(e['UID']) for e in ev}) == len(ev))\n"
        "print('tzids', sorted({str(t['TZID']) for t in a.walk('VTIMEZONE')}))\n"
        "print('prodid', 'PRODID' in a, 'stamp', all('DTSTAMP' in e for e in ev))\n"
        "def start(uid):\n"
        "    return [e for e in ev if str(e['UID']).startswith(uid)][0].decoded('DTSTART')\n"
        "inv = start('focus2007/invitation/')\n"
        "ct = start('ct-strategy-2007/invitation/')\n"
        "for name, t in (('inv', inv), ('ct', ct)):\n"
        "    print(name, t.strftime('%Y-%m-%d %H:%M'), t.utcoffset().total_seconds() / 3600, t.astimezone(datetime.timezone.utc).strftime('%H:%M'))\n"
        "dl = [e for e in ev if 'notification_deadline' in str(e['UID'])][0]\n"
        "print('deadline', dl.decoded('DTSTART'), type(dl.decoded('DTSTART')).__name__)\n",
        dir / "first.ics");
    INFO(first.output.substr(0, 3000));
    INFO(parsed.output);
    REQUIRE(parsed.exit_code == 0);
    CHECK_THAT(parsed.output, Catch::Contains("events " + std::to_string(occurrences + dated) + "\n"));
    CHECK_THAT(parsed.output, Catch::Contains("stable True"));
    CHECK_THAT(parsed.output, Catch::Contains("unique True"));
    CHECK_THAT(parsed.output, Catch::Contains("tzids ['America/New_York']"));
    CHECK_THAT(parsed.output, Catch::Contains("prodid True stamp True"));
    // 09:00 local on both sides of the DST change: 13:00 UTC in May, 14:00 UTC in winter.
    CHECK_THAT(parsed.output, Catch::Contains("inv 2007-05-09 09:00 -4.0 13:00"));
    CHECK_THAT(parsed.output, Catch::Matches("[\\s\\S]*ct 2007-1[12]-[0-9]{2} 09:00 -5.0 14:00[\\s\\S]*"));
    CHECK_THAT(parsed.output, Catch::Contains("deadline 2007-09-01 date"));
}

TEST_CASE("plan --state-dir shows decisions and narrowed audiences, without creating anything", "[cli][plan]") {
    ScratchDir dir;
    simulate_focus2007(dir / "state", "2007-06-30");
    const auto r = run_outreach(kShippedConfig + " plan --from 2007-05-01 --to 2007-09-30 --campaign focus2007 --state-dir " +
                                (dir / "state").string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(std::regex_search(r.output, std::regex("2007-05-09 09:00 EDT +invitation +letter invitation +all States +194 +fired")));
    // After the simulation's end: pending, addressed only to those that had not answered.
    CHECK(std::regex_search(r.output, std::regex("2007-08-02 09:00 EDT +deadline_reminder_30 .* 1[0-9]{2} +pending")));
    CHECK_THAT(r.output, Catch::Contains("States that have not declined"));
    CHECK_THAT(r.output, !Catch::Contains("States matching"));

    const auto missing = run_outreach(kShippedConfig + " plan --from 2007-05-01 --to 2007-05-31 --state-dir " +
                                      (dir / "none").string());
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.output, Catch::Contains("no journal at"));
    CHECK_FALSE(std::filesystem::exists(dir / "none"));
}

TEST_CASE("history lists every decision, skipped and coalesced ones with their reason", "[cli][history]") {
    ScratchDir dir;
    simulate_focus2007(dir / "state", "2007-06-30");
    const auto at = [](int month, int day) {
        return Instant{std::chrono::sys_days{std::chrono::year{2007} / month / day}} + std::chrono::hours(13);
    };
    {
        // What a scheduler that was down records: one occurrence skipped, one coalesced.
        Journal journal(dir / "state/journal.sqlite");
        journal.decide({"focus2007", "deadline_reminder_60", "2007-07-03T09:00", at(7, 3), OccurrenceStatus::Skipped,
                        "missed by 3d 2h (grace 2d)", at(7, 6)});
        journal.decide({"focus2007", "publish_booklet", "2007-07-27T09:00", at(7, 27), OccurrenceStatus::Coalesced,
                        "into 2007-07-28T09:00", at(7, 29)});
    }
    const std::string history = kShippedConfig + " history focus2007 --state-dir " + (dir / "state").string();
    const auto r = run_outreach(history);
    INFO(r.output.substr(0, 4000));
    REQUIRE(r.exit_code == 0);
    CHECK(std::regex_search(r.output, std::regex("decision invitation 2007-05-09T09:00 .* fired\\n")));
    CHECK(std::regex_search(r.output, std::regex("decision deadline_reminder_60 2007-07-03T09:00 .* skipped \\(missed by 3d 2h \\(grace 2d\\)\\)")));
    CHECK(std::regex_search(r.output, std::regex("decision publish_booklet 2007-07-27T09:00 .* coalesced \\(into 2007-07-28T09:00\\)")));
    Journal journal(dir / "state/journal.sqlite");
    const auto decisions = journal.occurrences("focus2007").size();
    std::size_t listed = 0;
    for (std::size_t from = 0; (from = r.output.find(" decision ", from)) != std::string::npos; ++from) ++listed;
    CHECK(listed == decisions);
    // One State: its own per-State decisions and what was skipped or coalesced for everyone.
    const auto fra = run_outreach(history + " --state FRA");
    INFO(fra.output);
    CHECK_THAT(fra.output, Catch::Contains("decision deadline_reminder_60"));
    CHECK_THAT(fra.output, !Catch::Contains("decision invitation"));
}

TEST_CASE("run prints local times with their zone, and temporary failures as retries", "[cli][run]") {
    ScratchDir dir;
    using namespace std::chrono;
    const sys_days today = floor<days>(system_clock::now());
    // The invitation fell due yesterday: `run` fires it late, once; delivery to a
    // closed port fails temporarily.
    write_file(dir / "outreach.toml",
               "timezone = \"America/New_York\"\njournal = \"journal.sqlite\"\ntemplates = \"" + kRepo +
                   "/config/templates\"\n[sender]\nname = \"Treaty Section\"\nemail = \"ts@example.org\"\n"
                   "staff_email = \"staff@example.org\"\n[delivery]\nchannel = \"smtp\"\n"
                   "[delivery.smtp]\nhost = \"127.0.0.1\"\nport = 9\nsecurity = \"none\"\ntimeout_seconds = 5\n");
    write_file(dir / "campaigns/drive.toml",
               "id = \"drive\"\ntype = \"treaty_event\"\naddressees = [\"foreign_minister\"]\n[roster]\nfile = \"" + kRepo +
                   "/config/rosters/un-states.toml\"\ninclude = [\"FRA\"]\n[params]\ntitle = \"Drive\"\nsignatory = \"S\"\n"
                   "letter_date = " + iso_date(today - days{1}) + "\nnotification_deadline = " + iso_date(today + days{60}) +
                   "\nevent_dates = [[" + iso_date(today + days{90}) + ", " + iso_date(today + days{92}) + "]]\n");
    // Enrolled two days ago, as if `run` had been running since: yesterday's letter is due, late.
    Journal(dir / "journal.sqlite").enrol("drive", Instant{today - days{2}});
    const auto r = run_outreach("-c " + (dir / "outreach.toml").string() + " run");
    INFO(r.output);
    CHECK(r.exit_code == 4);
    CHECK(std::regex_search(r.output, std::regex("[0-9-]{10} 09:00 E[SD]T \\(America/New_York\\) +drive +invitation")));
    CHECK(std::regex_search(r.output, std::regex("0 letters, 1 will retry at [0-9-]{10} [0-9:]{5} E[SD]T \\(America/New_York\\)")));
    CHECK_THAT(r.output, !Catch::Contains("FAILED"));
    CHECK(std::regex_search(r.output, std::regex("next due: [0-9-]{10} [0-9:]{5} E[SD]T \\(America/New_York\\)")));
}

TEST_CASE("a missing default configuration names the directory and suggests -c", "[cli]") {
    ScratchDir dir;
    const auto r = run_command("cd " + dir.path().string() + " && " + OUTREACH_CLI + " validate");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("config/outreach.toml in " + dir.path().string()));
    CHECK_THAT(r.output, Catch::Contains("-c FILE"));
}

TEST_CASE("plan notes event dates derived from the General Assembly's rules", "[cli][plan]") {
    ScratchDir dir;
    write_file(dir / "outreach.toml", "templates = \"" + kRepo + "/config/templates\"\njournal = \"journal.sqlite\"\n");
    write_file(dir / "campaigns/derived.toml",
               "id = \"derived\"\ntype = \"treaty_event\"\n[roster]\nfile = \"" + kRepo +
                   "/config/rosters/un-states.toml\"\n[params]\ntitle = \"Focus 2008\"\nletter_date = 2008-05-09\n"
                   "signatory = \"Ban Ki-moon\"\n");
    const auto derived = run_outreach("-c " + (dir / "outreach.toml").string() + " plan --from 2008-01-01 --to 2008-12-31");
    INFO(derived.output);
    REQUIRE(derived.exit_code == 0);
    CHECK_THAT(derived.output, Catch::Contains("note: event dates"));
    CHECK_THAT(derived.output, Catch::Contains("derived from the General Assembly's rules"));
    const auto given = run_outreach(kShippedConfig + " plan --from 2007-01-01 --to 2007-12-31 --campaign focus2007");
    CHECK_THAT(given.output, Catch::Contains("as given in event_dates"));
}
