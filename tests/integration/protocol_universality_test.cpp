// The protocol_universality plugin: its State-list files, its params checks, and the
// shipped Amended Protocol II campaign simulated on the real dates of the
// Secretary-General's letter of 24 July 2006 with responses arriving during the
// season, checked letter by letter.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <sys/stat.h>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "outreach/plugin.hpp"
#include "outreach/text_file.hpp"
#include "runtime.hpp"
#include "schedule/scheduler.hpp"
#include "season_runner.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

// The plugin is a MODULE with hidden visibility, so its parser cannot be linked;
// it is a pure function, compiled here once more to be tested directly.
#include "../../plugins/protocol_universality/state_list_file.cpp"

using namespace outreach;
using namespace outreach::test;
using Catch::Matchers::Contains;
using outreach::protocol_universality::parse_state_list;
using outreach::protocol_universality::read_state_list;
using outreach::protocol_universality::StateListError;

namespace {

const std::string kZone = "America/New_York";
const std::string kCampaign = "ap2-universality-2006";

std::string parse_error(const std::string& text) {
    std::istringstream in(text);
    try {
        parse_state_list(in, "bound.txt");
    } catch (const StateListError& e) {
        return e.what();
    }
    return "no error";
}

// Collapses every run of white space into one space, so phrases can be found in
// bodies the composer has wrapped.
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

Instant at_nine(int y, unsigned m, unsigned d) { return to_instant(make_date(y, m, d), {9, 0}, kZone); }

// ---- the plugin, loaded the way the host loads it ---------------------------------
struct LoadedPlugin {
    boost::dll::shared_library library;  // declared first: destroyed last
    std::unique_ptr<Plugin> plugin;
    std::shared_ptr<CampaignType> type;
};

const CampaignType& universality_type() {
    static const LoadedPlugin loaded = [] {
        LoadedPlugin result;
        result.library.load(std::filesystem::path(OUTREACH_PLUGIN_DIR) / "liboutreach_protocol_universality.so");
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
    for (const OptionSpec& spec : universality_type().options())
        if (spec.default_value) values.emplace(spec.name, *spec.default_value);
    for (const auto& [name, value] : given) values.insert_or_assign(name, value);
    return Params(std::move(values));
}

std::map<std::string, OptionValue> valid_params() {
    return {
        {"instrument", std::string{"Amended Protocol II (CCW)"}},
        {"letter_date", make_date(2006, 7, 24)},
        {"bound_states_file", std::string{"bound.txt"}},
        {"campaign_end", make_date(2008, 12, 31)},
        {"signatory", std::string{"Kofi A. Annan"}},
    };
}

Workflow build_in(const std::filesystem::path& dir, const std::map<std::string, OptionValue>& given) {
    const Params params = params_with(given);
    const Roster roster = small_roster();
    const CampaignContext context{"ap2-test", kZone, params, roster, nullptr, dir};
    return universality_type().build_workflow(context);
}

std::string build_error(const std::filesystem::path& dir, const std::map<std::string, OptionValue>& given) {
    try {
        build_in(dir, given);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("State-list files: codes, comments and errors with file:line:column", "[ap2]") {
    std::istringstream good("# States bound\n\nFRA  # France\n  chl\t# Chile, lower case\nCIV\n");
    const auto list = parse_state_list(good, "bound.txt");
    REQUIRE(list.size() == 3);
    CHECK(list.entries[0].code == "FRA");
    CHECK(list.entries[0].line == 3);
    CHECK(list.entries[1].code == "CHL");
    CHECK(list.entries[1].line == 4);
    CHECK(list.contains("CIV"));
    CHECK_FALSE(list.contains("DEU"));

    CHECK(parse_error("FRA\n\nFR\n") == "bound.txt:3:1: 'FR' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
    CHECK(parse_error("  FR4 # typo\n") ==
          "bound.txt:1:3: 'FR4' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
    CHECK(parse_error("FRA\nCHL DEU\n") ==
          "bound.txt:2:5: one alpha-3 code per line, found more after 'CHL' (put names in a # comment)");
    CHECK(parse_error("FRA\nCHL\n  fra\n") == "bound.txt:3:3: FRA is listed twice (first on line 1)");
    CHECK(parse_error("France\n") ==
          "bound.txt:1:1: 'France' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");

    ScratchDir dir;
    CHECK_THROWS_WITH(read_state_list(dir / "missing.txt"), (dir / "missing.txt").string() + ": file not found");
}

TEST_CASE("protocol_universality State lists: bounded, regular files, UTF-8 only", "[ap2][hardening]") {
    ScratchDir dir;
    auto given = valid_params();
    const auto refused = [&](const std::string& file) {
        given["bound_states_file"] = file;
        return build_error(dir.path(), given);
    };
    write_file(dir / "latin1.txt", "FRA\nCIV # C\xF4te d'Ivoire\n");
    CHECK(refused("latin1.txt") == "params.bound_states_file: " + (dir / "latin1.txt").string() +
                                       ":2:8: not valid UTF-8 (byte 0xF4): save the file as UTF-8");
    // Larger than the limit (16 MiB): refused from its size, before it is read.
    write_file(dir / "huge.txt", "FRA\n");
    std::filesystem::resize_file(dir / "huge.txt", kTextFileMaxBytes + 1);
    CHECK(refused("huge.txt") == "params.bound_states_file: " + (dir / "huge.txt").string() + ": file is " +
                                     std::to_string(kTextFileMaxBytes + 1) +
                                     " bytes, more than the limit of 16 MiB (docs/security.md)");
    // A FIFO would have blocked the load until someone wrote to it.
    REQUIRE(::mkfifo((dir / "fifo.txt").c_str(), 0600) == 0);
    CHECK(refused("fifo.txt") ==
          "params.bound_states_file: " + (dir / "fifo.txt").string() + ": file is not a regular file");
    std::filesystem::create_symlink("/dev/zero", dir / "zero.txt");
    CHECK(refused("zero.txt") ==
          "params.bound_states_file: " + (dir / "zero.txt").string() + ": file is not a regular file");
}

TEST_CASE("protocol_universality params: files relative to the campaign, errors naming option and line", "[ap2]") {
    ScratchDir dir;
    write_file(dir / "bound.txt", "FRA\n");
    write_file(dir / "lists/priority.txt", "CIV\nCHL\n");
    auto given = valid_params();
    given["priority_group_file"] = std::string{"lists/priority.txt"};
    const Workflow workflow = build_in(dir.path(), given);
    CHECK(workflow.values.scalars.at("bound_at_start") == "1");
    const auto steps = [&] {
        std::vector<std::string> ids;
        for (const auto& s : workflow.steps) ids.push_back(s.id);
        return ids;
    }();
    CHECK(steps == std::vector<std::string>{"invitation_priority", "invitation", "follow_up", "thank_you"});
    // The first follow-up is six months after the letter, not on the letter's day.
    const auto& every = std::get<EveryTrigger>(workflow.steps[2].trigger);
    CHECK(apply_offset(make_date(2006, 7, 24), every.from_offset) == make_date(2007, 1, 24));
    for (const auto& s : workflow.steps)
        if (const auto* letter = std::get_if<LetterAction>(&s.action))
            CHECK(letter->roles == std::vector<std::string>{"head_of_state"});

    write_file(dir / "bad.txt", "FRA\n# comment\n  XX\n");
    given["bound_states_file"] = std::string{"bad.txt"};
    CHECK(build_error(dir.path(), given) ==
          "params.bound_states_file: " + (dir / "bad.txt").string() +
              ":3:3: 'XX' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
    given["bound_states_file"] = std::string{"bound.txt"};
    write_file(dir / "lists/priority.txt", "CIV\nCHL\nCIV\n");
    CHECK(build_error(dir.path(), given) == "params.priority_group_file: " + (dir / "lists/priority.txt").string() +
                                                ":3:1: CIV is listed twice (first on line 1)");
    given.erase("priority_group_file");
    CHECK(build_in(dir.path(), given).steps.front().id == "invitation");  // no priority group, no priority step

    CHECK_THAT(build_error(dir.path(), [&] {
                   auto g = given;
                   g["follow_up_rrule"] = std::string{"FREQ=SOMETIMES"};
                   return g;
               }()),
               Contains("params.follow_up_rrule: 'FREQ=SOMETIMES' is not a valid RFC 5545 RRULE"));
    CHECK_THAT(build_error(dir.path(), [&] {
                   auto g = given;
                   g["campaign_end"] = make_date(2006, 12, 31);
                   return g;
               }()),
               Contains("params.follow_up_rrule: 'FREQ=MONTHLY;INTERVAL=6' started on letter_date 2006-07-24 has no "
                        "occurrence after it and before campaign_end 2006-12-31"));
    CHECK_THAT(build_error(dir.path(), [&] {
                   auto g = given;
                   g["campaign_end"] = make_date(2006, 7, 1);
                   return g;
               }()),
               Contains("params.campaign_end: 2006-07-01 is not after letter_date 2006-07-24"));
    CHECK_THAT(build_error(dir.path(), [&] {
                   auto g = given;
                   g["conference_dates"] = std::vector<DateRange>{{make_date(2007, 11, 5), make_date(2007, 11, 5)},
                                                                  {make_date(2006, 11, 6), make_date(2006, 11, 6)}};
                   return g;
               }()),
               Contains("params.conference_dates: conference 2 [2006-11-06, 2006-11-06] does not start after "
                        "conference 1 [2007-11-05, 2007-11-05]"));
    CHECK_THAT(build_error(dir.path(), [&] {
                   auto g = given;
                   g["conference_report_offset"] = std::int64_t{3};
                   return g;
               }()),
               Contains("params.conference_report_offset: 3 would report after the conference has opened"));
    CHECK_THAT(build_error(dir.path(), [&] {
                   auto g = given;
                   g["bound_states_file"] = std::string{"nowhere.txt"};
                   return g;
               }()),
               Contains("params.bound_states_file: " + (dir / "nowhere.txt").string() + ": file not found"));
}

TEST_CASE("Amended Protocol II season 2006-2008, letter by letter", "[ap2][season]") {
    ScratchDir dir;
    Diagnostics diagnostics;
    auto runtime = load_runtime(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml", diagnostics);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    std::erase_if(runtime->campaigns, [](const Campaign& c) { return c.id() != kCampaign; });
    REQUIRE(runtime->campaigns.size() == 1);
    const Campaign& campaign = runtime->campaigns.front();

    const std::filesystem::path lists_dir = std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/campaigns";
    const auto bound = read_state_list(lists_dir / "ap2-bound-2006.txt");
    const auto priority = read_state_list(lists_dir / "ap2-original-protocol-ii-parties.txt");
    REQUIRE(bound.size() == 86);  // the letter's figure
    std::set<std::string> not_bound, priority_not_bound;
    for (const auto& state : campaign.roster.states()) {
        if (bound.contains(state.code)) continue;
        not_bound.insert(state.code);
        if (priority.contains(state.code)) priority_not_bound.insert(state.code);
    }
    REQUIRE(priority_not_bound.size() == 16);
    CHECK_FALSE(campaign.roster.find("SSD"));  // no South Sudan in 2006

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(make_date(2006, 7, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const std::vector<ScriptedResponse> script{
        {"UGA", "in_progress", "Before Parliament", to_instant(make_date(2006, 9, 20), {10, 0}, kZone)},
        {"MEX", "consented", "", to_instant(make_date(2006, 10, 12), {16, 45}, kZone)},  // priority group
        {"CUB", "declined", "Not at this time", at_nine(2006, 12, 1)},                   // still followed up
        {"UGA", "consented", "", to_instant(make_date(2007, 3, 15), {11, 30}, kZone)},  // after one follow-up
        {"DOM", "consented", "", at_nine(2007, 6, 5)},                                   // not in the priority group
    };
    run_season(scheduler, journal, clock, kCampaign, script, start_of_day(make_date(2009, 6, 1), kZone));

    std::map<std::string, std::set<std::string>> recipients;               // step -> States
    std::map<std::string, std::map<std::string, int>> per_state;           // step -> State -> letters
    std::map<std::string, std::set<Instant>> when;                         // step -> instants
    std::map<std::string, std::vector<Instant>> follow_ups;                // State -> follow-up instants
    std::vector<std::string> reports;
    for (const auto& d : journal.deliveries(kCampaign)) {
        const Letter& letter = d.letter;
        CHECK(d.status == DeliveryStatus::Delivered);
        when[letter.step].insert(letter.scheduled);
        if (letter.is_task) {
            reports.push_back(flat(letter.body));
            continue;
        }
        INFO(letter.idempotency_key);
        // To Heads of State or Government only, never to a State bound at the start.
        CHECK(letter.idempotency_key.ends_with("/" + letter.state + "/head_of_state"));
        CHECK(letter.to_email.starts_with("head-of-state."));
        CHECK_FALSE(bound.contains(letter.state));
        recipients[letter.step].insert(letter.state);
        ++per_state[letter.step][letter.state];
        const std::string body = flat(letter.body);
        if (letter.step == "follow_up") follow_ups[letter.state].push_back(letter.scheduled);
        // French- and Spanish-speaking States get their letters in their language
        // (letter_languages_test.cpp checks those); the wording here is the English.
        if (letter.language != "en") {
            CHECK(((letter.language == "fr" && body.find("Excellence,") != std::string::npos) ||
                   (letter.language == "es" && body.find("Excelencia:") != std::string::npos)));
            const bool priority_paragraph = body.find("En tant que partie au Protocole II initial") != std::string::npos ||
                                            body.find("como parte en el Protocolo II original") != std::string::npos;
            if (letter.step.starts_with("invitation")) CHECK(priority_paragraph == (letter.step == "invitation_priority"));
            continue;
        }
        CHECK_THAT(body, Contains("Excellency,"));
        CHECK_THAT(body, Contains("Please accept, Excellency, the assurances of my highest consideration. Kofi A. Annan"));
        // The addressee block at the foot; no blank line for the name not filled in, and
        // no honorific standing alone without it.
        CHECK_THAT(letter.body, Contains("\n\nHead of State or Government of "));
        CHECK_THAT(letter.body, !Contains("\nExcellency\n"));
        if (letter.step == "invitation" || letter.step == "invitation_priority") {
            CHECK_THAT(body, Contains("86 States have notified their consent to be bound"));
            const bool priority_paragraph = body.find("Your country, as a party to the original Protocol II") != std::string::npos;
            CHECK(priority_paragraph == (letter.step == "invitation_priority"));
        }
    }

    // Invitations on 24 July 2006, 09:00 New York: the priority paragraph exactly to
    // the priority group not yet bound, the plain letter to every other State not bound.
    CHECK(when["invitation"] == std::set<Instant>{at_nine(2006, 7, 24)});
    CHECK(when["invitation_priority"] == std::set<Instant>{at_nine(2006, 7, 24)});
    CHECK(recipients["invitation_priority"] == priority_not_bound);
    std::set<std::string> others;
    std::set_difference(not_bound.begin(), not_bound.end(), priority_not_bound.begin(), priority_not_bound.end(),
                        std::inserter(others, others.end()));
    CHECK(recipients["invitation"] == others);
    CHECK(recipients["invitation"].size() == 92);
    for (const auto& [state, n] : per_state["invitation"]) CHECK(n == 1);

    // Follow-ups every six months from the letter, never on its day, none after campaign_end.
    CHECK(when["follow_up"] ==
          std::set<Instant>{at_nine(2007, 1, 24), at_nine(2007, 7, 24), at_nine(2008, 1, 24), at_nine(2008, 7, 24)});
    // Nobody is followed up once it has consented.
    for (const auto& r : script) {
        if (r.kind != "consented") continue;
        for (const Instant t : follow_ups[r.state]) CHECK(t < r.at);
    }
    CHECK(follow_ups["MEX"].empty());
    CHECK(follow_ups["UGA"] == std::vector<Instant>{at_nine(2007, 1, 24)});
    CHECK(follow_ups["DOM"] == std::vector<Instant>{at_nine(2007, 1, 24)});
    CHECK(follow_ups["CUB"].size() == 4);  // declining does not stop the follow-ups
    std::map<Instant, std::size_t> follow_up_sizes;
    for (const auto& [state, instants] : follow_ups)
        for (const Instant t : instants) ++follow_up_sizes[t];
    CHECK(follow_up_sizes[at_nine(2007, 1, 24)] == 107);  // 108 not bound, Mexico consented
    CHECK(follow_up_sizes[at_nine(2007, 7, 24)] == 105);
    CHECK(follow_up_sizes[at_nine(2008, 7, 24)] == 105);

    // A thank-you the day after each consent, to that State only.
    CHECK(per_state["thank_you"] == std::map<std::string, int>{{"DOM", 1}, {"MEX", 1}, {"UGA", 1}});
    CHECK(when["thank_you"] == std::set<Instant>{at_nine(2006, 10, 13), at_nine(2007, 3, 16), at_nine(2007, 6, 6)});

    // Conference reports a week before each conference, with the figures then.
    CHECK(when["conference_report_1"] == std::set<Instant>{at_nine(2006, 10, 30)});
    CHECK(when["conference_report_2"] == std::set<Instant>{at_nine(2007, 10, 29)});
    REQUIRE(reports.size() == 2);
    CHECK_THAT(reports[0], Contains("opening on 6 November 2006"));
    CHECK_THAT(reports[0], Contains("at the start of the campaign (24 July 2006): 86"));
    CHECK_THAT(reports[0], Contains("now: 87 (1 notified their consent since)"));
    CHECK_THAT(reports[0], Contains("not yet bound, among the States written to: 107, of which 15 party to the "
                                    "original Protocol II"));
    CHECK_THAT(reports[0], Contains("- Mexico (MEX), 12 October 2006"));
    CHECK_THAT(reports[0], Contains("- Uganda (UGA): Before Parliament"));
    CHECK(reports[0].find("Cuba") == std::string::npos);  // declined only in December
    CHECK_THAT(reports[1], Contains("opening on 5 November 2007"));
    CHECK_THAT(reports[1], Contains("now: 89 (3 notified their consent since)"));
    CHECK_THAT(reports[1], Contains("- Mexico (MEX), 12 October 2006 - Uganda (UGA), 15 March 2007 - Dominican "
                                    "Republic (DOM), 5 June 2007"));
    CHECK_THAT(reports[1], Contains("- Cuba (CUB): Not at this time"));
    CHECK(reports[1].find("Uganda (UGA): Before Parliament") == std::string::npos);  // consented since

    // Nothing else was sent.
    CHECK(when.size() == 6);
    CHECK(journal.deliveries(kCampaign).size() == 16 + 92 + 107 + 105 * 3 + 3 + 2);
}
