// The ct_strategy_review plugin: its params checks, and the shipped campaign
// simulated on the real dates of the President of the General Assembly's letter
// of 7 November 2007 (informal meeting on 4 December 2007, formal review on 4-5
// September 2008) with registrations arriving during the season, letter by letter.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "outreach/plugin.hpp"
#include "runtime.hpp"
#include "schedule/scheduler.hpp"
#include "season_runner.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::test;
using Catch::Matchers::Contains;

namespace {

const std::string kZone = "America/New_York";
const std::string kCampaign = "ct-strategy-2007";

Instant at_nine(int y, unsigned m, unsigned d) { return to_instant(make_date(y, m, d), {9, 0}, kZone); }

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

// The text between `from` and `to` (or the end), empty when `from` is absent.
std::string between(const std::string& text, const std::string& from, const std::string& to) {
    const auto start = text.find(from);
    if (start == std::string::npos) return {};
    const auto end = to.empty() ? std::string::npos : text.find(to, start + from.size());
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// ---- the plugin, loaded the way the host loads it ---------------------------------
struct LoadedPlugin {
    boost::dll::shared_library library;  // declared first: destroyed last
    std::unique_ptr<Plugin> plugin;
    std::shared_ptr<CampaignType> type;
};

const CampaignType& ct_type() {
    static const LoadedPlugin loaded = [] {
        LoadedPlugin result;
        result.library.load(std::filesystem::path(OUTREACH_PLUGIN_DIR) / "liboutreach_ct_strategy_review.so");
        auto& create = result.library.get_alias<PluginFactory>(OUTREACH_PLUGIN_FACTORY_ALIAS);
        result.plugin = create();
        const auto types = result.plugin->campaign_types();
        if (types.size() == 1) result.type = types.front();
        return result;
    }();
    REQUIRE(loaded.type != nullptr);
    return *loaded.type;
}

using Given = std::map<std::string, OptionValue>;

Given kerim2007() {
    return {
        {"letter_date", make_date(2007, 11, 7)},
        {"meeting_date", make_date(2007, 12, 4)},
        {"formal_review_date", make_date(2008, 9, 4)},
        {"formal_review_end", make_date(2008, 9, 5)},
        {"signatory", std::string{"Srgjan Kerim"}},
    };
}

Workflow build(const Given& given) {
    std::map<std::string, OptionValue> values;
    for (const OptionSpec& spec : ct_type().options())
        if (spec.default_value) values.emplace(spec.name, *spec.default_value);
    for (const auto& [name, value] : given) values.insert_or_assign(name, value);
    const Params params(std::move(values));
    const Roster roster = small_roster();
    const CampaignContext context{"ct-test", kZone, params, roster, nullptr, {}};
    return ct_type().build_workflow(context);
}

std::string build_error(Given given, const std::string& name, OptionValue value) {
    given.insert_or_assign(name, std::move(value));
    try {
        build(given);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("ct_strategy_review workflow: milestones from the letter's dates, params checked", "[ct]") {
    const Workflow workflow = build(kerim2007());
    const auto date_of = [&](const std::string& id) {
        const Milestone* m = workflow.milestone(id);
        REQUIRE(m != nullptr);
        return m->date;
    };
    CHECK(date_of("programme") == make_date(2007, 11, 20));          // 14 days before the meeting
    CHECK(date_of("speakers_deadline") == make_date(2007, 11, 29));  // meeting - 5 days
    CHECK(workflow.milestone("speakers_deadline")->deadline);
    CHECK(date_of("formal_review_end") == make_date(2008, 9, 5));
    CHECK(workflow.values.scalars.at("since_adoption_text") == "just over a year");
    CHECK(workflow.values.scalars.at("until_formal_review_text") == "some 10 months");
    CHECK(workflow.values.scalars.at("formal_review_dates_text") == "4 to 5 September 2008");
    CHECK(workflow.values.scalars.at("pillar_4_name") == "human rights and the rule of law");
    CHECK(workflow.values.lists.at("pillars").size() == 4);
    for (const auto& s : workflow.steps)
        if (const auto* letter = std::get_if<LetterAction>(&s.action))
            CHECK(letter->roles == std::vector<std::string>{"permanent_representative"});

    const Given base = kerim2007();
    CHECK(build_error(base, "speakers_deadline", make_date(2007, 12, 5)) ==
          "params.speakers_deadline: 2007-12-05 is not between letter_date 2007-11-07 (excluded) and meeting_date "
          "2007-12-04");
    CHECK_THAT(build_error(base, "programme_lead_days", std::int64_t{30}),
               Contains("params.programme_lead_days: 30 days before the meeting is 2007-11-04, not after letter_date"));
    CHECK_THAT(build_error(base, "speakers_reminder_offset", std::int64_t{2}),
               Contains("params.speakers_reminder_offset: 2 would remind States when the list of speakers has closed"));
    CHECK_THAT(build_error(base, "formal_review_date", make_date(2007, 12, 1)),
               Contains("params.formal_review_date: 2007-12-01 is not after meeting_date 2007-12-04"));
    CHECK_THAT(build_error(base, "formal_review_end", make_date(2008, 9, 3)),
               Contains("params.formal_review_end: 2008-09-03 is before formal_review_date 2008-09-04"));
    CHECK_THAT(build_error(base, "meeting_date", make_date(2007, 11, 1)),
               Contains("params.meeting_date: 2007-11-01 is not after letter_date 2007-11-07"));
    CHECK_THAT(build_error(base, "signatory", std::string{"  "}), Contains("params.signatory: must not be blank"));
}

TEST_CASE("Counter-terrorism strategy meeting 2007, letter by letter", "[ct][season]") {
    ScratchDir dir;
    Diagnostics diagnostics;
    auto runtime = load_runtime(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml", diagnostics);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    std::erase_if(runtime->campaigns, [](const Campaign& c) { return c.id() != kCampaign; });
    REQUIRE(runtime->campaigns.size() == 1);
    const Campaign& campaign = runtime->campaigns.front();
    std::set<std::string> everyone;
    for (const auto& state : campaign.roster.states()) everyone.insert(state.code);
    REQUIRE(everyone.size() == 194);  // 192 Member States in 2007 and the two observer States
    CHECK(everyone.count("VAT"));
    CHECK(everyone.count("PSE"));

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(make_date(2007, 11, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const std::vector<ScriptedResponse> script{
        {"ESP", "will_speak", "I", at_nine(2007, 11, 12)},
        {"USA", "will_speak", "II", to_instant(make_date(2007, 11, 14), {15, 0}, kZone)},
        {"ARG", "will_attend", "", at_nine(2007, 11, 15)},
        {"NOR", "declined", "", at_nine(2007, 11, 16)},
        {"TUV", "declined", "No delegation in New York", at_nine(2007, 11, 19)},
        {"CHE", "will_speak", "IV", at_nine(2007, 11, 20)},
        {"EGY", "will_speak", "I", at_nine(2007, 11, 21)},
        {"JPN", "will_attend", "", at_nine(2007, 11, 23)},
        {"CHE", "will_speak", "III", at_nine(2007, 11, 27)},  // a second pillar
        {"VAT", "will_attend", "", at_nine(2007, 11, 28)},    // a Permanent Observer
        {"BRA", "will_speak", "II", at_nine(2007, 11, 30)},   // after the list closed
        {"ARG", "declined", "", at_nine(2007, 12, 1)},         // withdraws
        {"NOR", "will_speak", "IV", at_nine(2007, 12, 2)},     // changes its mind
    };
    run_season(scheduler, journal, clock, kCampaign, script, start_of_day(make_date(2009, 1, 1), kZone));

    std::map<std::string, std::set<std::string>> recipients;      // step -> States
    std::map<std::string, std::map<std::string, int>> per_state;  // step -> State -> letters
    std::map<std::string, std::set<Instant>> when;                // step -> instants
    std::string task;
    for (const auto& d : journal.deliveries(kCampaign)) {
        const Letter& letter = d.letter;
        CHECK(d.status == DeliveryStatus::Delivered);
        when[letter.step].insert(letter.scheduled);
        if (letter.is_task) {
            task = flat(letter.body);
            continue;
        }
        INFO(letter.idempotency_key);
        CHECK(letter.idempotency_key.ends_with("/" + letter.state + "/permanent_representative"));
        CHECK(letter.to_email.starts_with("mission."));
        recipients[letter.step].insert(letter.state);
        ++per_state[letter.step][letter.state];
        const std::string body = flat(letter.body);
        // French- and Spanish-speaking States get their letters in their language
        // (letter_languages_test.cpp checks those); the wording here is the English.
        if (letter.language != "en") {
            CHECK(((letter.language == "fr" && body.find("Excellence,") != std::string::npos) ||
                   (letter.language == "es" && body.find("Excelencia:") != std::string::npos)));
            continue;
        }
        CHECK_THAT(body, Contains("Excellency,"));
        CHECK_THAT(body, Contains("Please accept, Excellency, the assurances of my highest consideration. Srgjan "
                                  "Kerim All Permanent Representatives and Permanent Observers to the United "
                                  "Nations New York"));
        if (letter.step == "invitation") {
            CHECK_THAT(body, Contains("THE PRESIDENT OF THE GENERAL ASSEMBLY 7 November 2007 Excellency, I intend to "
                                      "convene an informal meeting of the General Assembly on 4 December 2007"));
            CHECK_THAT(body, Contains("Now, just over a year since the adoption of the Strategy and some 10 months "
                                      "before the formal review"));
        }
        if (letter.step == "programme") {
            CHECK_THAT(body, Contains("- Pillar I: Measures to address the conditions conducive to the spread of "
                                      "terrorism - Pillar II: Measures to prevent and combat terrorism - Pillar III:"));
            CHECK_THAT(body, Contains("by 29 November 2007"));
        }
    }
    for (const auto& [step, states] : per_state)
        for (const auto& [state, n] : states) CHECK(n == 1);

    // Invitation, programme and formal review invitation: every Permanent
    // Representative and Permanent Observer, once, on their dates.
    CHECK(recipients["invitation"] == everyone);
    CHECK(when["invitation"] == std::set<Instant>{at_nine(2007, 11, 7)});
    CHECK(recipients["programme"] == everyone);
    CHECK(when["programme"] == std::set<Instant>{at_nine(2007, 11, 20)});
    CHECK(recipients["formal_review_invitation"] == everyone);
    // 60 days before: Sunday 6 July 2008, rolled to the next working day.
    CHECK(when["formal_review_invitation"] == std::set<Instant>{at_nine(2008, 7, 7)});

    // The speakers' reminder three days before the list closes, to those who had not answered.
    CHECK(when["speakers_reminder"] == std::set<Instant>{at_nine(2007, 11, 26)});
    CHECK(*when["speakers_reminder"].begin() < start_of_day(make_date(2007, 11, 29), kZone));
    std::set<std::string> unanswered = everyone;
    for (const auto& r : script)
        if (r.at <= at_nine(2007, 11, 26)) unanswered.erase(r.state);
    CHECK(unanswered.size() == 194 - 8);
    CHECK(recipients["speakers_reminder"] == unanswered);

    // The day before, only those attending then (ARG withdrew, NOR came back, TUV declined).
    CHECK(when["day_before_reminder"] == std::set<Instant>{at_nine(2007, 12, 3)});
    CHECK(recipients["day_before_reminder"] ==
          std::set<std::string>{"BRA", "CHE", "EGY", "ESP", "JPN", "NOR", "USA", "VAT"});

    // The staff task the day after: the speakers by pillar, in order of inscription.
    CHECK(when["post_meeting_task"] == std::set<Instant>{at_nine(2007, 12, 5)});
    REQUIRE_FALSE(task.empty());
    const std::string pillar_1 = between(task, "Pillar I:", "Pillar II:");
    const std::string pillar_2 = between(task, "Pillar II:", "Pillar III:");
    const std::string pillar_3 = between(task, "Pillar III:", "Pillar IV:");
    const std::string pillar_4 = between(task, "Pillar IV:", "Delegations registered");
    CHECK_THAT(pillar_1, Contains("terrorism (2) - Spain (ESP) - Egypt (EGY)"));
    CHECK_THAT(pillar_2, Contains("combat terrorism (2) - United States of America (USA) - Brazil (BRA)"));
    CHECK_THAT(pillar_3, Contains("in this regard (1) - Switzerland (CHE)"));
    CHECK_THAT(pillar_4, Contains("against terrorism (2) - Switzerland (CHE) - Norway (NOR)"));
    CHECK_THAT(task, Contains("list of speakers (7 interventions)"));
    CHECK_THAT(task, Contains("Delegations registered to attend (speakers included): 8. Declined: 2. Did not answer: 184."));
    CHECK(task.find("Argentina") == std::string::npos);

    CHECK(when.size() == 6);  // nothing else was sent
    CHECK(journal.deliveries(kCampaign).size() == 194 * 3 + 186 + 8 + 1);
}
