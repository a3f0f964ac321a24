// The reporting_obligations plugin: its due-dates file and offsets, its params
// checks, and seasons on per-State timelines: the shipped example (195 States,
// 2009-2016) with and without replies, checked letter by letter against an
// independent model of the schedule, and a small campaign for the per-State
// promises (no letter to a State without a due date, per-State deadlines after
// downtime, month arithmetic at the end of a month).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <toml++/toml.h>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "outreach/plugin.hpp"
#include "runtime.hpp"
#include "schedule/scheduler.hpp"
#include "season_runner.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

// The plugin is a MODULE with hidden visibility, so its parsers cannot be linked;
// they are pure functions, compiled here once more to be tested directly.
#include "../../plugins/reporting_obligations/due_dates_file.cpp"
#include "../../plugins/reporting_obligations/lateness.cpp"
#include "../../plugins/reporting_obligations/offset_text.cpp"

using namespace outreach;
using namespace outreach::test;
using Catch::Matchers::Contains;
namespace ro = outreach::reporting_obligations;

namespace {

const std::string kZone = "America/New_York";
const std::string kExample = "reporting-obligations-2009";

Instant at_nine(Date d) { return to_instant(d, {9, 0}, kZone); }
Instant at_nine(int y, unsigned m, unsigned d) { return at_nine(make_date(y, m, d)); }
Date ymd(int y, unsigned m, unsigned d) { return make_date(y, m, d); }

std::string flat(const std::string& text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (c == ' ' || c == '\n' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool known_state(const std::string& code) { return code == "FRA" || code == "MLI" || code == "CIV" || code == "CHL"; }

std::string csv_error(const std::string& text) {
    try {
        ro::parse_due_dates(text, "due.csv", known_state);
    } catch (const ro::DueDatesError& e) {
        return e.what();
    }
    return "no error";
}

std::string offset_error(const std::string& text) {
    try {
        ro::parse_offset(text);
    } catch (const ro::OffsetError& e) {
        const std::string what = e.what();
        return what.substr(0, what.find(';'));
    }
    return "no error";
}

// ---- the plugin, loaded the way the host loads it ---------------------------------
struct LoadedPlugin {
    boost::dll::shared_library library;  // declared first: destroyed last
    std::unique_ptr<Plugin> plugin;
    std::shared_ptr<CampaignType> type;
};

const CampaignType& reporting_type() {
    static const LoadedPlugin loaded = [] {
        LoadedPlugin result;
        result.library.load(std::filesystem::path(OUTREACH_PLUGIN_DIR) / "liboutreach_reporting_obligations.so");
        auto& create = result.library.get_alias<PluginFactory>(OUTREACH_PLUGIN_FACTORY_ALIAS);
        result.plugin = create();
        const auto types = result.plugin->campaign_types();
        if (types.size() == 1) result.type = types.front();
        return result;
    }();
    REQUIRE(loaded.type != nullptr);
    return *loaded.type;
}

Params params_with(const std::map<std::string, OptionValue>& given) {
    std::map<std::string, OptionValue> values;
    for (const OptionSpec& spec : reporting_type().options())
        if (spec.default_value) values.emplace(spec.name, *spec.default_value);
    for (const auto& [name, value] : given) values.insert_or_assign(name, value);
    return Params(std::move(values));
}

std::map<std::string, OptionValue> valid_params() {
    return {
        {"title", std::string{"national reports under article 7 of the Convention"}},
        {"due_dates", std::string{"due.csv"}},
        {"campaign_start", ymd(2009, 1, 1)},
        {"campaign_end", ymd(2012, 1, 1)},
        {"signatory", std::string{"Ban Ki-moon"}},
    };
}

Workflow build_in(const std::filesystem::path& dir, const std::map<std::string, OptionValue>& given) {
    const Params params = params_with(given);
    const Roster roster = small_roster();  // CIV, FRA, CHL
    const CampaignContext context{"reporting-test", kZone, params, roster, nullptr, dir};
    return reporting_type().build_workflow(context);
}

std::string build_error(const std::filesystem::path& dir, const std::map<std::string, OptionValue>& given) {
    try {
        build_in(dir, given);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

// RFC 5545 FREQ=MONTHLY;INTERVAL=n from `start`: a month without the start's day
// has no occurrence (it is skipped, not clamped). Strictly before `until`.
std::vector<Date> monthly(Date start, int interval, Date until) {
    std::vector<Date> dates;
    const std::chrono::year_month_day first{start};
    for (int k = 0;; ++k) {
        const auto ym = std::chrono::year_month{first.year(), first.month()} + std::chrono::months{interval * k};
        if (Date{ym / std::chrono::day{1}} >= until) break;
        const std::chrono::year_month_day candidate{ym / first.day()};
        if (candidate.ok() && Date{candidate} < until) dates.push_back(Date{candidate});
    }
    return dates;
}

// What the example campaign should send one State, given its due date and the
// instant its report arrives (none: never): the model the season is checked
// against, built from the SDK's month arithmetic and RFC 5545, not the core.
struct StatePlan {
    std::map<std::string, std::vector<Instant>> letters;  // step -> instants
};

// The days UN Headquarters is closed, read from the shipped calendar with toml++
// (not the core's loader): Saturdays, Sundays and the listed holidays.
bool closed(Date d) {
    static const std::set<Date> holidays = [] {
        std::set<Date> out;
        const auto root = toml::parse_file((std::filesystem::path(OUTREACH_SOURCE_DIR) /
                                            "config/calendars/un-headquarters.toml").string());
        for (const auto& year : *root["year"].as_array())
            for (const auto& h : *year.as_table()->get("holidays")->as_array())
                out.insert(*parse_date(h.as_table()->get("date")->as_string()->get()));
        return out;
    }();
    const unsigned weekday = std::chrono::weekday{d}.c_encoding();
    return weekday == 0 || weekday == 6 || holidays.count(d);
}

// Every step of the example is bound to a deadline, so it rolls back to a working
// day, but never to `after` (the milestone it follows) or before the campaign's
// start (1 January 2009); when that leaves none, forward. Thank-yous roll forward.
Date rolled_back(Date d, std::optional<Date> after = std::nullopt) {
    const Date earliest = std::max(after ? *after + Days{1} : ymd(2009, 1, 1), ymd(2009, 1, 1));
    Date r = d;
    while (closed(r)) r -= Days{1};
    if (r >= earliest) return r;
    for (r = d; closed(r);) r += Days{1};
    return r;
}
Date rolled_forward(Date d) {
    while (closed(d)) d += Days{1};
    return d;
}

// South Sudan is the one State of the roster admitted after 2009 (14 July 2011).
Date admission_of(const std::string& state) { return state == "SSD" ? ymd(2011, 7, 14) : ymd(1945, 10, 24); }

// `admitted`: the State's UN admission; nothing is written to it before.
StatePlan plan_for(Date due, std::optional<Instant> submitted, Date admitted = ymd(1945, 10, 24)) {
    const Date end = ymd(2017, 1, 1);
    StatePlan plan;
    auto add = [&](const std::string& step, Date nominal, Date date) {
        const Instant t = at_nine(date);
        if (nominal >= end || date < admitted || (submitted && t >= *submitted)) return;
        plan.letters[step].push_back(t);
    };
    const Date reminder_3m = apply_offset(due, Offset::in_months(-3));
    const Date reminder_1m = apply_offset(due, Offset::in_months(-1));
    add("reminder_3m", reminder_3m, rolled_back(reminder_3m));
    add("reminder_1m", reminder_1m, rolled_back(reminder_1m));
    const Date overdue = apply_offset(due, Offset::in_months(1));
    add("overdue", overdue, rolled_back(overdue, due));
    const Date escalation_start = apply_offset(overdue, Offset::in_months(6));
    for (const Date d : monthly(escalation_start, 6, end))
        add("escalation", d, rolled_back(d, d == escalation_start ? std::nullopt : std::optional<Date>(escalation_start)));
    if (submitted) {
        const Date thanks = rolled_forward(local_date(*submitted, kZone) + Days{1});
        if (thanks >= admitted) plan.letters["thank_you"].push_back(at_nine(thanks));
    }
    return plan;
}

struct Season {
    std::vector<DeliveryRecord> deliveries;
    std::map<std::string, std::map<std::string, std::vector<Instant>>> per_state;  // State -> step -> instants
    std::map<std::string, int> per_step;
    std::vector<Letter> tasks;
    double seconds = 0;
};

Season collect(Journal& journal, const std::string& campaign) {
    Season season;
    season.deliveries = journal.deliveries(campaign);
    for (const auto& d : season.deliveries) {
        ++season.per_step[d.letter.step];
        if (d.letter.is_task)
            season.tasks.push_back(d.letter);
        else
            season.per_state[d.letter.state][d.letter.step].push_back(d.letter.scheduled);
    }
    for (auto& [state, steps] : season.per_state)
        for (auto& [step, instants] : steps) std::sort(instants.begin(), instants.end());
    return season;
}

std::unique_ptr<Runtime> load_example(Diagnostics& diagnostics) {
    RuntimeOptions options;
    options.include_disabled = true;  // the example ships disabled
    auto runtime = load_runtime(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml", diagnostics, options);
    std::erase_if(runtime->campaigns, [](const Campaign& c) { return c.id() != kExample; });
    REQUIRE(runtime->campaigns.size() == 1);
    CHECK_FALSE(runtime->campaigns.front().config.enabled);  // shipped disabled
    runtime->campaigns.front().config.enabled = true;         // as an operator enables it
    return runtime;
}

std::map<std::string, Date> example_due_dates() {
    std::ifstream in(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/campaigns/reporting-obligations-due-dates.csv");
    std::stringstream text;
    text << in.rdbuf();
    const auto parsed = ro::parse_due_dates(text.str(), "due.csv", nullptr);
    std::map<std::string, Date> due;
    for (const auto& row : parsed.rows) due.emplace(row.state, row.due);
    return due;
}

}  // namespace

// ---- the due-dates file ------------------------------------------------------------

TEST_CASE("Due-dates CSV: rows, and every mistake refused with file:line:column", "[reporting]") {
    const auto good = ro::parse_due_dates("\xEF\xBB\xBFstate,due_date\r\nFRA,2009-03-01\r\n\r\n  mli , 2010-06-29\n",
                                          "due.csv", known_state);
    REQUIRE(good.size() == 2);
    CHECK(good.rows[0].state == "FRA");
    CHECK(good.rows[0].due == ymd(2009, 3, 1));
    CHECK(good.rows[0].line == 2);
    CHECK(good.rows[1].state == "MLI");  // any case, blanks around fields
    CHECK(good.rows[1].line == 4);       // the blank line 3 is skipped
    CHECK(good.rows[1].due_column == 9);
    CHECK(good.find("MLI")->due == ymd(2010, 6, 29));
    CHECK(good.find("CIV") == nullptr);

    CHECK(csv_error("") ==
          "due.csv: the file is empty; it must start with the header line state,due_date, then one line per State, "
          "e.g. MLI,2009-03-01");
    CHECK(csv_error("\n  \n") == csv_error(""));
    CHECK(csv_error("FRA,2009-03-01\n") ==
          "due.csv:1:1: the first line must be the header state,due_date, found 'FRA,2009-03-01'");
    CHECK(csv_error("state,date\nFRA,2009-03-01\n") ==
          "due.csv:1:1: the first line must be the header state,due_date, found 'state,date'");
    CHECK(csv_error("state,due_date,note\n") ==
          "due.csv:1:1: the first line must be the header state,due_date, found 'state,due_date,note'");
    CHECK(csv_error("state,due_date\n") ==
          "due.csv: lists no State: add one line per State after the header, e.g. MLI,2009-03-01");
    CHECK(csv_error("state,due_date\nFRA,2009-03-01\nMLI\n") ==
          "due.csv:3:1: one field, expected two: a State code and its due date, e.g. MLI,2009-03-01");
    CHECK(csv_error("state,due_date\nFRA,2009-03-01,late\n") ==
          "due.csv:2:15: 3 fields, expected two (state,due_date); nothing may follow the due date");
    CHECK(csv_error("state,due_date\nFRA,2009-03-01\nDEU,2009-04-01\n") ==
          "due.csv:3:1: DEU is not a State of the campaign's roster (check the code, and the campaign's [roster] "
          "filter)");
    CHECK(csv_error("state,due_date\nFR,2009-03-01\n") ==
          "due.csv:2:1: 'FR' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
    CHECK(csv_error("state,due_date\nFrance,2009-03-01\n") ==
          "due.csv:2:1: 'France' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
    CHECK(csv_error("state,due_date\n,2009-03-01\n") == "due.csv:2:1: the State code is missing");
    CHECK(csv_error("state,due_date\nFRA,2009-02-30\n") ==
          "due.csv:2:5: '2009-02-30' is not a calendar date in the form YYYY-MM-DD, e.g. 2009-03-01");
    CHECK(csv_error("state,due_date\nFRA, 1 March 2009\n") ==
          "due.csv:2:6: '1 March 2009' is not a calendar date in the form YYYY-MM-DD, e.g. 2009-03-01");
    CHECK(csv_error("state,due_date\nFRA,\n") == "due.csv:2:5: the due date of FRA is missing");
    CHECK(csv_error("state,due_date\nFRA,2009-03-01\nMLI,2009-04-01\nfra,2010-03-01\n") ==
          "due.csv:4:1: FRA is listed twice (first on line 2); a State has one due date");
    CHECK(csv_error(std::string("state,due_date\nFRA,2009-03-01\0\n", 31)) ==
          "due.csv:2:15: contains a NUL byte; this is not a text file");
}

TEST_CASE("Due-dates CSV: only a regular file, of bounded size, is read", "[reporting]") {
    ScratchDir dir;
    CHECK_THROWS_WITH(ro::read_due_dates(dir / "missing.csv", known_state),
                      (dir / "missing.csv").string() + ": file not found");
    std::filesystem::create_directories(dir / "folder.csv");
    CHECK_THROWS_WITH(ro::read_due_dates(dir / "folder.csv", known_state),
                      (dir / "folder.csv").string() + ": file is not a regular file");
    REQUIRE(::mkfifo((dir / "fifo.csv").c_str(), 0600) == 0);  // would block an open without O_NONBLOCK
    CHECK_THROWS_WITH(ro::read_due_dates(dir / "fifo.csv", known_state),
                      (dir / "fifo.csv").string() + ": file is not a regular file");

    write_file(dir / "due.csv", "state,due_date\nFRA,2009-03-01\n");
    CHECK(ro::read_due_dates(dir / "due.csv", known_state).size() == 1);
    CHECK_THROWS_WITH(ro::read_due_dates(dir / "due.csv", known_state, 20),
                      (dir / "due.csv").string() + ": file is 30 bytes, more than the limit of 20 bytes (docs/security.md)");
    // The default limit, 1 MiB, refuses a larger file before reading it.
    {
        std::ofstream big(dir / "big.csv");
        big << "state,due_date\n" << std::string(ro::kMaxDueDatesBytes, '\n');
    }
    CHECK_THROWS_WITH(ro::read_due_dates(dir / "big.csv", known_state), Contains("more than the limit of 1 MiB"));
    // A symbolic link to a regular file is fine (operators keep data elsewhere).
    std::filesystem::create_symlink(dir / "due.csv", dir / "link.csv");
    CHECK(ro::read_due_dates(dir / "link.csv", known_state).size() == 1);
    // Only UTF-8 (an export from a spreadsheet in Latin-1), refused at the byte.
    write_file(dir / "latin1.csv", "state,due_date\nFRA,2009-03-01 # R\xE9publique\n");
    CHECK_THROWS_WITH(ro::read_due_dates(dir / "latin1.csv", known_state),
                      (dir / "latin1.csv").string() + ":2:19: not valid UTF-8 (byte 0xE9): save the file as UTF-8");
}

TEST_CASE("Offsets: months, weeks and days, with a sign, and lateness in months", "[reporting]") {
    CHECK(ro::parse_offset("-3m") == Offset::in_months(-3));
    CHECK(ro::parse_offset("+1m") == Offset::in_months(1));
    CHECK(ro::parse_offset("1m") == Offset::in_months(1));
    CHECK(ro::parse_offset(" -14d ") == Offset::in_days(-14));
    CHECK(ro::parse_offset("-2w") == Offset::in_days(-14));
    CHECK(ro::parse_offset("1y") == Offset::in_months(12));
    Offset mixed = Offset::in_months(-1);
    mixed.days = Days{-15};
    CHECK(ro::parse_offset("-1m15d") == mixed);
    CHECK(ro::offset_label(mixed) == "1m15d");
    CHECK(ro::describe_offset(mixed) == "1 month and 15 days");
    CHECK(ro::offset_label(Offset::in_months(-3)) == "3m");
    CHECK(ro::describe_offset(Offset::in_days(-1)) == "1 day");

    CHECK(offset_error("") == "'' is empty");
    CHECK(offset_error("3") == "'3' has a number without a unit (y, m, w or d)");
    CHECK(offset_error("-m") == "'-m' has 'm' where a number was expected");
    CHECK(offset_error("3x") == "'3x' has the unknown unit 'x' (use y, m, w or d)");
    CHECK(offset_error("1d1m") == "'1d1m' repeats a unit or gives them out of order (y, m, w, d)");
    CHECK(offset_error("-200m") == "'-200m' is more than 10 years");
    CHECK(offset_error("-") == "'-' has a sign but no number");

    CHECK(ro::describe_lateness(ro::lateness(ymd(2009, 3, 1), ymd(2009, 10, 1))) == "7 months");
    CHECK(ro::describe_lateness(ro::lateness(ymd(2009, 3, 1), ymd(2009, 9, 30))) == "6 months");
    CHECK(ro::describe_lateness(ro::lateness(ymd(2009, 3, 1), ymd(2009, 3, 13))) == "12 days");
    CHECK(ro::describe_lateness(ro::lateness(ymd(2009, 1, 31), ymd(2009, 2, 28))) == "1 month");  // clamped
    CHECK(ro::describe_lateness(ro::lateness(ymd(2009, 3, 1), ymd(2011, 6, 1))) == "2 years and 3 months");
    CHECK(ro::describe_lateness(ro::lateness(ymd(2009, 3, 1), ymd(2010, 3, 1))) == "1 year");
    CHECK(ro::lateness(ymd(2009, 3, 1), ymd(2009, 3, 1)).days == 0);  // due today: not late
}

// ---- params and the workflow --------------------------------------------------------

TEST_CASE("reporting_obligations params: the workflow, and errors naming the option and the row", "[reporting]") {
    ScratchDir dir;
    write_file(dir / "due.csv", "state,due_date\nFRA,2010-03-31\nCIV,2009-06-15\n");
    const Workflow workflow = build_in(dir.path(), valid_params());

    std::vector<std::string> ids;
    for (const auto& s : workflow.steps) ids.push_back(s.id);
    CHECK(ids == std::vector<std::string>{"reminder_3m", "reminder_1m", "overdue", "escalation", "overdue_report",
                                          "thank_you"});
    const Milestone* due = workflow.milestone("report_due");
    REQUIRE(due);
    CHECK(due->deadline);
    CHECK(due->per_state == std::map<std::string, Date>{{"CIV", ymd(2009, 6, 15)}, {"FRA", ymd(2010, 3, 31)}});
    const Milestone* escalation_start = workflow.milestone("escalation_start");
    REQUIRE(escalation_start);
    // 31 March + 1 month = 30 April (clamped), + 6 months = 30 October.
    CHECK(escalation_start->per_state.at("FRA") == ymd(2010, 10, 30));
    CHECK(workflow.milestone("campaign_end")->deadline);
    CHECK(workflow.data != nullptr);

    const Step& reminder = workflow.steps[0];
    CHECK(std::get<AtTrigger>(reminder.trigger).milestone == "report_due");
    CHECK(std::get<AtTrigger>(reminder.trigger).offset == Offset::in_months(-3));
    CHECK(reminder.valid_until == "report_due");
    CHECK(reminder.until_response == "report_submitted");
    const Step& escalation = workflow.steps[3];
    const auto& every = std::get<EveryTrigger>(escalation.trigger);
    CHECK(every.rrule == "FREQ=MONTHLY;INTERVAL=6");
    CHECK(every.from_milestone == "escalation_start");
    CHECK(every.until_milestone == "campaign_end");
    CHECK(std::get<LetterAction>(escalation.action).roles == std::vector<std::string>{"permanent_representative"});
    CHECK(escalation.until_response == "report_submitted");
    CHECK(workflow.steps[4].audience.kind == Audience::Kind::Predicate);
    CHECK(std::holds_alternative<TaskAction>(workflow.steps[4].action));
    CHECK(workflow.values.scalars.at("short_title") == "national reports under article 7 of the Convention");

    auto with = [&](const std::string& name, OptionValue value) {
        auto given = valid_params();
        given[name] = std::move(value);
        return build_error(dir.path(), given);
    };
    const std::string file = (dir / "due.csv").string();
    CHECK(with("reminder_offsets", std::vector<std::string>{"-14d", "-3m", "-1m"}) == "no error");
    {
        auto given = valid_params();
        given["reminder_offsets"] = std::vector<std::string>{"-14d", "-3m", "-1m"};
        const Workflow w = build_in(dir.path(), given);
        CHECK(w.steps[0].id == "reminder_3m");  // earliest first
        CHECK(w.steps[2].id == "reminder_14d");
        given["reminder_offsets"] = std::vector<std::string>{};
        CHECK(build_in(dir.path(), given).steps.front().id == "overdue");
    }
    CHECK_THAT(with("reminder_offsets", std::vector<std::string>{"+1m"}),
               Contains("params.reminder_offsets: '+1m' is not before the due date"));
    CHECK_THAT(with("reminder_offsets", std::vector<std::string>{"0d"}),
               Contains("params.reminder_offsets: '0d' is not before the due date"));
    CHECK_THAT(with("reminder_offsets", std::vector<std::string>{"-1m", "-1m"}),
               Contains("params.reminder_offsets: '-1m' is listed twice"));
    CHECK_THAT(with("reminder_offsets", std::vector<std::string>{"-3 months"}),
               Contains("params.reminder_offsets: '-3 months' has a space after a number"));
    CHECK_THAT(with("overdue_offset", std::string{"-1m"}), Contains("params.overdue_offset: '-1m' must be positive"));
    CHECK_THAT(with("escalation_start", std::string{"0m"}), Contains("params.escalation_start: '0m' must be positive"));
    CHECK_THAT(with("escalation_rrule", std::string{"EVERY=6MONTHS"}),
               Contains("params.escalation_rrule: 'EVERY=6MONTHS' is not a valid RFC 5545 RRULE"));
    CHECK_THAT(with("staff_report_rrule", std::string{"FREQ=SOMETIMES"}),
               Contains("params.staff_report_rrule: 'FREQ=SOMETIMES' is not a valid RFC 5545 RRULE"));
    CHECK(with("campaign_end", ymd(2008, 12, 31)) ==
          "params.campaign_end: 2008-12-31 is not after campaign_start 2009-01-01");
    CHECK(with("campaign_end", ymd(2010, 3, 31)) ==
          "params.due_dates: " + file +
              ":2:5: the due date of FRA, 2010-03-31, is not before campaign_end 2010-03-31; its letters could not go "
              "out: move campaign_end or leave the State out");
    CHECK(with("title", std::string{"  "}) == "params.title: must not be blank");
    CHECK(with("due_dates", std::string{"nowhere.csv"}) ==
          "params.due_dates: " + (dir / "nowhere.csv").string() + ": file not found");
    write_file(dir / "bad.csv", "state,due_date\nFRA,2010-03-31\nMLI,2010-04-01\n");  // MLI: not in the roster
    CHECK(with("due_dates", std::string{"bad.csv"}) ==
          "params.due_dates: " + (dir / "bad.csv").string() +
              ":3:1: MLI is not a State of the campaign's roster (check the code, and the campaign's [roster] filter)");
}

// ---- the shipped example: 195 States, 2009-2016 ----------------------------------------

TEST_CASE("Reporting obligations 2009-2016, 195 States, no replies: every letter of every State", "[reporting][season]") {
    ScratchDir dir;
    Diagnostics diagnostics;
    auto runtime = load_example(diagnostics);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    REQUIRE(runtime->campaigns.size() == 1);
    const auto due = example_due_dates();
    REQUIRE(due.size() == 195);
    REQUIRE(runtime->campaigns.front().roster.size() == 195);

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(ymd(2009, 1, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto started = std::chrono::steady_clock::now();
    run_season(scheduler, journal, clock, kExample, {}, start_of_day(ymd(2017, 6, 1), kZone));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    WARN("195 States x 8 years in-process: " << seconds << " s");

    const Season season = collect(journal, kExample);
    std::map<std::string, int> expected_per_step;
    std::set<std::string> keys;
    for (const auto& [state, date] : due) {
        INFO(state << " due " << format_date(date));
        const StatePlan plan = plan_for(date, std::nullopt, admission_of(state));
        const auto found = season.per_state.find(state);
        REQUIRE(found != season.per_state.end());
        CHECK(found->second == plan.letters);
        for (const auto& [step, instants] : plan.letters) expected_per_step[step] += static_cast<int>(instants.size());
        // No reminder on or after the State's own due date.
        for (const char* step : {"reminder_3m", "reminder_1m"})
            if (found->second.count(step))  // South Sudan: none, its due date is before its admission
                for (const Instant t : found->second.at(step)) CHECK(t < start_of_day(date, kZone));
    }
    for (const auto& d : season.deliveries) {
        const Letter& letter = d.letter;
        CHECK(d.status == DeliveryStatus::Delivered);
        CHECK(letter.scheduled < start_of_day(ymd(2017, 1, 1), kZone));  // nothing on or after campaign_end
        CHECK(keys.insert(letter.idempotency_key).second);
        if (letter.is_task) continue;
        INFO(letter.idempotency_key);
        // Per-State occurrences: the State is part of the occurrence and of the key.
        CHECK(letter.occurrence.find(letter.state) != std::string::npos);
        const std::string role = letter.step == "escalation" ? "permanent_representative" : "foreign_minister";
        CHECK(letter.idempotency_key ==
              kExample + "/" + letter.step + "/" + letter.occurrence + "/" + letter.state + "/" + role);
    }
    // South Sudan, admitted on 14 July 2011, gets only the escalations after it.
    CHECK(expected_per_step == std::map<std::string, int>{{"reminder_3m", 194}, {"reminder_1m", 194},
                                                          {"overdue", 194}, {"escalation", 2550}});
    CHECK(season.per_step == std::map<std::string, int>{{"reminder_3m", 194}, {"reminder_1m", 194}, {"overdue", 194},
                                                        {"escalation", 2550}, {"overdue_report", 32}});
    CHECK(season.deliveries.size() == 3132 + 32);

    // Mali, due 29 June 2010: reminders 29 March and 29 May 2010 (a Saturday:
    // Friday 28), overdue 29 July 2010, escalations every six months from
    // 29 January 2011 (a Saturday: Friday 28) to 29 July 2016.
    const auto& mali = season.per_state.at("MLI");
    CHECK(mali.at("reminder_3m") == std::vector<Instant>{at_nine(2010, 3, 29)});
    CHECK(mali.at("reminder_1m") == std::vector<Instant>{at_nine(2010, 5, 28)});
    CHECK(mali.at("overdue") == std::vector<Instant>{at_nine(2010, 7, 29)});
    REQUIRE(mali.at("escalation").size() == 12);
    CHECK(mali.at("escalation").front() == at_nine(2011, 1, 28));
    CHECK(mali.at("escalation").back() == at_nine(2016, 7, 29));

    // The staff reports: quarterly from 1 January 2009, listing the overdue States;
    // on working days: New Year's Day 2009 (the campaign's start: not before it)
    // moves to Friday 2 January, Saturday 1 January 2011 and 1 October 2016 to
    // the Friday before.
    REQUIRE(season.tasks.size() == 32);
    CHECK(season.tasks.front().scheduled == at_nine(2009, 1, 2));
    CHECK(season.tasks.back().scheduled == at_nine(2016, 9, 30));
    const auto report_of = [&](Instant when) {
        for (const auto& t : season.tasks)
            if (t.scheduled == when) return flat(t.body);
        return std::string{};
    };
    const std::string first = report_of(at_nine(2009, 1, 2));
    // 194: South Sudan, in the due-dates file, became a Member only in 2011.
    CHECK_THAT(first, Contains("of the 194 States written to, 0 have submitted their report, 194 are not yet due and 0 "
                               "are overdue"));
    CHECK_THAT(first, Contains("No report is overdue."));
    const std::string january_2011 = report_of(at_nine(2010, 12, 31));
    CHECK_THAT(january_2011, Contains("- Mali — 6 months overdue (due 29 June 2010)"));
    // Saturday 1 January 2011's report goes out on Friday 31 December 2010.
    CHECK_THAT(january_2011, Contains("- Afghanistan — 1 year and 8 months overdue (due 1 April 2009)"));
    std::size_t overdue_then = 0;
    for (const auto& [state, date] : due) overdue_then += date < ymd(2010, 12, 31) ? 1 : 0;
    // South Sudan (admitted in July 2011) owed nothing yet: neither listed nor counted.
    REQUIRE(due.count("SSD"));
    REQUIRE(due.at("SSD") < ymd(2010, 12, 31));
    CHECK_THAT(january_2011, Contains("Overdue (" + std::to_string(overdue_then - 1) + " States, most overdue first)"));
    CHECK_THAT(january_2011, Contains(std::to_string(overdue_then - 1) + " are overdue"));
    CHECK_THAT(january_2011, !Contains("South Sudan"));
    // Most overdue first.
    CHECK(january_2011.find("Afghanistan — ") < january_2011.find("Mali — "));
    const std::string last = report_of(at_nine(2016, 9, 30));
    CHECK_THAT(last, Contains("195 are overdue"));

    // A letter of each kind, as the State reads it: Mali writes in French.
    std::size_t english_second_escalations = 0;
    for (const auto& d : season.deliveries) {
        const Letter& letter = d.letter;
        if (letter.is_task) continue;
        const std::string body = flat(letter.body);
        if (letter.language == "en") {
            CHECK_THAT(body, Contains("Excellency,"));
            CHECK_THAT(body, Contains("Please accept, Excellency, the assurances of my highest consideration. Ban Ki-moon"));
            if (body.find("This is the second time that I have written to you on this matter.") != std::string::npos)
                ++english_second_escalations;
        }
        if (letter.state != "MLI") continue;
        INFO(body);
        CHECK(letter.language == "fr");
        CHECK_THAT(body, Contains("Excellence,"));
        CHECK_THAT(body, Contains("Je vous prie d'agréer, Excellence, les assurances de ma très haute considération. "
                                  "Ban Ki-moon"));
        CHECK_THAT(body, Contains("l'obligation qu'ont les États de présenter les rapports nationaux au titre de "
                                  "l'article 7 de la Convention sur l'interdiction de l'emploi"));
        if (letter.step == "reminder_3m") {
            CHECK(letter.subject == "Rapport au titre de l'article 7 : rapport attendu pour le 29 juin 2010");
            CHECK_THAT(body, Contains("est attendu pour le 29 juin 2010, soit trois mois après la date de la présente "
                                      "lettre"));
            CHECK_THAT(letter.body, Contains("\n\nMinistre des affaires étrangères\nMali\nBamako"));
            CHECK_THAT(letter.body, !Contains("\nSon Excellence\n"));  // no honorific without a name
        }
        if (letter.step == "reminder_1m") CHECK_THAT(body, Contains("soit un mois après la date"));
        if (letter.step == "overdue") CHECK_THAT(body, Contains("était attendu pour le 29 juin 2010 et, à la date de la présente lettre"));
        if (letter.step == "escalation") {
            CHECK_THAT(letter.body, Contains("\n\nReprésentant permanent auprès de l'Organisation des Nations Unies\nMali"));
            CHECK_THAT(body, Contains("ma lettre du 29 juillet 2010"));
            if (letter.scheduled == at_nine(2011, 1, 28)) {
                CHECK(letter.subject == "Rapport au titre de l'article 7 : rapport toujours attendu, six mois après l'échéance");  // Friday 28 January
                CHECK(body.find("fois que je m'adresse à vous") == std::string::npos);
            }
            if (letter.scheduled == at_nine(2011, 7, 29)) {
                CHECK(letter.subject == "Rapport au titre de l'article 7 : rapport toujours attendu, un an et un mois après l'échéance");
                CHECK_THAT(body, Contains("C'est la deuxième fois que je m'adresse à vous à ce sujet."));
            }
        }
    }
    CHECK(english_second_escalations > 0);
}

TEST_CASE("Reporting obligations 2009-2016 with replies: report_submitted stops each State's letters",
          "[reporting][season]") {
    ScratchDir dir;
    Diagnostics diagnostics;
    auto runtime = load_example(diagnostics);
    REQUIRE(diagnostics.empty());
    REQUIRE(runtime->campaigns.size() == 1);
    const auto due = example_due_dates();

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(ymd(2009, 1, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    // As config/responses/reporting-obligations-responses.toml (09:00 local).
    const std::vector<ScriptedResponse> script{
        {"NOR", "report_submitted", "APLC/CONF/2009/NOR", at_nine(2009, 3, 10)},  // before any reminder
        {"MEX", "report_submitted", "", at_nine(2009, 6, 20)},                    // between the reminders
        {"JPN", "report_submitted", "", at_nine(2010, 8, 13)},                    // the day before its due date
        {"SWE", "report_submitted", "", at_nine(2010, 3, 1)},
        {"SWE", "report_submitted", "corrected version", at_nine(2010, 3, 20)},  // thanked once only
        {"KEN", "extension_requested", "until the end of 2010, data collection under way", at_nine(2010, 7, 1)},
        {"KEN", "report_submitted", "", at_nine(2011, 1, 20)},  // after the overdue letter
        {"FRA", "report_submitted", "", at_nine(2011, 2, 15)},  // after the overdue letter
        {"BRA", "report_submitted", "", at_nine(2011, 3, 1)},   // after two escalations
        {"PSE", "declined", "Not in a position to report this year", at_nine(2010, 6, 1)},  // letters go on
    };
    run_season(scheduler, journal, clock, kExample, script, start_of_day(ymd(2017, 6, 1), kZone));
    const Season season = collect(journal, kExample);

    std::map<std::string, Instant> submitted;
    for (const auto& r : script)
        if (r.kind == "report_submitted") submitted.emplace(r.state, r.at);  // the first one
    std::map<std::string, int> expected_per_step{{"overdue_report", 32}};
    for (const auto& [state, date] : due) {
        INFO(state << " due " << format_date(date));
        const auto s = submitted.find(state);
        const StatePlan plan = plan_for(date, s == submitted.end() ? std::nullopt : std::optional<Instant>(s->second),
                                        admission_of(state));
        const auto found = season.per_state.find(state);
        if (plan.letters.empty()) {
            CHECK(found == season.per_state.end());
            continue;
        }
        REQUIRE(found != season.per_state.end());
        CHECK(found->second == plan.letters);
        for (const auto& [step, instants] : plan.letters) expected_per_step[step] += static_cast<int>(instants.size());
    }
    CHECK(season.per_step == expected_per_step);

    // The States of the script, exactly.
    using Steps = std::map<std::string, std::vector<Instant>>;
    CHECK(season.per_state.at("NOR") == Steps{{"thank_you", {at_nine(2009, 3, 11)}}});
    // Dates on a weekend or holiday move to a working day: reminders back (Sunday
    // 17 May 2009 to Friday 15), thank-yous forward (Sunday 21 June to Monday 22).
    CHECK(season.per_state.at("MEX") ==
          Steps{{"reminder_3m", {at_nine(2009, 5, 15)}}, {"thank_you", {at_nine(2009, 6, 22)}}});
    CHECK(season.per_state.at("JPN") == Steps{{"reminder_3m", {at_nine(2010, 5, 14)}},
                                              {"reminder_1m", {at_nine(2010, 7, 14)}},
                                              {"thank_you", {at_nine(2010, 8, 16)}}});
    CHECK(season.per_state.at("SWE") ==
          Steps{{"reminder_3m", {at_nine(2010, 1, 8)}}, {"thank_you", {at_nine(2010, 3, 2)}}});
    CHECK(season.per_state.at("KEN") == plan_for(due.at("KEN"), submitted.at("KEN")).letters);
    CHECK(season.per_state.at("FRA").at("overdue") == std::vector<Instant>{at_nine(2010, 10, 29)});
    CHECK(season.per_state.at("FRA").count("escalation") == 0);
    CHECK(season.per_state.at("BRA").at("escalation") ==
          std::vector<Instant>{at_nine(2010, 8, 9), at_nine(2011, 2, 9)});
    CHECK(season.per_state.at("PSE").at("escalation").size() == plan_for(due.at("PSE"), std::nullopt).letters.at("escalation").size());
    CHECK(season.per_state.at("MLI").at("escalation").size() == 12);
    CHECK(season.per_step.at("thank_you") == 7);

    for (const auto& d : season.deliveries) {
        const Letter& letter = d.letter;
        const std::string body = flat(letter.body);
        if (letter.state == "KEN" && (letter.step == "reminder_1m" || letter.step == "overdue"))
            CHECK_THAT(body, Contains("communication of 1 July 2010 requesting additional time to submit the report "
                                      "(until the end of 2010, data collection under way)"));
        if (letter.state == "KEN" && letter.step == "reminder_3m")
            CHECK(body.find("additional time") == std::string::npos);  // asked only later
        if (letter.step == "thank_you")
            CHECK_THAT(body, Contains(letter.language == "fr"   ? "d'accuser réception, avec mes remerciements, du rapport"
                                      : letter.language == "es" ? "acusar recibo, con agradecimiento, del informe"
                                                                : "acknowledge with thanks the receipt of the report"));
    }
    const auto report_of = [&](Instant when) {
        for (const auto& t : season.tasks)
            if (t.scheduled == when) return flat(t.body);
        return std::string{};
    };
    const std::string october_2010 = report_of(at_nine(2010, 10, 1));
    CHECK_THAT(october_2010, Contains("- Kenya — 1 month overdue (due 11 August 2010); extension requested 1 July 2010: "
                                      "until the end of 2010, data collection under way"));
    CHECK_THAT(october_2010, Contains("- State of Palestine — 4 months overdue (due 11 May 2010); declined 1 June 2010: "
                                      "Not in a position to report this year"));
    CHECK_THAT(october_2010, Contains("- Norway — received 10 March 2009 (APLC/CONF/2009/NOR)"));
    CHECK_THAT(october_2010, Contains("- Sweden — received 20 March 2010 (corrected version)"));
    CHECK(october_2010.find("- Japan — ") < october_2010.find("- Mexico — "));  // received, by name
    const std::string april_2011 = report_of(at_nine(2011, 4, 1));
    CHECK(april_2011.find("Kenya — ") == april_2011.find("Kenya — received"));
    CHECK(april_2011.find("France — ") == april_2011.find("France — received"));
}

// ---- a small campaign: the per-State promises ----------------------------------------

namespace {

// A configuration in `dir` with one reporting campaign over four States of the
// shipped roster, CHL without a due date.
std::unique_ptr<Runtime> small_campaign(const ScratchDir& dir, const std::string& csv, const std::string& extra_params) {
    const std::filesystem::path source(OUTREACH_SOURCE_DIR);
    write_file(dir / "config/outreach.toml",
               "timezone = \"America/New_York\"\njournal = \"../var/journal.sqlite\"\ncampaigns = \"campaigns\"\n"
               "templates = \"" + (source / "config/templates").string() + "\"\n"
               "[sender]\nname = \"Secretariat\"\nemail = \"s@example.org\"\nstaff_email = \"staff@example.org\"\n"
               "[delivery]\nchannel = \"maildir\"\noutbox = \"../var/outbox\"\n");
    write_file(dir / "config/campaigns/due.csv", csv);
    write_file(dir / "config/campaigns/small.toml",
               "id = \"small\"\ntype = \"reporting_obligations\"\naddressees = [\"foreign_minister\"]\n"
               "[roster]\nfile = \"" + (source / "config/rosters/un-states.toml").string() + "\"\n"
               "include = [\"CIV\", \"FRA\", \"CHL\", \"MLI\"]\n"
               "[params]\ntitle = \"national reports\"\ndue_dates = \"due.csv\"\ncampaign_start = 2009-01-01\n"
               "campaign_end = 2011-01-01\nsignatory = \"Ban Ki-moon\"\n" + extra_params);
    Diagnostics diagnostics;
    auto runtime = load_runtime(dir / "config/outreach.toml", diagnostics);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    REQUIRE(runtime->campaigns.size() == 1);
    return runtime;
}

}  // namespace

TEST_CASE("Per-State timelines: no CSV row, no letter, month ends clamp, keys differ per State", "[reporting]") {
    ScratchDir dir;
    auto runtime = small_campaign(dir, "state,due_date\nFRA,2010-03-31\nCIV,2009-08-31\nMLI,2009-08-31\n", "");
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(ymd(2009, 1, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    // Chile records a report although it owes none: no thank-you either.
    run_season(scheduler, journal, clock, "small",
               {{"CHL", "report_submitted", "", at_nine(2009, 5, 5)}, {"MLI", "report_submitted", "", at_nine(2009, 7, 1)}},
               start_of_day(ymd(2011, 6, 1), kZone));
    const Season season = collect(journal, "small");
    CHECK(season.per_state.count("CHL") == 0);
    using Steps = std::map<std::string, std::vector<Instant>>;
    // 31 March 2010: reminders 31 December 2009 and 28 February 2010 (clamped; a
    // Sunday, so Friday 26 February: this config names no calendar, weekends only),
    // overdue 30 April, escalation from 30 October 2010 (a Saturday: Friday 29; then
    // 30 April 2011: after the end).
    CHECK(season.per_state.at("FRA") == Steps{{"reminder_3m", {at_nine(2009, 12, 31)}},
                                              {"reminder_1m", {at_nine(2010, 2, 26)}},
                                              {"overdue", {at_nine(2010, 4, 30)}},
                                              {"escalation", {at_nine(2010, 10, 29)}}});
    // 31 August 2009: reminders 31 May (a Sunday: Friday 29 May) and 31 July,
    // overdue 30 September, escalations 30 March 2010 and 30 September 2010.
    CHECK(season.per_state.at("CIV") == Steps{{"reminder_3m", {at_nine(2009, 5, 29)}},
                                              {"reminder_1m", {at_nine(2009, 7, 31)}},
                                              {"overdue", {at_nine(2009, 9, 30)}},
                                              {"escalation", {at_nine(2010, 3, 30), at_nine(2010, 9, 30)}}});
    // Same due date as Côte d'Ivoire, but reported: its own series stops, CIV's not.
    CHECK(season.per_state.at("MLI") ==
          Steps{{"reminder_3m", {at_nine(2009, 5, 29)}}, {"thank_you", {at_nine(2009, 7, 2)}}});

    std::map<std::string, std::set<std::string>> keys_by_occurrence_time;  // reminder_3m 31 May: one key per State
    for (const auto& d : season.deliveries)
        if (d.letter.step == "reminder_3m" && d.letter.scheduled == at_nine(2009, 5, 29))
            keys_by_occurrence_time[d.letter.state].insert(d.letter.idempotency_key);
    REQUIRE(keys_by_occurrence_time.size() == 2);
    CHECK(*keys_by_occurrence_time["CIV"].begin() != *keys_by_occurrence_time["MLI"].begin());
    CHECK_THAT(*keys_by_occurrence_time["CIV"].begin(), Contains("CIV"));

    // Staff reports list only the States with a due date.
    for (const auto& task : season.tasks) CHECK(task.body.find("Chile") == std::string::npos);
    CHECK(season.per_step.at("overdue_report") == 8);  // quarterly, 2009-2010
}

TEST_CASE("Per-State deadline after downtime: a reminder missed past its State's due date is never sent",
          "[reporting]") {
    ScratchDir dir;
    // Reminders 3 days before: FRA on 7 March, CIV on 17 March.
    auto runtime = small_campaign(dir, "state,due_date\nFRA,2010-03-10\nCIV,2010-03-20\n",
                                  "reminder_offsets = [\"-3d\"]\n");
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(ymd(2010, 3, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();
    // Down from 1 March until 11 March 09:30: FRA's reminder (7 March) is only four
    // days late, within the misfire grace, but past FRA's own deadline.
    clock.set(to_instant(ymd(2010, 3, 11), {9, 30}, kZone));
    scheduler.run_due();
    run_season(scheduler, journal, clock, "small", {}, start_of_day(ymd(2010, 3, 25), kZone));
    const Season season = collect(journal, "small");
    CHECK(season.per_state.count("FRA") == 0);
    CHECK(season.per_state.at("CIV").at("reminder_3d") == std::vector<Instant>{at_nine(2010, 3, 17)});
    bool fra_skipped = false;
    for (const auto& o : journal.occurrences("small"))
        if (o.step == "reminder_3d" && o.occurrence.find("FRA") != std::string::npos)
            fra_skipped = o.status == OccurrenceStatus::Skipped;
    CHECK(fra_skipped);
}

// ---- SDK promises the type relies on, checked on a fixed workflow -------------------------

TEST_CASE("EveryTrigger without until: the RRULE's COUNT per State, else at most 1,000 - fixed audiences",
          "[reporting][sdk]") {
    ScratchDir dir;
    Workflow workflow;
    Milestone due;
    due.id = "due";
    due.per_state = {{"CIV", ymd(2010, 1, 31)}, {"FRA", ymd(2010, 2, 15)}};  // CHL: none
    Milestone start;
    start.id = "start";
    start.date = ymd(2010, 1, 1);
    workflow.milestones = {due, start};
    workflow.steps.push_back(letter_step("counted", EveryTrigger{"FREQ=MONTHLY;COUNT=3", "due", Offset::in_months(1), "", {9, 0}}));
    workflow.steps.push_back(
        letter_step("capped", EveryTrigger{"FREQ=DAILY", "start", {}, "", {9, 0}}, Audience::fixed({"FRA"})));
    // The series as the rule makes them: no working-day roll (which would merge a
    // daily series' weekend letters into Mondays).
    for (auto& step : workflow.steps) step.roll = Roll::None;
    auto runtime = make_runtime(dir.path(), workflow);
    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(ymd(2010, 1, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    run_season(scheduler, journal, clock, "test", {}, start_of_day(ymd(2014, 1, 1), kZone));
    const Season season = collect(journal, "test");
    // 31 January + 1 month = 28 February (clamped); then RFC 5545 from the 28th.
    CHECK(season.per_state.at("CIV").at("counted") ==
          std::vector<Instant>{at_nine(2010, 2, 28), at_nine(2010, 3, 28), at_nine(2010, 4, 28)});
    CHECK(season.per_state.at("FRA").at("counted") ==
          std::vector<Instant>{at_nine(2010, 3, 15), at_nine(2010, 4, 15), at_nine(2010, 5, 15)});
    CHECK(season.per_state.at("FRA").at("capped").size() == 1000);
    CHECK(season.per_state.at("FRA").at("capped").back() == at_nine(make_date(2010, 1, 1) + Days{999}));
    CHECK(season.per_state.at("CIV").count("capped") == 0);  // not in the fixed audience
    CHECK(season.per_state.count("CHL") == 0);
}
