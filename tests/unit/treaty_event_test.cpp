// The treaty_event plugin: the General Assembly date rules and the workflow it builds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include "outreach/plugin.hpp"

// The plugin is a MODULE with hidden visibility, so its date rules cannot be linked;
// they are pure functions, compiled here once more to be tested directly.
#include "../../plugins/treaty_event/general_assembly_calendar.cpp"

using namespace outreach;
using Catch::Matchers::Contains;

namespace {

// ---- the plugin, loaded the way the host loads it -------------------------------
struct LoadedTreatyEvent {
    // Declared first so it is destroyed last: the objects below run code in it.
    boost::dll::shared_library library;
    std::unique_ptr<Plugin> plugin;
    std::shared_ptr<CampaignType> type;
};

const LoadedTreatyEvent& treaty_event_plugin() {
    static const LoadedTreatyEvent loaded = [] {
        LoadedTreatyEvent result;
        result.library.load(std::filesystem::path(OUTREACH_PLUGIN_DIR) / "liboutreach_treaty_event.so");
        auto& create = result.library.get_alias<PluginFactory>(OUTREACH_PLUGIN_FACTORY_ALIAS);
        result.plugin = create();
        const auto types = result.plugin->campaign_types();
        if (types.size() == 1) result.type = types.front();
        return result;
    }();
    return loaded;
}

const CampaignType& treaty_event_type() {
    const auto& type = treaty_event_plugin().type;
    REQUIRE(type != nullptr);
    return *type;
}

// ---- params as the core hands them over: given values over declared defaults -------
using Given = std::map<std::string, OptionValue>;

Params with_defaults(const Given& given) {
    std::map<std::string, OptionValue> values;
    for (const OptionSpec& spec : treaty_event_type().options())
        if (spec.default_value) values.emplace(spec.name, *spec.default_value);
    for (const auto& [name, value] : given) values.insert_or_assign(name, value);
    return Params(std::move(values));
}

Date d(int y, unsigned m, unsigned day) { return make_date(y, m, day); }

Given focus2007() {
    return {
        {"title", std::string{"Focus 2007: Towards Universal Participation and Implementation - A Comprehensive "
                              "Legal Framework for Peace, Development and Human Rights"}},
        {"letter_date", d(2007, 5, 9)},
        {"notification_deadline", d(2007, 9, 1)},
        {"event_dates", std::vector<DateRange>{{d(2007, 9, 25), d(2007, 9, 27)}, {d(2007, 10, 1), d(2007, 10, 2)}}},
        {"signatory", std::string{"Ban Ki-moon"}},
        {"treaties", std::vector<std::string>{"Convention on the Rights of Persons with Disabilities",
                                              "International Convention for the Protection of All Persons from "
                                              "Enforced Disappearance"}},
    };
}

struct Built {
    Workflow workflow;
    std::string log;
};

Built build(const Given& given) {
    const Params params = with_defaults(given);
    const Roster roster;
    std::ostringstream log_text;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
    auto log = std::make_shared<spdlog::logger>("treaty_event_test", sink);
    log->set_level(spdlog::level::debug);
    const CampaignContext context{"focus2007", "America/New_York", params, roster, log, {}};
    Built built{treaty_event_type().build_workflow(context), ""};
    log->flush();
    built.log = log_text.str();
    return built;
}

Given without(Given given, const std::string& name) {
    given.erase(name);
    return given;
}

Given with(Given given, const std::string& name, OptionValue value) {
    given.insert_or_assign(name, std::move(value));
    return given;
}

Date milestone_date(const Workflow& workflow, const std::string& id) {
    const Milestone* milestone = workflow.milestone(id);
    REQUIRE(milestone != nullptr);
    return milestone->date;
}

const Step& step(const Workflow& workflow, const std::string& id) {
    const auto it = std::find_if(workflow.steps.begin(), workflow.steps.end(),
                                 [&](const Step& s) { return s.id == id; });
    REQUIRE(it != workflow.steps.end());
    return *it;
}

// The local date a step's `at` trigger falls on.
Date step_date(const Workflow& workflow, const std::string& id) {
    const auto* at = std::get_if<AtTrigger>(&step(workflow, id).trigger);
    REQUIRE(at != nullptr);
    return apply_offset(milestone_date(workflow, at->milestone), at->offset);
}

std::string scalar(const Workflow& workflow, const std::string& name) {
    const auto it = workflow.values.scalars.find(name);
    REQUIRE(it != workflow.values.scalars.end());
    return it->second;
}

void require_error(const Given& given, const std::string& option, const std::string& explanation) {
    REQUIRE_THROWS_AS(build(given), std::runtime_error);
    REQUIRE_THROWS_WITH(build(given), Contains("params." + option) && Contains(explanation));
}

}  // namespace

// ---- General Assembly calendar -------------------------------------------------------

TEST_CASE("regular session opens on the Tuesday of the third week of September until 2022", "[treaty]") {
    using treaty_event::general_debate_opening;
    using treaty_event::regular_session_opening;
    // Actual openings of the 58th to 77th sessions, where they followed the rule.
    CHECK(regular_session_opening(2003) == d(2003, 9, 16));  // 1 September a Monday
    CHECK(regular_session_opening(2004) == d(2004, 9, 14));  // a Wednesday
    CHECK(regular_session_opening(2006) == d(2006, 9, 12));  // a Friday
    CHECK(regular_session_opening(2007) == d(2007, 9, 18));  // a Saturday: counting starts 3 September
    CHECK(regular_session_opening(2012) == d(2012, 9, 18));  // a Saturday
    CHECK(regular_session_opening(2013) == d(2013, 9, 17));  // a Sunday: counting starts 2 September
    CHECK(regular_session_opening(2022) == d(2022, 9, 13));
    CHECK(general_debate_opening(2004) == d(2004, 9, 21));
    CHECK(general_debate_opening(2007) == d(2007, 9, 25));
    CHECK(general_debate_opening(2013) == d(2013, 9, 24));
    CHECK(general_debate_opening(2022) == d(2022, 9, 20));
}

TEST_CASE("from 2023 the session opens in the second week and the debate two weeks later", "[treaty]") {
    using treaty_event::general_debate_opening;
    using treaty_event::regular_session_opening;
    CHECK(regular_session_opening(2023) == d(2023, 9, 5));
    CHECK(general_debate_opening(2023) == d(2023, 9, 19));
    CHECK(regular_session_opening(2024) == d(2024, 9, 10));  // 1 September a Sunday
    CHECK(general_debate_opening(2024) == d(2024, 9, 24));
    CHECK(regular_session_opening(2025) == d(2025, 9, 9));
    CHECK(general_debate_opening(2025) == d(2025, 9, 23));
}

TEST_CASE("every derived opening is a Tuesday inside the rule's window", "[treaty]") {
    using namespace std::chrono;
    for (int year = treaty_event::kFirstRuleYear; year <= 2100; ++year) {
        INFO("year " << year);
        const Date opening = treaty_event::regular_session_opening(year);
        const year_month_day ymd{opening};
        CHECK(weekday{opening} == Tuesday);
        CHECK(ymd.month() == September);
        // The first counted Monday lies between 28 August and 3 September.
        const unsigned earliest = year >= treaty_event::kSecondWeekRuleYear ? 5 : 12;
        CHECK(static_cast<unsigned>(ymd.day()) >= earliest);
        CHECK(static_cast<unsigned>(ymd.day()) <= earliest + 6);
        CHECK(weekday{treaty_event::general_debate_opening(year)} == Tuesday);
    }
}

TEST_CASE("the date rules refuse years before the 58th session", "[treaty]") {
    CHECK_THROWS_AS(treaty_event::regular_session_opening(2002), std::out_of_range);
    CHECK_THROWS_WITH(treaty_event::general_debate_opening(1999), Contains("explicitly"));
    CHECK(treaty_event::session_number(2003) == 58);
    CHECK(treaty_event::session_number(2007) == 62);
    CHECK(treaty_event::session_number(2023) == 78);
}

// ---- the plugin ------------------------------------------------------------------------

TEST_CASE("the plugin loads through its factory and declares one campaign type", "[treaty]") {
    const auto& loaded = treaty_event_plugin();
    REQUIRE(loaded.library.has(OUTREACH_PLUGIN_VERSION_SYMBOL));
    CHECK(loaded.library.get<const std::uint32_t>(OUTREACH_PLUGIN_VERSION_SYMBOL) == OUTREACH_API_VERSION);
    CHECK(loaded.plugin->name() == "treaty_event");
    CHECK(loaded.plugin->version() == "1.1.0");
    REQUIRE(loaded.type != nullptr);
    CHECK(loaded.type->name() == "treaty_event");

    std::set<std::string> names;
    std::set<std::string> required;
    for (const OptionSpec& spec : loaded.type->options()) {
        INFO(spec.name);
        CHECK(names.insert(spec.name).second);
        CHECK(spec.description.size() > 20);
        CHECK_FALSE((spec.required && spec.default_value));
        if (spec.required) required.insert(spec.name);
    }
    CHECK(required == std::set<std::string>{"title", "letter_date", "signatory"});
    CHECK(names.count("reminder_offsets") == 1);
    CHECK(names.count("event_dates") == 1);
}

TEST_CASE("Focus 2007: milestones, steps and reminder dates", "[treaty]") {
    const Workflow workflow = build(focus2007()).workflow;

    CHECK(milestone_date(workflow, "letter_date") == d(2007, 5, 9));
    CHECK(milestone_date(workflow, "notification_deadline") == d(2007, 9, 1));
    CHECK(workflow.milestone("notification_deadline")->deadline);
    CHECK_FALSE(workflow.milestone("event_start")->deadline);
    CHECK(milestone_date(workflow, "event_start") == d(2007, 9, 25));
    CHECK(milestone_date(workflow, "event_end") == d(2007, 10, 2));
    CHECK(milestone_date(workflow, "event_range_1_end") == d(2007, 9, 27));
    CHECK(milestone_date(workflow, "event_range_2_start") == d(2007, 10, 1));

    std::vector<std::string> ids;
    for (const Step& s : workflow.steps) ids.push_back(s.id);
    CHECK(ids == std::vector<std::string>{"invitation", "deadline_reminder_60", "deadline_reminder_30",
                                          "deadline_reminder_14", "publish_booklet", "arrange_signing_slots",
                                          "event_reminder", "follow_up", "acknowledgement_sign",
                                          "acknowledgement_ratify", "acknowledgement_accede"});

    CHECK(step_date(workflow, "invitation") == d(2007, 5, 9));
    CHECK(step_date(workflow, "deadline_reminder_60") == d(2007, 7, 3));
    CHECK(step_date(workflow, "deadline_reminder_30") == d(2007, 8, 2));
    CHECK(step_date(workflow, "deadline_reminder_14") == d(2007, 8, 18));
    CHECK(step_date(workflow, "publish_booklet") == d(2007, 7, 27));
    CHECK(step_date(workflow, "arrange_signing_slots") == d(2007, 9, 2));
    CHECK(step_date(workflow, "event_reminder") == d(2007, 9, 18));
    CHECK(step_date(workflow, "follow_up") == d(2007, 10, 16));

    for (const char* id : {"deadline_reminder_60", "deadline_reminder_30", "deadline_reminder_14"}) {
        INFO(id);
        const Step& reminder = step(workflow, id);
        CHECK(reminder.valid_until == "notification_deadline");
        CHECK(reminder.misfire.kind == MisfirePolicy::Kind::SkipWhenLate);
        CHECK(reminder.misfire.grace == std::chrono::hours(72));
        // Responses win: only States that have not answered at all are reminded.
        CHECK(reminder.audience.kind == Audience::Kind::WithoutResponse);
        CHECK(reminder.audience.response_kind.empty());
        CHECK(std::get<LetterAction>(reminder.action).template_name == "deadline_reminder");
        CHECK(std::get<AtTrigger>(reminder.trigger).time == LocalTime{9, 0});
    }
    CHECK(std::get<LetterAction>(step(workflow, "invitation").action).template_name == "invitation");
    CHECK(step(workflow, "publish_booklet").audience.kind == Audience::Kind::Staff);
    CHECK(std::get<TaskAction>(step(workflow, "publish_booklet").action).template_name == "publish_booklet");
    CHECK(step(workflow, "arrange_signing_slots").audience.kind == Audience::Kind::Staff);
    CHECK(std::get<TaskAction>(step(workflow, "arrange_signing_slots").action).template_name ==
          "arrange_signing_slots");
    CHECK(std::get<LetterAction>(step(workflow, "event_reminder").action).template_name == "event_reminder");
    CHECK(std::get<LetterAction>(step(workflow, "follow_up").action).template_name == "follow_up");
}

TEST_CASE("Focus 2007: template values", "[treaty]") {
    const Workflow workflow = build(focus2007()).workflow;
    CHECK(scalar(workflow, "title").rfind("Focus 2007: Towards Universal Participation", 0) == 0);
    CHECK(scalar(workflow, "signatory") == "Ban Ki-moon");
    CHECK(scalar(workflow, "signatory_title") == "Secretary-General");
    CHECK(scalar(workflow, "letterhead") == "THE SECRETARY-GENERAL");
    CHECK(scalar(workflow, "event_dates_text") == "25 to 27 September and 1 to 2 October 2007");
    CHECK(scalar(workflow, "session_ordinal") == "62nd");
    CHECK(scalar(workflow, "deadline_text") == "1 September 2007");
    CHECK(scalar(workflow, "event_year") == "2007");
    CHECK(scalar(workflow, "has_treaties") == "yes");
    CHECK(workflow.values.lists.at("treaties").size() == 2);

    const Workflow no_treaties = build(with(focus2007(), "treaties", std::vector<std::string>{})).workflow;
    CHECK(no_treaties.values.scalars.count("has_treaties") == 0);
    CHECK(no_treaties.values.lists.at("treaties").empty());
}

TEST_CASE("send_time and the offsets move the steps", "[treaty]") {
    Given given = focus2007();
    given["send_time"] = LocalTime{14, 30};
    given["reminder_offsets"] = std::vector<std::int64_t>{-7, -45};
    given["booklet_publication_offset"] = std::int64_t{-30};
    given["event_reminder_offset"] = std::int64_t{-2};
    given["follow_up_offset"] = std::int64_t{30};
    const Workflow workflow = build(given).workflow;

    std::vector<std::string> reminders;
    for (const Step& s : workflow.steps)
        if (s.id.rfind("deadline_reminder_", 0) == 0) reminders.push_back(s.id);
    CHECK(reminders == std::vector<std::string>{"deadline_reminder_45", "deadline_reminder_7"});
    CHECK(step_date(workflow, "deadline_reminder_7") == d(2007, 8, 25));
    CHECK(step_date(workflow, "publish_booklet") == d(2007, 8, 26));
    CHECK(step_date(workflow, "event_reminder") == d(2007, 9, 23));
    CHECK(step_date(workflow, "follow_up") == d(2007, 11, 1));
    for (const Step& s : workflow.steps) {
        INFO(s.id);
        if (const auto* at = std::get_if<AtTrigger>(&s.trigger)) CHECK(at->time == LocalTime{14, 30});
        else CHECK(std::get<OnResponseTrigger>(s.trigger).time == LocalTime{14, 30});
    }
}

TEST_CASE("without event_dates the event runs from the general debate's opening", "[treaty]") {
    const Built built = build(without(focus2007(), "event_dates"));
    CHECK(milestone_date(built.workflow, "event_start") == d(2007, 9, 25));
    CHECK(milestone_date(built.workflow, "event_end") == d(2007, 9, 28));
    CHECK(built.workflow.milestone("event_range_1_start") == nullptr);
    CHECK(scalar(built.workflow, "event_dates_text") == "25 to 28 September 2007");
    CHECK_THAT(built.log, Contains("derived") && Contains("2007-09-25"));

    Given focus2004 = without(focus2007(), "event_dates");
    focus2004["letter_date"] = d(2004, 3, 12);
    focus2004.erase("notification_deadline");
    const Workflow workflow2004 = build(focus2004).workflow;
    CHECK(scalar(workflow2004, "event_dates_text") == "21 to 24 September 2004");
    CHECK(scalar(workflow2004, "session_ordinal") == "59th");
    CHECK(milestone_date(workflow2004, "notification_deadline") == d(2004, 9, 1));

    // An invitation sent the year before names the event's year.
    Given next_year = without(focus2007(), "event_dates");
    next_year["letter_date"] = d(2023, 11, 15);
    next_year["notification_deadline"] = d(2024, 9, 1);
    next_year["event_year"] = std::int64_t{2024};
    next_year["derived_event_days"] = std::int64_t{2};
    const Workflow workflow2024 = build(next_year).workflow;
    CHECK(milestone_date(workflow2024, "event_start") == d(2024, 9, 24));
    CHECK(milestone_date(workflow2024, "event_end") == d(2024, 9, 25));
    CHECK(scalar(workflow2024, "session_ordinal") == "79th");
}

TEST_CASE("session ordinals follow English usage", "[treaty]") {
    const std::map<std::int64_t, std::string> expected{
        {2016, "71st"}, {2017, "72nd"}, {2018, "73rd"}, {2011, "66th"},
        {2046, "101st"}, {2056, "111th"}, {2057, "112th"}, {2058, "113th"}};
    for (const auto& [year, ordinal] : expected) {
        INFO(year);
        Given given = without(without(focus2007(), "event_dates"), "notification_deadline");
        given["letter_date"] = make_date(static_cast<int>(year), 3, 1);
        CHECK(scalar(build(given).workflow, "session_ordinal") == ordinal);
    }
}

TEST_CASE("explicit event dates win over the General Assembly's rules", "[treaty]") {
    // 2005: the World Summit moved the treaty event ahead of the debate.
    Given given = focus2007();
    given["letter_date"] = d(2005, 4, 1);
    given["notification_deadline"] = d(2005, 8, 15);
    given["event_dates"] = std::vector<DateRange>{{d(2005, 9, 14), d(2005, 9, 16)}};
    const Built built = build(given);
    CHECK(milestone_date(built.workflow, "event_start") == d(2005, 9, 14));
    CHECK(milestone_date(built.workflow, "event_end") == d(2005, 9, 16));
    CHECK(scalar(built.workflow, "event_dates_text") == "14 to 16 September 2005");
    CHECK(scalar(built.workflow, "event_year") == "2005");
    CHECK_THAT(built.log, !Contains("derived"));

    given["event_dates"] = std::vector<DateRange>{{d(2005, 9, 29), d(2005, 10, 1)}, {d(2005, 10, 5), d(2005, 10, 5)}};
    CHECK(scalar(build(given).workflow, "event_dates_text") == "29 September to 1 October and 5 October 2005");
}

TEST_CASE("inconsistent dates are refused with a message naming the option", "[treaty]") {
    const Given base = focus2007();
    require_error(with(base, "letter_date", d(2007, 9, 5)), "letter_date", "is not before the notification deadline");
    require_error(with(base, "notification_deadline", d(2007, 9, 26)), "notification_deadline",
                  "is not before the first event day 2007-09-25");
    // The default deadline (1 September) cannot precede an August event.
    require_error(without(with(base, "event_dates", std::vector<DateRange>{{d(2007, 8, 20), d(2007, 8, 22)}}),
                          "notification_deadline"),
                  "notification_deadline", "the default, 1 September");

    require_error(with(base, "event_dates", std::vector<DateRange>{}), "event_dates", "is empty");
    require_error(with(base, "event_dates", std::vector<DateRange>{{d(2007, 9, 27), d(2007, 9, 25)}}), "event_dates",
                  "range 1 [2007-09-27, 2007-09-25] ends before it starts");
    require_error(with(base, "event_dates",
                       std::vector<DateRange>{{d(2007, 10, 1), d(2007, 10, 2)}, {d(2007, 9, 25), d(2007, 9, 27)}}),
                  "event_dates", "date order");
    require_error(with(base, "event_dates",
                       std::vector<DateRange>{{d(2007, 9, 25), d(2007, 9, 27)}, {d(2007, 9, 27), d(2007, 9, 28)}}),
                  "event_dates", "range 2 [2007-09-27, 2007-09-28] overlaps range 1");
    require_error(with(base, "event_year", std::int64_t{2008}), "event_year", "disagrees with event_dates");
}

TEST_CASE("bad offsets and derivation inputs are refused with a message naming the option", "[treaty]") {
    const Given base = focus2007();
    require_error(with(base, "reminder_offsets", std::vector<std::int64_t>{-30, 5}), "reminder_offsets",
                  "5 is positive");
    require_error(with(base, "reminder_offsets", std::vector<std::int64_t>{0}), "reminder_offsets",
                  "falls on the notification deadline");
    require_error(with(base, "reminder_offsets", std::vector<std::int64_t>{-30, -30}), "reminder_offsets",
                  "listed twice");
    require_error(with(base, "reminder_offsets", std::vector<std::int64_t>{-120}), "reminder_offsets",
                  "not after the invitation");
    require_error(with(base, "event_reminder_offset", std::int64_t{2}), "event_reminder_offset",
                  "after the event has begun");
    require_error(with(base, "follow_up_offset", std::int64_t{-1}), "follow_up_offset", "before the event has ended");
    require_error(with(base, "booklet_publication_offset", std::int64_t{-100000}), "booklet_publication_offset",
                  "more than ten years");

    const Given derived = without(base, "event_dates");
    require_error(with(derived, "derived_event_days", std::int64_t{0}), "derived_event_days",
                  "is not between 1 and 31");
    require_error(with(derived, "event_year", std::int64_t{2001}), "event_year", "give event_dates explicitly");
    require_error(without(with(derived, "letter_date", d(2001, 5, 1)), "notification_deadline"), "letter_date",
                  "give event_dates explicitly");
    require_error(with(base, "title", std::string{"  "}), "title", "must not be blank");
}
