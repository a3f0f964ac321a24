#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <unistd.h>

#include "roster/roster_loader.hpp"

namespace fs = std::filesystem;
using namespace outreach;

namespace {

const fs::path kShippedRoster = fs::path(OUTREACH_SOURCE_DIR) / "config" / "rosters" / "un-states.toml";

// A roster file in the temp directory, removed when the test ends.
class TempRoster {
public:
    explicit TempRoster(const std::string& text) {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("outreach-roster-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".toml");
        std::ofstream(path_, std::ios::binary) << text;
    }
    ~TempRoster() {
        std::error_code ignored;
        fs::remove(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string describe(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += "  " + d.format() + "\n";
    return out;
}

const Diagnostic* find_field(const Diagnostics& diagnostics, const std::string& field) {
    auto it = std::find_if(diagnostics.begin(), diagnostics.end(),
                           [&](const Diagnostic& d) { return d.field == field; });
    return it == diagnostics.end() ? nullptr : &*it;
}

// Loads `text` and checks that exactly one problem was reported, at line:column for `field`.
Diagnostic single_error(const std::string& text, int line, int column, const std::string& field) {
    TempRoster file(text);
    Diagnostics diagnostics;
    load_roster(file.path(), diagnostics);
    INFO("diagnostics:\n" << describe(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    const Diagnostic& d = diagnostics.front();
    CHECK(d.file == file.path());
    CHECK(d.line == line);
    CHECK(d.column == column);
    CHECK(d.field == field);
    CHECK_FALSE(d.message.empty());
    return d;
}

std::vector<std::string> codes_of(const Roster& roster) {
    std::vector<std::string> codes;
    for (const auto& s : roster.states()) codes.push_back(s.code);
    return codes;
}

const char* const kGoodState = R"([[state]]
code = "CIV"
name = "Côte d'Ivoire"
status = "member"
group = "African Group"

[[state.addressee]]
role = "foreign_minister"
email = "foreign-minister.civ@example.org"
)";

}  // namespace

TEST_CASE("the shipped roster holds the 193 Member States and the 2 observer States", "[roster]") {
    Diagnostics diagnostics;
    const Roster roster = load_roster(kShippedRoster, diagnostics);
    INFO("diagnostics:\n" << describe(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(roster.size() == 195);

    std::size_t members = 0, observers = 0;
    std::set<std::string> groups;
    for (const State& state : roster.states()) {
        if (state.status == StateStatus::Member) {
            ++members;
            CHECK_FALSE(state.regional_group.empty());
            groups.insert(state.regional_group);
        } else {
            ++observers;
            CHECK(state.regional_group.empty());
        }
        INFO(state.code);
        CHECK_FALSE(state.name.empty());
        CHECK_FALSE(state.capital.empty());
        REQUIRE(state.addressees.size() == 3);
        for (const char* role : {"head_of_state", "foreign_minister", "permanent_representative"})
            CHECK(state.addressee(role) != nullptr);
    }
    CHECK(members == 193);
    CHECK(observers == 2);
    CHECK(groups.size() == 5);

    const State* civ = roster.find("civ");
    REQUIRE(civ != nullptr);
    CHECK(civ->name == "C\xC3\xB4te d'Ivoire");
    CHECK(civ->regional_group == "African Group");
    CHECK(civ->addressee("foreign_minister")->title == "Minister for Foreign Affairs of C\xC3\xB4te d'Ivoire");
    CHECK(civ->addressee("foreign_minister")->email == "foreign-minister.civ@example.org");

    const State* holy_see = roster.find("VAT");
    REQUIRE(holy_see != nullptr);
    CHECK(holy_see->name == "Holy See");
    CHECK(holy_see->status == StateStatus::Observer);
    CHECK(holy_see->addressee("permanent_representative")->title ==
          "Permanent Observer of the Holy See to the United Nations");
    REQUIRE(roster.find("State of Palestine") != nullptr);
    CHECK(roster.find("State of Palestine")->code == "PSE");
}

TEST_CASE("filter_roster keeps file order and applies status, groups, include and exclude", "[roster]") {
    Diagnostics diagnostics;
    const Roster roster = load_roster(kShippedRoster, diagnostics);
    REQUIRE(diagnostics.empty());

    SECTION("an empty filter keeps everyone") {
        CHECK(codes_of(filter_roster(roster, {})) == codes_of(roster));
    }
    SECTION("status") {
        RosterFilter filter;
        filter.status = {"observer"};
        CHECK(codes_of(filter_roster(roster, filter)) == std::vector<std::string>{"PSE", "VAT"});
        filter.status = {"member"};
        CHECK(filter_roster(roster, filter).size() == 193);
        filter.status = {"member", "observer"};
        CHECK(filter_roster(roster, filter).size() == 195);
    }
    SECTION("groups") {
        RosterFilter filter;
        filter.groups = {"Eastern European Group"};
        const Roster eastern = filter_roster(roster, filter);
        CHECK(eastern.size() == 23);
        for (const auto& s : eastern.states()) CHECK(s.regional_group == "Eastern European Group");
        filter.groups = {"Eastern European Group", "Western European and Others Group"};
        CHECK(filter_roster(roster, filter).size() == 23 + 29);
    }
    SECTION("include takes codes in any case and keeps file order, not list order") {
        RosterFilter filter;
        filter.include = {"vat", "Civ", "AFG"};
        CHECK(codes_of(filter_roster(roster, filter)) == std::vector<std::string>{"AFG", "CIV", "VAT"});
    }
    SECTION("exclude wins over include and over groups") {
        RosterFilter filter;
        filter.groups = {"African Group"};
        filter.exclude = {"civ", "gha"};
        const Roster african = filter_roster(roster, filter);
        CHECK(african.size() == 54 - 2);
        CHECK(african.find("CIV") == nullptr);
        CHECK(african.find("SEN") != nullptr);

        filter = {};
        filter.include = {"CIV", "GHA"};
        filter.exclude = {"ghA"};
        CHECK(codes_of(filter_roster(roster, filter)) == std::vector<std::string>{"CIV"});
    }
    SECTION("all criteria together") {
        RosterFilter filter;
        filter.status = {"member"};
        filter.groups = {"African Group"};
        filter.include = {"CIV", "FRA", "VAT", "SEN"};
        filter.exclude = {"SEN"};
        CHECK(codes_of(filter_roster(roster, filter)) == std::vector<std::string>{"CIV"});
    }
}

TEST_CASE("a well-formed hand-written roster loads", "[roster]") {
    TempRoster file(kGoodState);
    Diagnostics diagnostics;
    const Roster roster = load_roster(file.path(), diagnostics);
    INFO("diagnostics:\n" << describe(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(roster.size() == 1);
    const State& civ = roster.states().front();
    CHECK(civ.formal_name == civ.name);  // defaults to the common name
    REQUIRE(civ.addressees.size() == 1);
    CHECK(civ.addressees.front().email == "foreign-minister.civ@example.org");
}

TEST_CASE("roster errors name the file, line, column and field", "[roster]") {
    SECTION("missing file") {
        Diagnostics diagnostics;
        const fs::path missing = fs::temp_directory_path() / "outreach-no-such-roster.toml";
        const Roster roster = load_roster(missing, diagnostics);
        CHECK(roster.size() == 0);
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics.front().file == missing);
        CHECK(diagnostics.front().message.find("not found") != std::string::npos);
    }
    SECTION("TOML syntax error, with its position") {
        // The value's key is named, as the roster names its fields.
        single_error("[[state]]\ncode = \"CIV\"\nname = = \"x\"\n", 3, 8, "state[1].name");
    }
    SECTION("state is not an array of tables") {
        single_error("state = \"CIV\"\n", 1, 9, "state");
        single_error("[state]\ncode = \"CIV\"\n", 1, 1, "state");
        single_error("state = [1]\n", 1, 10, "state[1]");
    }
    SECTION("no states at all") {
        single_error("# nothing here\n", 0, 0, "state");
    }
    SECTION("unknown top-level key") {
        single_error(std::string("version = 2\n") + kGoodState, 1, 1, "version");
    }
    SECTION("missing code points at the [[state]] header") {
        single_error("# roster\n[[state]]\nname = \"Ghana\"\n", 2, 1, "state[1].code");
    }
    SECTION("empty code") {
        single_error("[[state]]\ncode = \"\"\nname = \"Ghana\"\n", 2, 8, "state[1].code");
    }
    SECTION("code not 3 uppercase letters") {
        single_error("[[state]]\ncode = \"gha\"\nname = \"Ghana\"\n", 2, 8, "state[1].code");
        single_error("[[state]]\ncode   = \"GHAN\"\nname = \"Ghana\"\n", 2, 10, "state[1].code");
        single_error("[[state]]\ncode = 288\nname = \"Ghana\"\n", 2, 8, "state[1].code");
    }
    SECTION("duplicate code") {
        const Diagnostic d = single_error(std::string(kGoodState) + "\n" + kGoodState, 12, 8, "state[2].code");
        CHECK(d.message.find("line 2") != std::string::npos);
    }
    SECTION("missing or empty name") {
        single_error("[[state]]\ncode = \"GHA\"\n", 1, 1, "state[GHA].name");
        single_error("[[state]]\ncode = \"GHA\"\nname = \"\"\n", 3, 8, "state[GHA].name");
    }
    SECTION("status not member or observer") {
        const Diagnostic d =
            single_error("[[state]]\ncode = \"GHA\"\nname = \"Ghana\"\nstatus = \"membre\"\n", 4, 10, "state[GHA].status");
        CHECK(d.message.find("\"membre\"") != std::string::npos);
    }
    SECTION("unknown key in a state names the key") {
        single_error("[[state]]\ncode = \"GHA\"\nname = \"Ghana\"\n  captial = \"Accra\"\n", 4, 3, "state[GHA].captial");
    }
    SECTION("unknown key in an addressee names the key") {
        single_error(std::string(kGoodState) + "emial = \"x@example.org\"\n", 10, 1, "state[CIV].addressee[1].emial");
    }
    SECTION("addressee not an array of tables") {
        single_error("[[state]]\ncode = \"GHA\"\nname = \"Ghana\"\naddressee = \"mission\"\n", 4, 13, "state[GHA].addressee");
    }
    SECTION("addressee role not one of the three") {
        const std::string text =
            "[[state]]\ncode = \"GHA\"\nname = \"Ghana\"\n\n[[state.addressee]]\nrole = \"ambassador\"\n"
            "email = \"a@example.org\"\n";
        single_error(text, 6, 8, "state[GHA].addressee[1].role");
    }
    SECTION("an addressee role given twice") {
        const std::string text = std::string(kGoodState) +
                                 "\n[[state.addressee]]\nrole = \"foreign_minister\"\nemail = \"fm2@example.org\"\n";
        single_error(text, 12, 8, "state[CIV].addressee[2].role");
    }
    SECTION("addressee without an e-mail") {
        single_error("[[state]]\ncode = \"GHA\"\nname = \"Ghana\"\n\n[[state.addressee]]\nrole = \"head_of_state\"\n",
                     5, 1, "state[GHA].addressee[1].email");
    }
    SECTION("e-mail without a single '@' with text on both sides") {
        for (const char* email : {"mission.example.org", "a@b@example.org", "@example.org", "mission@", "",
                                  "mission @example.org"}) {
            INFO("email: \"" << email << "\"");
            const std::string text = std::string(kGoodState) +
                                     "\n[[state]]\ncode = \"GHA\"\nname = \"Ghana\"\n\n"
                                     "[[state.addressee]]\nrole = \"head_of_state\"\nemail = \"h@example.org\"\n\n"
                                     "[[state.addressee]]\nrole = \"foreign_minister\"\nemail = \"" +
                                     email + "\"\n";
            single_error(text, 21, 9, "state[GHA].addressee[2].email");
        }
    }
    SECTION("a state with a bad code is named by its index") {
        const std::string text =
            "[[state]]\ncode = \"G1A\"\nname = \"Ghana\"\n\n[[state.addressee]]\nrole = \"head_of_state\"\n"
            "email = \"nowhere\"\n";
        TempRoster file(text);
        Diagnostics diagnostics;
        load_roster(file.path(), diagnostics);
        INFO("diagnostics:\n" << describe(diagnostics));
        REQUIRE(diagnostics.size() == 2);
        CHECK(find_field(diagnostics, "state[1].code") != nullptr);
        const Diagnostic* email = find_field(diagnostics, "state[1].addressee[1].email");
        REQUIRE(email != nullptr);
        CHECK(email->line == 7);
    }
}

TEST_CASE("every roster problem is reported, not just the first", "[roster]") {
    const std::string text = std::string(kGoodState) +  // lines 1-9, fine
                             "\n[[state]]\n"            // line 11
                             "code = \"CIV\"\n"         // line 12: duplicate
                             "name = \"Ivory Coast\"\n"
                             "status = \"guest\"\n"     // line 14
                             "\n[[state]]\n"            // line 16
                             "code = \"GHA\"\n"
                             "name = \"Ghana\"\n"
                             "colour = \"green\"\n"     // line 19
                             "\n[[state.addressee]]\n"
                             "role = \"ambassador\"\n"  // line 22
                             "email = \"accra\"\n";     // line 23
    TempRoster file(text);
    Diagnostics diagnostics;
    const Roster roster = load_roster(file.path(), diagnostics);
    INFO("diagnostics:\n" << describe(diagnostics));
    REQUIRE(diagnostics.size() == 5);
    CHECK(std::is_sorted(diagnostics.begin(), diagnostics.end(),
                         [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; }));

    const struct {
        const char* field;
        int line;
    } expected[] = {{"state[2].code", 12},
                    {"state[2].status", 14},
                    {"state[GHA].colour", 19},
                    {"state[GHA].addressee[1].role", 22},
                    {"state[GHA].addressee[1].email", 23}};
    for (const auto& e : expected) {
        INFO(e.field);
        const Diagnostic* d = find_field(diagnostics, e.field);
        REQUIRE(d != nullptr);
        CHECK(d->line == e.line);
        CHECK(d->file == file.path());
    }
    // Only the State without problems is handed on.
    CHECK(codes_of(roster) == std::vector<std::string>{"CIV"});
}
