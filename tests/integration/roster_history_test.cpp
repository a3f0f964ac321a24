// The roster as it was (issue 10, item 2): admission dates, observer periods and
// former names in the roster; a campaign writes only to the States that were
// Members (or observers) on a letter's date, under the name they had then.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <set>
#include <string>

#include <sys/wait.h>

#include "cli_runner.hpp"
#include "../unit/hardening_support.hpp"
#include "roster/roster_loader.hpp"
#include "runtime.hpp"
#include "schedule/audience.hpp"
#include "schedule/occurrences.hpp"

using namespace outreach;
using namespace outreach::hardening;
using outreach::test::run_outreach;

namespace {

const fs::path kShippedRoster = kRepo / "config" / "rosters" / "un-states.toml";

// The States the first occurrence of `step` addresses, by code.
std::map<std::string, const State*> audience_of(const Campaign& campaign, const std::string& step) {
    for (const auto& o : expand_occurrences(campaign, {})) {
        if (o.step->id != step) continue;
        std::map<std::string, const State*> out;
        for (const State* s : resolve_audience(o, {}, o.due)) out.emplace(s->code, s);
        return out;
    }
    FAIL("no occurrence of " << step);
    return {};
}

std::string title_of(const State& state, const std::string& role) {
    const Addressee* a = state.addressee(role);
    return a ? a->title : "";
}

}  // namespace

TEST_CASE("the shipped roster carries admission dates, observer periods and former names", "[roster][history]") {
    Diagnostics diagnostics;
    const Roster roster = load_roster(kShippedRoster, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    for (const State& s : roster.states()) {
        INFO(s.code);
        if (s.status == StateStatus::Member) CHECK(s.admitted);
        else CHECK_FALSE(s.observer_periods.empty());
    }
    const State& ssd = *roster.find("SSD");
    CHECK(ssd.admitted == make_date(2011, 7, 14));
    CHECK_FALSE(ssd.status_on(make_date(2011, 7, 13)));
    CHECK(ssd.status_on(make_date(2011, 7, 14)) == StateStatus::Member);
    CHECK(roster.find("MNE")->admitted == make_date(2006, 6, 28));
    CHECK(roster.find("TLS")->admitted == make_date(2002, 9, 27));
    CHECK(roster.find("CHE")->admitted == make_date(2002, 9, 10));
    const State& pse = *roster.find("PSE");
    CHECK(pse.status_on(make_date(2004, 6, 1)) == StateStatus::Observer);
    CHECK_FALSE(pse.status_on(make_date(1970, 1, 1)));
    CHECK(roster.as_of(pse, make_date(2004, 6, 1))->name == "Palestine");
    CHECK(title_of(*roster.as_of(pse, make_date(2004, 6, 1)), "permanent_representative") ==
          "Permanent Observer of Palestine to the United Nations");
    CHECK(roster.as_of(pse, make_date(2013, 1, 1))->name == "State of Palestine");
    CHECK(roster.find("VAT")->status_on(make_date(2004, 6, 1)) == StateStatus::Observer);
    const State& tur = *roster.find("TUR");
    CHECK(roster.as_of(tur, make_date(2022, 5, 31))->name == "Turkey");
    CHECK(roster.as_of(tur, make_date(2022, 6, 1)) == &tur);
    const State& srb = *roster.find("SRB");
    CHECK(roster.as_of(srb, make_date(2004, 6, 1))->name == "Serbia and Montenegro");
    CHECK(roster.as_of(srb, make_date(2001, 6, 1))->name == "Yugoslavia");
    CHECK(roster.as_of(srb, make_date(2007, 6, 1))->name == "Serbia");
    const State& bol = *roster.find("BOL");
    CHECK(title_of(*roster.as_of(bol, make_date(2004, 6, 1)), "foreign_minister") ==
          "Minister for Foreign Affairs of Bolivia");
}

TEST_CASE("roster history errors name the file, line, column and field", "[roster][history][hardening]") {
    ScratchDir dir;
    const std::string text =
        "[[state]]\ncode = \"TUR\"\nname = \"Türkiye\"\nadmitted = \"1945-10-32\"\n"
        "[[state]]\ncode = \"SSD\"\nname = \"South Sudan\"\nadmitted = \"2011-07-14\"\n"
        "[[state.former_name]]\nuntil = \"2010-01-01\"\nname = \"Before\"\n"
        "[[state]]\ncode = \"SWZ\"\nname = \"Eswatini\"\nadmitted = \"1968-09-24\"\n"
        "[[state.former_name]]\nuntil = \"2018-04-19\"\nname = \"Swaziland\"\n"
        "[[state.former_name]]\nuntil = \"2010-01-01\"\nname = \"Earlier\"\nnickname = \"x\"\n"
        "[[state]]\ncode = \"VAT\"\nname = \"Holy See\"\nstatus = \"observer\"\nadmitted = \"1964-04-06\"\n"
        "[[state]]\ncode = \"PSE\"\nname = \"State of Palestine\"\nstatus = \"observer\"\n"
        "[[state.observer]]\nsince = \"1974-11-22\"\n"
        "[[state.observer]]\nsince = \"2012-11-29\"\n";
    const fs::path file = dir / "roster.toml";
    write_bytes(file, text);
    Diagnostics diagnostics;
    load_roster(file, diagnostics);
    INFO(dump(diagnostics));
    const auto check = [&](const std::string& field, const std::string& part, const std::string& at) {
        const Diagnostic* d = find(diagnostics, field, part);
        INFO(field << ": " << part);
        REQUIRE(d != nullptr);
        CHECK(d->file == file);
        CHECK(std::pair(d->line, d->column) == position_of(text, at));
    };
    check("state[TUR].admitted", "not a date: \"1945-10-32\"", "\"1945-10-32\"");
    check("state[SSD].former_name[1].until", "not after the State became a Member (admitted 2011-07-14)",
          "\"2010-01-01\"\nname = \"Before\"");
    check("state[SWZ].former_name[2].until", "list former names oldest first", "\"2010-01-01\"\nname = \"Earlier\"");
    check("state[SWZ].former_name[2].nickname", "unknown key", "nickname");
    check("state[VAT].admitted", "an observer State has no admission date", "\"1964-04-06\"");
    check("state[PSE].observer[2].since", "overlaps the previous observer period", "\"2012-11-29\"");
}

TEST_CASE("a 2004 campaign writes to the Members of 2004, under their 2004 names", "[roster][history][season]") {
    ShippedCopy copy;
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    const Campaign* focus2004 = runtime->campaign("focus2004");
    const Campaign* focus2007 = runtime->campaign("focus2007");
    REQUIRE(focus2004);
    REQUIRE(focus2007);

    const auto in_2004 = audience_of(*focus2004, "invitation");
    CHECK(in_2004.count("SSD") == 0);
    CHECK(in_2004.count("MNE") == 0);
    CHECK(in_2004.size() == 193);  // 191 Members and the 2 observers, as in 2004
    CHECK(in_2004.at("TUR")->name == "Turkey");
    CHECK(title_of(*in_2004.at("TUR"), "foreign_minister") == "Minister for Foreign Affairs of Turkey");
    CHECK(in_2004.at("SWZ")->name == "Swaziland");
    CHECK(in_2004.at("MKD")->name == "the former Yugoslav Republic of Macedonia");
    CHECK(title_of(*in_2004.at("MKD"), "foreign_minister") ==
          "Minister for Foreign Affairs of the former Yugoslav Republic of Macedonia");
    CHECK(in_2004.at("SRB")->name == "Serbia and Montenegro");
    CHECK(in_2004.at("CZE")->name == "Czech Republic");
    CHECK(in_2004.at("PSE")->name == "Palestine");
    CHECK(in_2004.at("FRA")->name == "France");

    const auto in_2007 = audience_of(*focus2007, "invitation");
    CHECK(in_2007.count("SSD") == 0);
    CHECK(in_2007.count("MNE") == 1);
    CHECK(in_2007.size() == 194);
    CHECK(in_2007.at("TUR")->name == "Turkey");
    CHECK(in_2007.at("SWZ")->name == "Swaziland");
    CHECK(in_2007.at("MKD")->name == "the former Yugoslav Republic of Macedonia");
    CHECK(in_2007.at("SRB")->name == "Serbia");
}

TEST_CASE("a 2023 letter uses the new names - a `status` filter applies to the standing on the letter's date",
          "[roster][history]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    std::string text = read_text(focus);
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"letter_date           = 2007-05-09", "letter_date           = 2023-05-09"},
             {"notification_deadline = 2007-09-01", "notification_deadline = 2023-09-01"},
             {"[[2007-09-25, 2007-09-27], [2007-10-01, 2007-10-02]]", "[[2023-09-19, 2023-09-21]]"}}) {
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
    }
    write_bytes(focus, text);
    ShippedCopy::edit(copy.campaign("focus2004"), "[roster]", "[roster]\nstatus = [\"member\"]");
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(runtime->campaign("focus2007"));
    const auto in_2023 = audience_of(*runtime->campaign("focus2007"), "invitation");
    CHECK(in_2023.size() == 195);
    CHECK(in_2023.at("TUR")->name == "Türkiye");
    CHECK(title_of(*in_2023.at("TUR"), "foreign_minister") == "Minister for Foreign Affairs of Türkiye");
    CHECK(in_2023.at("SWZ")->name == "Eswatini");
    CHECK(in_2023.at("MKD")->name == "North Macedonia");
    CHECK(in_2023.at("SSD")->name == "South Sudan");
    CHECK(in_2023.at("PSE")->name == "State of Palestine");

    REQUIRE(runtime->campaign("focus2004"));
    const auto members_2004 = audience_of(*runtime->campaign("focus2004"), "invitation");
    CHECK(members_2004.size() == 191);
    CHECK(members_2004.count("PSE") == 0);
    CHECK(members_2004.count("VAT") == 0);
}

TEST_CASE("simulated 2004 letters go to the Members of 2004 under their names then", "[roster][history][season]") {
    ScratchDir dir;
    const auto r = run_outreach("-c " + (kRepo / "config" / "outreach.toml").string() +
                                " simulate --from 2004-01-01 --to 2004-12-31 --campaign focus2004 --summary --state-dir " +
                                (dir / "state").string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    if (!fs::exists("/usr/bin/python3")) return;
    write_bytes(dir / "to.py",
                "import email, email.policy, pathlib, sys\n"
                "for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):\n"
                "    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)\n"
                "    print(str(m['To']))\n");
    FILE* pipe = ::popen(("/usr/bin/python3 " + (dir / "to.py").string() + " " + (dir / "state/outbox/new").string()).c_str(), "r");
    REQUIRE(pipe);
    std::string to;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) to.append(buf.data(), n);
    ::pclose(pipe);
    CHECK_THAT(to, Catch::Contains("Minister for Foreign Affairs of Turkey <foreign-minister.tur@example.org>"));
    CHECK_THAT(to, Catch::Contains("Minister for Foreign Affairs of Swaziland <"));
    CHECK_THAT(to, Catch::Contains("of the former Yugoslav Republic of Macedonia <"));
    CHECK_THAT(to, !Catch::Contains("ssd@example.org") && !Catch::Contains("mne@example.org") &&
                       !Catch::Contains("Türkiye") && !Catch::Contains("Eswatini"));
}
