// Working days (issue 10, item 1): the business calendar file, `calendar` in the
// config, `roll` per step, and the shipped seasons never writing on a weekend or
// a UN Headquarters holiday.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>

#include <sys/wait.h>

#include "cli_runner.hpp"
#include "../unit/hardening_support.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"
#include "time/business_calendar.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::hardening;
using outreach::test::run_outreach;
using namespace std::string_literals;

namespace {

const fs::path kShippedCalendar = kRepo / "config" / "calendars" / "un-headquarters.toml";

std::shared_ptr<const BusinessCalendar> load_text(const ScratchDir& dir, const std::string& text, Diagnostics& out) {
    const fs::path file = dir / "calendar.toml";
    write_bytes(file, text);
    return load_business_calendar(file, out);
}

const PlannedOccurrence* occurrence_of(const std::vector<PlannedOccurrence>& list, const std::string& step) {
    for (const auto& o : list)
        if (o.step->id == step) return &o;
    return nullptr;
}

std::string local_day(const Campaign& campaign, Instant instant) {
    return format_date(local_date(instant, campaign.timezone()));
}

// The shipped config with `extra` appended to focus2007.toml, loaded.
struct Focus2007 {
    ShippedCopy copy;
    std::unique_ptr<Runtime> runtime;
    Diagnostics diagnostics;
    const Campaign* campaign = nullptr;

    explicit Focus2007(const std::string& extra, const std::string& calendar_text = {}) {
        if (!calendar_text.empty()) {
            write_bytes(copy.config / "calendars" / "test.toml", calendar_text);
            ShippedCopy::edit(copy.campaign("focus2007"), "[roster]", "calendar = \"../calendars/test.toml\"\n\n[roster]");
        }
        write_bytes(copy.campaign("focus2007"), read_text(copy.campaign("focus2007")) + extra);
        runtime = load_runtime(copy.file(), diagnostics);
        campaign = runtime->campaign("focus2007");
    }
};

std::string run_python(const std::string& command) {
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out += "\nEXIT " + std::to_string(status);
    return out;
}

}  // namespace

TEST_CASE("the shipped UN Headquarters calendar loads and covers 2003 to 2032", "[calendar]") {
    Diagnostics diagnostics;
    const auto calendar = load_business_calendar(kShippedCalendar, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(calendar);
    CHECK(calendar->first_year <= 2003);
    CHECK(calendar->last_year >= 2032);
    CHECK_FALSE(calendar->is_working_day(make_date(2007, 8, 18)));  // Saturday
    CHECK_FALSE(calendar->is_working_day(make_date(2007, 9, 3)));   // Labour Day
    CHECK(calendar->closed_because(make_date(2007, 9, 3)) == "Labour Day");
    CHECK_FALSE(calendar->is_working_day(make_date(2020, 5, 26)));  // Eid al-Fitr, ST/IC/2019/23
    CHECK(calendar->is_working_day(make_date(2007, 8, 17)));
    for (int year = 2003; year <= 2032; ++year) {
        int in_year = 0;
        for (const auto& [date, name] : calendar->holidays)
            in_year += static_cast<int>(std::chrono::year_month_day{date}.year()) == year;
        INFO(year);
        CHECK(in_year >= 9);  // nine official holidays from 2016, ten before
    }
}

TEST_CASE("roll_to_working_day: forward, back, none, and bounds", "[calendar]") {
    ScratchDir dir;
    Diagnostics diagnostics;
    const auto calendar = load_text(dir,
                                    "weekend = [\"Saturday\", \"Sunday\"]\n"
                                    "[[year]]\nyear = 2007\nholidays = [ { date = \"2007-09-03\", name = \"Labour Day\" } ]\n",
                                    diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(calendar);
    const Date saturday = make_date(2007, 9, 1);
    CHECK(roll_to_working_day(*calendar, saturday, RollDirection::Forward, {}, {}) == make_date(2007, 9, 4));
    CHECK(roll_to_working_day(*calendar, saturday, RollDirection::Back, {}, {}) == make_date(2007, 8, 31));
    CHECK(roll_to_working_day(*calendar, saturday, RollDirection::None, {}, {}) == saturday);
    CHECK(roll_to_working_day(*calendar, make_date(2007, 8, 31), RollDirection::Back, {}, {}) == make_date(2007, 8, 31));
    CHECK_FALSE(roll_to_working_day(*calendar, saturday, RollDirection::Forward, {}, make_date(2007, 9, 3)));
    CHECK_FALSE(roll_to_working_day(*calendar, saturday, RollDirection::Back, make_date(2007, 9, 1), {}));
    CHECK(format_day_short(make_date(2007, 8, 18)) == "Sat 18 Aug");
}

TEST_CASE("calendar file errors name the file, line, column and field", "[calendar][hardening]") {
    ScratchDir dir;
    const std::string text =
        "name = \"Test\"\n"
        "weekend = [\"Saturday\", \"Sundy\"]\n"
        "colour = \"blue\"\n"
        "[[year]]\n"
        "year = 2007\n"
        "basis = \"guessed\"\n"
        "holidays = [\n"
        "  { date = \"2007-02-30\", name = \"Nonsense\" },\n"
        "  { date = \"2008-01-01\", name = \"Wrong year\" },\n"
        "  { date = \"2007-07-04\", name = \"Independence Day\" },\n"
        "  { date = \"2007-07-04\", name = \"Again\" },\n"
        "  { date = \"2007-12-25\", nam = \"Christmas Day\" },\n"
        "]\n"
        "[[year]]\n"
        "year = 2007\n";
    Diagnostics diagnostics;
    CHECK_FALSE(load_text(dir, text, diagnostics));
    INFO(dump(diagnostics));
    const auto check = [&](const std::string& field, const std::string& part, const std::string& at) {
        const Diagnostic* d = find(diagnostics, field, part);
        INFO(field << ": " << part);
        REQUIRE(d != nullptr);
        CHECK(d->file == dir / "calendar.toml");
        CHECK(std::pair(d->line, d->column) == position_of(text, at));
    };
    check("weekend[1]", "unknown day 'Sundy' (did you mean 'Sunday'?)", "\"Sundy\"");
    check("colour", "unknown key 'colour'", "colour");
    check("year[0].basis", "unknown basis 'guessed'", "\"guessed\"");
    check("year[0].holidays[0].date", "not a date: '2007-02-30'", "\"2007-02-30\"");
    check("year[0].holidays[1].date", "2008-01-01 is not in the year 2007", "\"2008-01-01\"");
    check("year[0].holidays[3].date", "duplicate holiday 2007-07-04 (first at line 10)", "\"2007-07-04\", name = \"Again");
    check("year[0].holidays[4].nam", "did you mean 'name'?", "nam =");
    check("year[0].holidays[4].name", "missing required key 'name'", "{ date = \"2007-12-25\"");
    const Diagnostic* twice = find(diagnostics, "year[1].year", "year 2007 is listed twice (first at line 5)");
    REQUIRE(twice != nullptr);
    CHECK(std::pair(twice->line, twice->column) == std::pair(15, 8));
}

TEST_CASE("`calendar` naming a missing file, a calendar with errors, or a bad roll: the campaign does not load",
          "[calendar][config][hardening]") {
    {
        ShippedCopy copy;
        ShippedCopy::edit(copy.campaign("focus2007"), "[roster]", "calendar = \"../calendars/nowhere.toml\"\n\n[roster]");
        Diagnostics diagnostics;
        const auto runtime = load_runtime(copy.file(), diagnostics);
        INFO(dump(diagnostics));
        const Diagnostic* d = find(diagnostics, "calendar", "does not exist");
        REQUIRE(d != nullptr);
        CHECK(d->file == copy.campaign("focus2007"));
        CHECK(d->line > 0);
        CHECK(runtime->campaign("focus2007") == nullptr);
        CHECK(runtime->campaign("focus2004") != nullptr);
    }
    {
        Focus2007 broken("", "[[year]]\nyear = 2007\nholidays = [ { date = \"2007-13-01\", name = \"X\" } ]\n");
        INFO(dump(broken.diagnostics));
        const Diagnostic* d = find(broken.diagnostics, "year[0].holidays[0].date", "not a date");
        REQUIRE(d != nullptr);
        CHECK(d->file == broken.copy.config / "calendars" / "test.toml");
        CHECK(d->line == 3);
        CHECK(broken.campaign == nullptr);
    }
    {
        Focus2007 bad_roll("\n[steps.deadline_reminder_14]\nroll = \"fowrard\"\n");
        INFO(dump(bad_roll.diagnostics));
        const Diagnostic* d = find(bad_roll.diagnostics, "steps.deadline_reminder_14.roll", "unknown roll rule 'fowrard'");
        REQUIRE(d != nullptr);
        CHECK_THAT(d->message, Catch::Contains("did you mean 'forward'?"));
        CHECK(bad_roll.campaign == nullptr);
    }
}

TEST_CASE("roll: a deadline reminder rolls back, `roll` overrides it, ids stay nominal", "[calendar][schedule]") {
    SECTION("default: the reminder bound to the deadline rolls back, Sat 18 Aug -> Fri 17 Aug") {
        Focus2007 f("");
        INFO(dump(f.diagnostics));
        REQUIRE(f.campaign);
        const auto list = expand_occurrences(*f.campaign, {});
        const PlannedOccurrence* reminder = occurrence_of(list, "deadline_reminder_14");
        REQUIRE(reminder);
        CHECK(reminder->id == "2007-08-18T09:00");  // the idempotency key keeps the nominal date
        CHECK(local_day(*f.campaign, reminder->nominal_due) == "2007-08-18");
        CHECK(local_day(*f.campaign, reminder->due) == "2007-08-17");
        CHECK(describe_roll(*reminder) == "Sat 18 Aug \u2192 Fri 17 Aug");
        CHECK(format_local(reminder->due, f.campaign->timezone()) == "2007-08-17 09:00 EDT");
        const PlannedOccurrence* invitation = occurrence_of(list, "invitation");
        REQUIRE(invitation);
        CHECK_FALSE(invitation->rolled());  // Wednesday 9 May 2007
    }
    SECTION("roll = forward: Monday 20 Aug, still before the deadline") {
        Focus2007 f("\n[steps.deadline_reminder_14]\nroll = \"forward\"\n");
        INFO(dump(f.diagnostics));
        REQUIRE(f.campaign);
        const PlannedOccurrence* reminder = occurrence_of(expand_occurrences(*f.campaign, {}), "deadline_reminder_14");
        REQUIRE(reminder);
        CHECK(local_day(*f.campaign, reminder->due) == "2007-08-20");
    }
    SECTION("roll = none: it stays on Saturday") {
        Focus2007 f("\n[steps.deadline_reminder_14]\nroll = \"none\"\n");
        REQUIRE(f.campaign);
        const PlannedOccurrence* reminder = occurrence_of(expand_occurrences(*f.campaign, {}), "deadline_reminder_14");
        REQUIRE(reminder);
        CHECK(local_day(*f.campaign, reminder->due) == "2007-08-18");
        CHECK_FALSE(reminder->rolled());
    }
    SECTION("a forward roll never reaches the deadline: with every later day closed it rolls back instead") {
        std::string holidays;
        for (int day = 20; day <= 31; ++day)
            holidays += "  { date = \"2007-08-" + std::to_string(day) + "\", name = \"Closed\" },\n";
        Focus2007 f("\n[steps.deadline_reminder_14]\nroll = \"forward\"\n",
                    "[[year]]\nyear = 2007\nholidays = [\n" + holidays + "]\n");
        INFO(dump(f.diagnostics));
        REQUIRE(f.campaign);
        const auto list = expand_occurrences(*f.campaign, {});
        const PlannedOccurrence* reminder = occurrence_of(list, "deadline_reminder_14");
        REQUIRE(reminder);
        CHECK(local_day(*f.campaign, reminder->due) == "2007-08-17");
        CHECK(reminder->roll_note.empty());
        for (const auto& o : list)
            if (o.valid_until) CHECK(o.due < *o.valid_until);
    }
    SECTION("with no working day between the campaign's start and its deadline, it stays and says why") {
        // Every day from the letter date (9 May, the first milestone: nothing is
        // rolled before it) to 31 August closed: neither way finds a working day.
        std::string holidays;
        for (Date d = make_date(2007, 5, 9); d <= make_date(2007, 8, 31); d += Days{1})
            holidays += "  { date = \"" + format_date(d) + "\", name = \"Closed\" },\n";
        Focus2007 f("", "[[year]]\nyear = 2007\nholidays = [\n" + holidays + "]\n");
        INFO(dump(f.diagnostics));
        REQUIRE(f.campaign);
        const PlannedOccurrence* reminder = occurrence_of(expand_occurrences(*f.campaign, {}), "deadline_reminder_14");
        REQUIRE(reminder);
        CHECK(local_day(*f.campaign, reminder->due) == "2007-08-18");
        CHECK_THAT(reminder->roll_note, Catch::Contains("no working day lies between 2007-05-09 and 2007-08-31"));
        const auto validate = run_outreach(f.copy.args() + " validate");
        CHECK_THAT(validate.output, Catch::Contains("warning: focus2007: deadline_reminder_14 2007-08-18T09:00: Sat 18 Aug 2007 is closed"));
    }
    SECTION("a back roll of a deadline reminder never lands on or after the deadline") {
        // The deadline (1 Sep) is a Saturday; with 31 Aug a holiday the 14-day
        // reminder's roll is unaffected, and every reminder stays before 1 Sep.
        Focus2007 f("", "[[year]]\nyear = 2007\nholidays = [ { date = \"2007-08-17\", name = \"Closed\" } ]\n");
        REQUIRE(f.campaign);
        const auto list = expand_occurrences(*f.campaign, {});
        const PlannedOccurrence* reminder = occurrence_of(list, "deadline_reminder_14");
        REQUIRE(reminder);
        CHECK(local_day(*f.campaign, reminder->due) == "2007-08-16");
        for (const auto& o : list)
            if (o.valid_until) CHECK(local_day(*f.campaign, o.due) < "2007-09-01");
    }
}

TEST_CASE("plan shows the shift in text and JSON", "[calendar][cli]") {
    const std::string config = "-c " + (kRepo / "config" / "outreach.toml").string();
    auto r = run_outreach(config + " plan --from 2007-08-01 --to 2007-08-31 --campaign focus2007");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("2007-08-17 09:00 EDT (Sat 18 Aug \u2192 Fri 17 Aug)"));
    r = run_outreach(config + " plan --from 2007-08-01 --to 2007-08-31 --campaign focus2007 --format json", false);
    CHECK_THAT(r.output, Catch::Contains("\"nominal_local\": \"2007-08-18 09:00 EDT\"") &&
                             Catch::Contains("\"due_local\": \"2007-08-17 09:00 EDT\""));
}

// Each shipped season simulated; every message's Date header, read in the
// campaign's zone, is checked by Python against the calendar file parsed with
// tomllib (not by the code under test).
TEST_CASE("the shipped seasons send no letter or task on a weekend or a UN Headquarters holiday",
          "[calendar][season]") {
    if (!fs::exists("/usr/bin/python3")) {
        WARN("no /usr/bin/python3: not checked");
        return;
    }
    ScratchDir dir;
    write_bytes(dir / "check.py",
                "import email, email.policy, email.utils, pathlib, sys, tomllib, zoneinfo\n"
                "cal = tomllib.load(open(sys.argv[1], 'rb'))\n"
                "weekend = set(cal['weekend'])\n"
                "closed = {h['date']: h['name'] for y in cal['year'] for h in y['holidays']}\n"
                "zone = zoneinfo.ZoneInfo(sys.argv[3])\n"
                "bad = n = 0\n"
                "for p in sorted(pathlib.Path(sys.argv[2]).iterdir()):\n"
                "    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)\n"
                "    d = email.utils.parsedate_to_datetime(str(m['Date'])).astimezone(zone)\n"
                "    n += 1\n"
                "    if d.strftime('%A') in weekend or d.date().isoformat() in closed:\n"
                "        bad += 1; print('closed day', d, m['X-Outreach-Key'])\n"
                "print('checked', n, 'bad', bad)\n"
                "sys.exit(1 if bad or n == 0 else 0)\n");
    struct Season {
        const char* campaign;
        const char* from;
        const char* to;
        const char* responses;  // "" or a file in config/responses
    };
    for (const Season& season : {Season{"focus2004", "2004-01-01", "2004-12-31", ""},
                                 Season{"focus2007", "2007-01-01", "2007-12-31", "focus2007-responses.toml"},
                                 Season{"ap2-universality-2006", "2006-01-01", "2007-12-31",
                                        "ap2-universality-2006-responses.toml"},
                                 Season{"ct-strategy-2007", "2007-01-01", "2008-12-31", "ct-strategy-2007-responses.toml"}}) {
        const fs::path state = dir / season.campaign;
        std::string args = "-c " + (kRepo / "config" / "outreach.toml").string() + " simulate --from " + season.from +
                           " --to " + season.to + " --campaign " + season.campaign + " --summary --state-dir " +
                           state.string();
        if (*season.responses) args += " --responses " + (kRepo / "config" / "responses" / season.responses).string();
        const auto r = run_outreach(args);
        INFO(season.campaign << "\n" << r.output);
        REQUIRE(r.exit_code == 0);
        const std::string report = run_python("/usr/bin/python3 " + (dir / "check.py").string() + " " +
                                              kShippedCalendar.string() + " " + (state / "outbox" / "new").string() +
                                              " America/New_York");
        INFO(report);
        CHECK_THAT(report, Catch::Contains("bad 0") && !Catch::Contains("EXIT"));
    }
}
