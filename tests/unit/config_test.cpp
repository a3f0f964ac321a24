// Operator configuration: outreach.toml, campaign files and [params] validation.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

#include "config/config.hpp"
#include "config/param_validation.hpp"

namespace fs = std::filesystem;
using namespace outreach;

namespace {

// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        std::random_device random;
        path_ = fs::temp_directory_path() / ("outreach-config-test-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(counter++) + "-" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }

    fs::path write(const fs::path& relative, const std::string& content) const {
        const fs::path file = path_ / relative;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << content;
        return file;
    }

    fs::path mkdir(const fs::path& relative) const {
        fs::create_directories(path_ / relative);
        return path_ / relative;
    }

private:
    fs::path path_;
};

struct Position {
    int line = 0;
    int column = 0;
};

// 1-based line and column where `needle` first occurs in `text`.
Position position_of(const std::string& text, const std::string& needle) {
    const auto offset = text.find(needle);
    REQUIRE(offset != std::string::npos);
    Position position{1, 1};
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++position.line;
            position.column = 1;
        } else {
            ++position.column;
        }
    }
    return position;
}

std::string dump(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += d.format() + "\n";
    return out.empty() ? "(no diagnostics)" : out;
}

bool has_diagnostic(const Diagnostics& diagnostics, const fs::path& file, Position where, const std::string& field,
                    const std::string& message_part) {
    for (const auto& d : diagnostics) {
        if (d.file == file && d.line == where.line && d.column == where.column && d.field == field &&
            d.message.find(message_part) != std::string::npos)
            return true;
    }
    return false;
}

std::size_t count_for(const Diagnostics& diagnostics, const fs::path& file) {
    return static_cast<std::size_t>(
        std::count_if(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) { return d.file == file; }));
}

const std::string kMinimalGlobal = "campaigns = \"campaigns\"\n";

// A campaign file naming an existing roster next to it.
std::string campaign_text(const std::string& id, const std::string& extra = "") {
    return "id = \"" + id + "\"\ntype = \"treaty_event\"\n" + extra + "\n[roster]\nfile = \"../roster.toml\"\n";
}

struct Fixture {
    TempDir dir;
    fs::path global_file;

    explicit Fixture(const std::string& global_text = kMinimalGlobal) {
        global_file = dir.write("outreach.toml", global_text);
        dir.mkdir("campaigns");
        dir.write("roster.toml", "");
    }

    fs::path campaign(const std::string& name, const std::string& text) const {
        return dir.write(fs::path("campaigns") / name, text);
    }
};

}  // namespace

TEST_CASE("a minimal configuration loads with the documented defaults", "[config]") {
    TempDir dir;
    const fs::path file = dir.write("etc/outreach.toml", "");
    dir.mkdir("etc/campaigns");

    Diagnostics diagnostics;
    const Config config = load_config(file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());

    CHECK(config.global.file == file);
    CHECK(config.global.timezone == "America/New_York");
    CHECK(config.global.journal == dir.path() / "var/journal.sqlite");
    CHECK(config.global.campaigns_dir == dir.path() / "etc/campaigns");
    CHECK(config.global.templates_dir == dir.path() / "etc/templates");
    CHECK(config.global.plugin_dirs.empty());
    CHECK(config.global.delivery.channel == "maildir");
    CHECK(config.global.delivery.outbox == dir.path() / "var/outbox");
    CHECK(config.global.sender.email.empty());
    CHECK(config.campaigns.empty());
}

TEST_CASE("a minimal campaign gets its defaults from the global configuration", "[config]") {
    Fixture fixture(
        "timezone = \"Europe/Zurich\"\n"
        "[sender]\nname = \"Treaty Section\"\nemail = \"treaty@example.org\"\nstaff_email = \"staff@example.org\"\n");
    fixture.campaign("focus2007.toml", campaign_text("focus2007"));

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(config.campaigns.size() == 1);

    const CampaignConfig& campaign = config.campaigns.front();
    CHECK(campaign.file == fixture.dir.path() / "campaigns/focus2007.toml");
    CHECK(campaign.id == "focus2007");
    CHECK(campaign.type == "treaty_event");
    CHECK(campaign.enabled);
    CHECK(campaign.timezone == "Europe/Zurich");
    CHECK(campaign.roster == fixture.dir.path() / "roster.toml");
    CHECK(campaign.addressees == std::vector<std::string>{"foreign_minister"});
    CHECK_FALSE(campaign.templates_dir.has_value());
    CHECK(campaign.sender.name == "Treaty Section");
    CHECK(campaign.sender.email == "treaty@example.org");
    CHECK(campaign.sender.staff_email == "staff@example.org");
    CHECK(campaign.filter.status.empty());
    CHECK(campaign.filter.include.empty());
    CHECK(campaign.params.empty());
}

TEST_CASE("a campaign overrides time zone, sender keys, addressees, filter and templates", "[config]") {
    Fixture fixture("[sender]\nname = \"Treaty Section\"\nemail = \"treaty@example.org\"\n");
    fixture.campaign("apii.toml", R"(id = "apii-2007"
type = "ccw_protocol"
enabled = false
timezone = "Europe/Zurich"
addressees = ["head_of_state", "permanent_representative"]
templates = "../letters"

[roster]
file = "../roster.toml"
status = ["member"]
groups = ["African Group"]
include = ["CIV", "FRA"]
exclude = ["USA"]

[sender]
email = "ccw@example.org"
)");

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(config.campaigns.size() == 1);
    const CampaignConfig& campaign = config.campaigns.front();
    CHECK_FALSE(campaign.enabled);
    CHECK(campaign.timezone == "Europe/Zurich");
    CHECK(campaign.addressees == std::vector<std::string>{"head_of_state", "permanent_representative"});
    REQUIRE(campaign.templates_dir.has_value());
    CHECK(*campaign.templates_dir == fixture.dir.path() / "letters");
    CHECK(campaign.filter.status == std::vector<std::string>{"member"});
    CHECK(campaign.filter.groups == std::vector<std::string>{"African Group"});
    CHECK(campaign.filter.include == std::vector<std::string>{"CIV", "FRA"});
    CHECK(campaign.filter.exclude == std::vector<std::string>{"USA"});
    CHECK(campaign.sender.name == "Treaty Section");  // not overridden
    CHECK(campaign.sender.email == "ccw@example.org");
}

TEST_CASE("relative paths resolve against the directory of the file naming them", "[config]") {
    TempDir dir;
    const fs::path file = dir.write("etc/outreach.toml", R"(journal = "../data/./journal.sqlite"
campaigns = "../campaign-files"
templates = "tpl/../letters"
plugin_dirs = ["plugins", "/opt/outreach/plugins"]
[delivery]
outbox = "mail/outbox"
)");
    dir.write("campaign-files/a.toml", R"(id = "a"
type = "t"
templates = "own-templates"
[roster]
file = "../etc/rosters/un.toml"
)");
    dir.write("etc/rosters/un.toml", "");

    Diagnostics diagnostics;
    const Config config = load_config(file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    CHECK(config.global.journal == dir.path() / "data/journal.sqlite");
    CHECK(config.global.campaigns_dir == dir.path() / "campaign-files");
    CHECK(config.global.templates_dir == dir.path() / "etc/letters");
    CHECK(config.global.plugin_dirs ==
          std::vector<fs::path>{dir.path() / "etc/plugins", fs::path("/opt/outreach/plugins")});
    CHECK(config.global.delivery.outbox == dir.path() / "etc/mail/outbox");
    REQUIRE(config.campaigns.size() == 1);
    CHECK(config.campaigns[0].roster == dir.path() / "etc/rosters/un.toml");
    CHECK(config.campaigns[0].templates_dir == dir.path() / "campaign-files/own-templates");
}

TEST_CASE("campaign files are read in file-name order", "[config]") {
    Fixture fixture;
    fixture.campaign("c.toml", campaign_text("third"));
    fixture.campaign("a.toml", campaign_text("first"));
    fixture.campaign("b.toml", campaign_text("second"));
    fixture.campaign("notes.txt", "not a campaign");

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(config.campaigns.size() == 3);
    CHECK(config.campaigns[0].id == "first");
    CHECK(config.campaigns[1].id == "second");
    CHECK(config.campaigns[2].id == "third");
}

TEST_CASE("a TOML syntax error is reported with toml++'s position, other files still load", "[config]") {
    Fixture fixture;
    const fs::path broken = fixture.campaign("a.toml", "id = \"a\"\ntype = \"b\nenabled = true\n");
    const fs::path also_bad = fixture.campaign("b.toml", campaign_text("b", "enabled = \"yes\""));
    fixture.campaign("c.toml", campaign_text("c"));

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    // The key is named too: the error is inside its value.
    CHECK(has_diagnostic(diagnostics, broken, {2, 10}, "type", "unescaped control characters"));
    CHECK(count_for(diagnostics, broken) == 1);
    CHECK(has_diagnostic(diagnostics, also_bad, {3, 11}, "enabled", "expected a boolean"));
    CHECK(diagnostics.size() == 2);
    REQUIRE(config.campaigns.size() == 2);
    CHECK(config.campaigns[0].id == "b");
    CHECK(config.campaigns[1].id == "c");
}

TEST_CASE("a syntax error in outreach.toml is reported", "[config]") {
    TempDir dir;
    const fs::path file = dir.write("outreach.toml", "timezone = \"America/New_York\"\njournal = \n");
    Diagnostics diagnostics;
    const Config config = load_config(file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(has_diagnostic(diagnostics, file, {2, 11}, "journal", "expected value"));
    CHECK(config.global.campaigns_dir == dir.path() / "campaigns");
}

TEST_CASE("a missing outreach.toml is reported", "[config]") {
    TempDir dir;
    const fs::path file = dir.path() / "absent.toml";
    Diagnostics diagnostics;
    load_config(file, diagnostics);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].file == file);
    CHECK(diagnostics[0].message == "file not found");
}

TEST_CASE("unknown keys at every level are reported with a hint", "[config]") {
    const std::string global_text = R"(timezon = "America/New_York"
campaigns = "campaigns"
colour = "blue"
[sender]
emial = "treaty@example.org"
[delivery]
chanel = "maildir"
)";
    Fixture fixture(global_text);
    const std::string campaign = R"(id = "a"
type = "t"
enabeld = true
[roster]
file = "../roster.toml"
stauts = ["member"]
[sender]
nmae = "X"
)";
    const fs::path campaign_file = fixture.campaign("a.toml", campaign);

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    const fs::path& global = fixture.global_file;
    CHECK(has_diagnostic(diagnostics, global, position_of(global_text, "timezon"), "timezon",
                         "unknown key 'timezon' (did you mean 'timezone'?)"));
    CHECK(has_diagnostic(diagnostics, global, position_of(global_text, "colour"), "colour",
                         "unknown key 'colour' (expected 'timezone', "));
    CHECK(has_diagnostic(diagnostics, global, position_of(global_text, "emial"), "sender.emial",
                         "(did you mean 'email'?)"));
    CHECK(has_diagnostic(diagnostics, global, position_of(global_text, "chanel"), "delivery.chanel",
                         "(did you mean 'channel'?)"));
    CHECK(has_diagnostic(diagnostics, campaign_file, position_of(campaign, "enabeld"), "enabeld",
                         "(did you mean 'enabled'?)"));
    CHECK(has_diagnostic(diagnostics, campaign_file, position_of(campaign, "stauts"), "roster.stauts",
                         "(did you mean 'status'?)"));
    CHECK(has_diagnostic(diagnostics, campaign_file, position_of(campaign, "nmae"), "sender.nmae",
                         "(did you mean 'name'?)"));
    CHECK(diagnostics.size() == 7);
    // Unknown keys do not hide the valid ones.
    REQUIRE(config.campaigns.size() == 1);
}

TEST_CASE("values of the wrong type are reported at the value", "[config]") {
    const std::string global_text = R"(timezone = 5
journal = ["a"]
plugin_dirs = ["plugins", 3]
sender = "treaty@example.org"
[delivery]
outbox = false
)";
    TempDir dir;
    const fs::path global = dir.write("outreach.toml", global_text);
    dir.mkdir("campaigns");
    dir.write("roster.toml", "");
    const std::string campaign = R"(id = "a"
type = "t"
enabled = "yes"
addressees = "foreign_minister"
params = 3
[roster]
file = "../roster.toml"
include = ["CIV", 4]
)";
    const fs::path campaign_file = dir.write("campaigns/a.toml", campaign);

    Diagnostics diagnostics;
    const Config config = load_config(global, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, global, {1, 12}, "timezone", "expected a string, found an integer"));
    CHECK(has_diagnostic(diagnostics, global, {2, 11}, "journal", "expected a string, found an array"));
    CHECK(has_diagnostic(diagnostics, global, {3, 27}, "plugin_dirs[1]", "expected a string, found an integer"));
    CHECK(has_diagnostic(diagnostics, global, {4, 10}, "sender", "expected a table, found a string"));
    CHECK(has_diagnostic(diagnostics, global, {6, 10}, "delivery.outbox", "expected a string, found a boolean"));
    CHECK(has_diagnostic(diagnostics, campaign_file, {3, 11}, "enabled", "expected a boolean (true or false), found a string"));
    CHECK(has_diagnostic(diagnostics, campaign_file, {4, 14}, "addressees", "expected a list of strings, found a string"));
    CHECK(has_diagnostic(diagnostics, campaign_file, {5, 10}, "params", "expected a table, found an integer"));
    CHECK(has_diagnostic(diagnostics, campaign_file, {8, 19}, "roster.include[1]", "expected a string, found an integer"));
    CHECK(diagnostics.size() == 9);
    // Defaults stand in for the values that could not be used.
    CHECK(config.global.timezone == "America/New_York");
    CHECK(config.global.journal == dir.path().parent_path() / "var/journal.sqlite");
}

TEST_CASE("missing required campaign keys are reported at the table", "[config]") {
    Fixture fixture;
    const fs::path no_id = fixture.campaign("a.toml", "type = \"t\"\n[roster]\nfile = \"../roster.toml\"\n");
    const fs::path no_type_no_roster = fixture.campaign("b.toml", "\n\nid = \"b\"\n");
    const std::string no_file_text = "id = \"c\"\ntype = \"t\"\n\n  [roster]\nstatus = [\"member\"]\n";
    const fs::path no_file = fixture.campaign("c.toml", no_file_text);

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, no_id, {1, 1}, "id", "missing required key 'id'"));
    CHECK(has_diagnostic(diagnostics, no_type_no_roster, {1, 1}, "type", "missing required key 'type'"));
    CHECK(has_diagnostic(diagnostics, no_type_no_roster, {1, 1}, "roster.file", "missing required key"));
    CHECK(has_diagnostic(diagnostics, no_file, position_of(no_file_text, "[roster]"), "roster.file",
                         "missing required key 'file' in [roster]"));
    CHECK(diagnostics.size() == 4);
    // Only the campaign with an id and a type is handed on.
    REQUIRE(config.campaigns.size() == 1);
    CHECK(config.campaigns[0].id == "c");
}

TEST_CASE("unknown time zones are reported with the closest IANA name", "[config]") {
    CHECK(is_known_timezone("America/New_York"));
    CHECK(is_known_timezone("Europe/Zurich"));
    CHECK(is_known_timezone("UTC"));
    CHECK_FALSE(is_known_timezone("America/NewYork"));
    CHECK_FALSE(is_known_timezone("EST5EDT/Nowhere"));
    CHECK_FALSE(is_known_timezone(""));

    const std::string global_text = "timezone = \"America/NewYork\"\n";
    Fixture fixture(global_text);
    const fs::path campaign = fixture.campaign("a.toml", campaign_text("a", "timezone = \"Mars/Olympus_Mons\""));

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, fixture.global_file, {1, 12}, "timezone",
                         "unknown time zone 'America/NewYork' (did you mean 'America/New_York'?)"));
    CHECK(has_diagnostic(diagnostics, campaign, {3, 12}, "timezone", "unknown time zone 'Mars/Olympus_Mons'"));
    CHECK(diagnostics.size() == 2);
    CHECK(config.global.timezone == "America/New_York");
}

TEST_CASE("delivery channel must be maildir, stdout or smtp", "[config]") {
    for (const std::string channel : {"maildir", "stdout", "smtp"}) {
        Fixture fixture(kMinimalGlobal + "[delivery]\nchannel = \"" + channel + "\"\n" +
                        (channel == "smtp" ? "[delivery.smtp]\nhost = \"smtp.example.org\"\n" : ""));
        Diagnostics diagnostics;
        const Config config = load_config(fixture.global_file, diagnostics);
        INFO(dump(diagnostics));
        CHECK(diagnostics.empty());
        CHECK(config.global.delivery.channel == channel);
    }
    Fixture fixture(kMinimalGlobal + "[delivery]\nchannel = \"fax\"\n");
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(has_diagnostic(diagnostics, fixture.global_file, {3, 11}, "delivery.channel",
                         "unknown channel 'fax' (expected 'maildir', 'stdout' or 'smtp')"));
    CHECK(config.global.delivery.channel == "maildir");
}

TEST_CASE("campaign ids must match [a-z0-9][a-z0-9_-]*", "[config]") {
    Fixture fixture;
    const fs::path upper = fixture.campaign("a.toml", campaign_text("Focus2007"));
    const fs::path dash = fixture.campaign("b.toml", campaign_text("-focus"));
    const fs::path space = fixture.campaign("c.toml", campaign_text("focus 2007"));
    fixture.campaign("d.toml", campaign_text("0focus_2007-b"));

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, upper, {1, 6}, "id", "campaign id 'Focus2007' must start with"));
    CHECK(has_diagnostic(diagnostics, dash, {1, 6}, "id", "campaign id '-focus'"));
    CHECK(has_diagnostic(diagnostics, space, {1, 6}, "id", "campaign id 'focus 2007'"));
    CHECK(diagnostics.size() == 3);
    CHECK(config.campaigns.size() == 4);
}

TEST_CASE("two campaign files with the same id are both reported", "[config]") {
    Fixture fixture;
    const fs::path first = fixture.campaign("a.toml", campaign_text("focus2007"));
    const fs::path second = fixture.campaign("b.toml", "\n# copy of a.toml\n" + campaign_text("focus2007"));

    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 2);
    CHECK(has_diagnostic(diagnostics, first, {1, 6}, "id",
                         "duplicate campaign id 'focus2007' (also defined at " + second.string() + ":3:6)"));
    CHECK(has_diagnostic(diagnostics, second, {3, 6}, "id",
                         "duplicate campaign id 'focus2007' (first defined at " + first.string() + ":1:6)"));
    REQUIRE(config.campaigns.size() == 1);
    CHECK(config.campaigns[0].file == first);
}

TEST_CASE("a missing campaigns directory is reported", "[config]") {
    SECTION("named in outreach.toml") {
        TempDir dir;
        const fs::path file = dir.write("outreach.toml", "journal = \"j.sqlite\"\ncampaigns = \"nowhere\"\n");
        Diagnostics diagnostics;
        load_config(file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, file, {2, 13}, "campaigns",
                             "campaigns directory '" + (dir.path() / "nowhere").string() + "' does not exist"));
    }
    SECTION("the default") {
        TempDir dir;
        const fs::path file = dir.write("outreach.toml", "\n\ntimezone = \"UTC\"\n");
        Diagnostics diagnostics;
        load_config(file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, file, {1, 1}, "campaigns",
                             "campaigns directory '" + (dir.path() / "campaigns").string() + "' does not exist"));
    }
    SECTION("a file instead of a directory") {
        TempDir dir;
        const fs::path file = dir.write("outreach.toml", "campaigns = \"list.txt\"\n");
        dir.write("list.txt", "");
        Diagnostics diagnostics;
        load_config(file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, file, {1, 13}, "campaigns", "is not a directory"));
    }
}

TEST_CASE("a roster file that does not exist is reported with its resolved path", "[config]") {
    Fixture fixture;
    const fs::path campaign = fixture.campaign("a.toml", "id = \"a\"\ntype = \"t\"\n[roster]\nfile = \"../rosters/../missing.toml\"\n");
    Diagnostics diagnostics;
    load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(has_diagnostic(diagnostics, campaign, {4, 8}, "roster.file",
                         "roster file '" + (fixture.dir.path() / "missing.toml").string() + "' does not exist"));
}

TEST_CASE("roster filter values are checked", "[config]") {
    Fixture fixture;
    const std::string text = R"(id = "a"
type = "t"
[roster]
file = "../roster.toml"
status = ["member", "guest"]
exclude = ["civ"]
)";
    const fs::path campaign = fixture.campaign("a.toml", text);
    Diagnostics diagnostics;
    load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, campaign, position_of(text, "\"guest\""), "roster.status[1]",
                         "unknown status 'guest' (expected 'member' or 'observer')"));
    CHECK(has_diagnostic(diagnostics, campaign, position_of(text, "\"civ\""), "roster.exclude[0]",
                         "'civ' is not an ISO 3166-1 alpha-3 code"));
    CHECK(diagnostics.size() == 2);
}

TEST_CASE("addressee roles outside the three known ones are reported", "[config]") {
    Fixture fixture;
    const std::string text = campaign_text("a", "addressees = [\"head_of_state\", \"foreign_ministre\", \"ambassador\"]");
    const fs::path campaign = fixture.campaign("a.toml", text);
    Diagnostics diagnostics;
    load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, campaign, position_of(text, "\"foreign_ministre\""), "addressees[1]",
                         "unknown addressee role 'foreign_ministre' (did you mean 'foreign_minister'?)"));
    CHECK(has_diagnostic(diagnostics, campaign, position_of(text, "\"ambassador\""), "addressees[2]",
                         "unknown addressee role 'ambassador' (expected 'head_of_state', 'foreign_minister' or "
                         "'permanent_representative')"));
    CHECK(diagnostics.size() == 2);
}

TEST_CASE("malformed sender e-mail addresses are reported", "[config]") {
    const std::string global_text = kMinimalGlobal +
                                    "[sender]\nemail = \"treaty-section.example.org\"\nstaff_email = \"staff@localhost\"\n";
    Fixture fixture(global_text);
    const std::string text = campaign_text("a") + "[sender]\nemail = \"treaty section@example.org\"\n";
    const fs::path campaign = fixture.campaign("a.toml", text);
    Diagnostics diagnostics;
    load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, fixture.global_file, position_of(global_text, "\"treaty-section"), "sender.email",
                         "not an e-mail address: 'treaty-section.example.org'"));
    CHECK(has_diagnostic(diagnostics, fixture.global_file, position_of(global_text, "\"staff@"), "sender.staff_email",
                         "not an e-mail address: 'staff@localhost'"));
    CHECK(has_diagnostic(diagnostics, campaign, position_of(text, "\"treaty section"), "sender.email",
                         "not an e-mail address"));
    CHECK(diagnostics.size() == 3);
}

TEST_CASE("every problem of a campaign file is reported together", "[config]") {
    Fixture fixture;
    const std::string text = R"(id = "Bad Id"
type = "treaty_event"
enabled = "yes"
timezone = "Europe/Zurch"
addressees = ["king"]
colour = "red"

[roster]
file = "../nowhere.toml"

[sender]
email = "nobody"
)";
    const fs::path campaign = fixture.campaign("a.toml", text);
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(has_diagnostic(diagnostics, campaign, {1, 6}, "id", "campaign id 'Bad Id'"));
    CHECK(has_diagnostic(diagnostics, campaign, {3, 11}, "enabled", "expected a boolean"));
    CHECK(has_diagnostic(diagnostics, campaign, {4, 12}, "timezone", "(did you mean 'Europe/Zurich'?)"));
    CHECK(has_diagnostic(diagnostics, campaign, {5, 15}, "addressees[0]", "unknown addressee role 'king'"));
    CHECK(has_diagnostic(diagnostics, campaign, {6, 1}, "colour", "unknown key 'colour'"));
    CHECK(has_diagnostic(diagnostics, campaign, {9, 8}, "roster.file", "does not exist"));
    CHECK(has_diagnostic(diagnostics, campaign, {12, 9}, "sender.email", "not an e-mail address: 'nobody'"));
    CHECK(diagnostics.size() == 7);
    CHECK(count_for(diagnostics, campaign) == 7);
    REQUIRE(config.campaigns.size() == 1);
}

TEST_CASE("campaign [params] are kept raw with their source positions", "[config]") {
    Fixture fixture;
    const std::string text = campaign_text("a") + R"(
[params]
letter_date = 2007-05-09
reminder_offsets = [30, 14, 7]
)";
    fixture.campaign("a.toml", text);
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(config.campaigns.size() == 1);
    const toml::table& params = config.campaigns[0].params;
    REQUIRE(params.size() == 2);
    const Position table_position = position_of(text, "[params]");
    CHECK(static_cast<int>(params.source().begin.line) == table_position.line);
    const toml::node* offsets = params.get("reminder_offsets");
    REQUIRE(offsets != nullptr);
    const Position offsets_position = position_of(text, "[30");
    CHECK(static_cast<int>(offsets->source().begin.line) == offsets_position.line);
    CHECK(static_cast<int>(offsets->source().begin.column) == offsets_position.column);
    const toml::node* date = params.get("letter_date");
    REQUIRE(date != nullptr);
    REQUIRE(date->is_date());
    CHECK(date->as_date()->get() == toml::date{2007, 5, 9});
}

TEST_CASE("the shipped config/outreach.toml loads without errors", "[config]") {
    const fs::path file = fs::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml";
    Diagnostics diagnostics;
    const Config config = load_config(file, diagnostics);
    INFO(dump(diagnostics));
    CHECK(diagnostics.empty());
    CHECK(config.global.timezone == "America/New_York");
    CHECK(config.global.sender.name == "United Nations Office of Legal Affairs, Treaty Section");
    CHECK(config.global.sender.email == "treaty-section@example.org");
    CHECK(config.global.sender.staff_email == "treaty-staff@example.org");
    CHECK(config.global.delivery.channel == "maildir");
    CHECK(config.global.journal == (fs::path(OUTREACH_SOURCE_DIR) / "var/journal.sqlite").lexically_normal());
    CHECK(config.global.delivery.outbox == (fs::path(OUTREACH_SOURCE_DIR) / "var/outbox").lexically_normal());
    CHECK(config.global.campaigns_dir == (fs::path(OUTREACH_SOURCE_DIR) / "config/campaigns").lexically_normal());
}

// ---------------------------------------------------------------------------
// validate_params

namespace {

struct ParamsCase {
    std::string text;
    toml::table document;
    fs::path file = "campaigns/test.toml";

    explicit ParamsCase(std::string toml_text) : text(std::move(toml_text)) {
        document = toml::parse(text, std::string_view{"campaigns/test.toml"});
    }

    const toml::table& params() const {
        const toml::table* table = document["params"].as_table();
        REQUIRE(table != nullptr);
        return *table;
    }

    Params validate(const std::vector<OptionSpec>& specs, Diagnostics& diagnostics) const {
        return validate_params(params(), specs, file, diagnostics);
    }

    Position at(const std::string& needle) const { return position_of(text, needle); }
};

OptionSpec spec(std::string name, OptionType type, std::optional<OptionValue> default_value = std::nullopt,
                bool required = false, std::string description = "") {
    return OptionSpec{std::move(name), type, std::move(default_value), required, std::move(description)};
}

}  // namespace

TEST_CASE("closest_match finds the nearest candidate within a small distance", "[config]") {
    const std::vector<std::string> candidates{"reminder_offsets", "letter_date", "deadline", "treaties"};
    CHECK(closest_match("reminder_ofsets", candidates) == "reminder_offsets");
    CHECK(closest_match("leter_date", candidates) == "letter_date");
    CHECK(closest_match("deadlin", candidates) == "deadline");
    CHECK(closest_match("treatise", candidates) == "treaties");
    CHECK(closest_match("colour", candidates).empty());
    CHECK(closest_match("x", {}).empty());
    // Short words still allow two edits; long words allow a third of their length.
    CHECK(closest_match("ab", {"abcd"}) == "abcd");
    CHECK(closest_match("ab", {"abcde"}).empty());
    CHECK(closest_match("abcdefghijkl", {"abcdefghxxxx"}) == "abcdefghxxxx");
    CHECK(closest_match("abcdefghijkl", {"abcdefgxxxxx"}).empty());
    // The best candidate wins, not the first acceptable one.
    CHECK(closest_match("status", {"statuses", "statue"}) == "statue");
    CHECK(closest_match("channel", {"chanels", "channels"}) == "channels");
}

TEST_CASE("params: unknown options get a hint", "[config]") {
    ParamsCase input("[params]\nreminder_ofsets = [30]\nflavour = 1\n");
    Diagnostics diagnostics;
    validate_params(input.params(), {spec("reminder_offsets", OptionType::IntegerList)}, input.file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 2);
    CHECK(has_diagnostic(diagnostics, input.file, {2, 1}, "params.reminder_ofsets",
                         "unknown option 'reminder_ofsets' (did you mean 'reminder_offsets'?)"));
    CHECK(has_diagnostic(diagnostics, input.file, {3, 1}, "params.flavour",
                         "unknown option 'flavour' (options: 'reminder_offsets')"));
}

TEST_CASE("params: scalars of each type, and the wrong type", "[config]") {
    const std::vector<OptionSpec> specs{spec("title", OptionType::String), spec("count", OptionType::Integer),
                                        spec("dry_run", OptionType::Boolean)};
    SECTION("right types") {
        ParamsCase input("[params]\ntitle = \"Focus 2007\"\ncount = 42\ndry_run = true\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        CHECK(params.string("title") == "Focus 2007");
        CHECK(params.integer("count") == 42);
        CHECK(params.boolean("dry_run"));
    }
    SECTION("wrong types, all reported") {
        ParamsCase input("[params]\ntitle = 2007\ncount = \"42\"\ndry_run = \"yes\"\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 3);
        CHECK(has_diagnostic(diagnostics, input.file, {2, 9}, "params.title", "expected a string, found an integer"));
        CHECK(has_diagnostic(diagnostics, input.file, {3, 9}, "params.count", "expected an integer, found a string"));
        CHECK(has_diagnostic(diagnostics, input.file, {4, 11}, "params.dry_run",
                             "expected a boolean (true or false), found a string"));
        CHECK_FALSE(params.has("title"));
        CHECK_FALSE(params.has("count"));
        CHECK_FALSE(params.has("dry_run"));
    }
}

TEST_CASE("params: dates as TOML dates or strings", "[config]") {
    const std::vector<OptionSpec> specs{spec("letter_date", OptionType::Date), spec("deadline", OptionType::Date)};
    SECTION("both spellings") {
        ParamsCase input("[params]\nletter_date = 2007-05-09\ndeadline = \"2007-09-01\"\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        CHECK(params.date("letter_date") == make_date(2007, 5, 9));
        CHECK(params.date("deadline") == make_date(2007, 9, 1));
    }
    SECTION("impossible and malformed dates") {
        ParamsCase input("[params]\nletter_date = \"2007-02-30\"\ndeadline = \"1 September 2007\"\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 2);
        CHECK(has_diagnostic(diagnostics, input.file, {2, 15}, "params.letter_date", "not a date (expected YYYY-MM-DD)"));
        CHECK(has_diagnostic(diagnostics, input.file, {3, 12}, "params.deadline", "not a date (expected YYYY-MM-DD)"));
        CHECK_FALSE(params.has("letter_date"));
    }
    SECTION("other TOML types") {
        ParamsCase input("[params]\nletter_date = 20070509\ndeadline = 2007-09-01T00:00:00\n");
        Diagnostics diagnostics;
        input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 2);
        CHECK(has_diagnostic(diagnostics, input.file, {2, 15}, "params.letter_date",
                             "expected a date (YYYY-MM-DD), found an integer"));
        CHECK(has_diagnostic(diagnostics, input.file, {3, 12}, "params.deadline",
                             "expected a date (YYYY-MM-DD), found a date-time"));
    }
}

TEST_CASE("params: times of day as \"HH:MM\"", "[config]") {
    const std::vector<OptionSpec> specs{spec("send_at", OptionType::Time)};
    SECTION("valid") {
        ParamsCase input("[params]\nsend_at = \"17:45\"\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        REQUIRE(diagnostics.empty());
        CHECK(params.time("send_at") == LocalTime{17, 45});
    }
    for (const std::string bad : {"9:30", "24:00", "12:60", "noon"}) {
        DYNAMIC_SECTION("invalid " << bad) {
            ParamsCase input("[params]\nsend_at = \"" + bad + "\"\n");
            Diagnostics diagnostics;
            const Params params = input.validate(specs, diagnostics);
            INFO(dump(diagnostics));
            REQUIRE(diagnostics.size() == 1);
            CHECK(has_diagnostic(diagnostics, input.file, {2, 11}, "params.send_at", "not a time of day (expected HH:MM"));
            CHECK_FALSE(params.has("send_at"));
        }
    }
    SECTION("wrong type") {
        ParamsCase input("[params]\nsend_at = 9\n");
        Diagnostics diagnostics;
        input.validate(specs, diagnostics);
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, input.file, {2, 11}, "params.send_at",
                             "expected a time of day as a string \"HH:MM\", found an integer"));
    }
}

TEST_CASE("params: lists report the bad element with its index and position", "[config]") {
    const std::vector<OptionSpec> specs{spec("reminder_offsets", OptionType::IntegerList),
                                        spec("treaties", OptionType::StringList)};
    SECTION("valid") {
        ParamsCase input("[params]\nreminder_offsets = [30, 14, 7]\ntreaties = [\"CTBT\", \"Rome Statute\"]\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        REQUIRE(diagnostics.empty());
        CHECK(params.integers("reminder_offsets") == std::vector<std::int64_t>{30, 14, 7});
        CHECK(params.strings("treaties") == std::vector<std::string>{"CTBT", "Rome Statute"});
    }
    SECTION("bad elements") {
        ParamsCase input("[params]\nreminder_offsets = [30, 14, \"7\", 1.5]\ntreaties = [\"CTBT\", 3]\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 3);
        CHECK(has_diagnostic(diagnostics, input.file, input.at("\"7\""), "params.reminder_offsets[2]",
                             "expected an integer, found a string"));
        CHECK(has_diagnostic(diagnostics, input.file, input.at("1.5"), "params.reminder_offsets[3]",
                             "expected an integer, found a floating-point number"));
        CHECK(has_diagnostic(diagnostics, input.file, {3, 21}, "params.treaties[1]", "expected a string, found an integer"));
        CHECK_FALSE(params.has("reminder_offsets"));
        CHECK_FALSE(params.has("treaties"));
    }
    SECTION("not a list") {
        ParamsCase input("[params]\nreminder_offsets = 30\n");
        Diagnostics diagnostics;
        input.validate(specs, diagnostics);
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, input.file, {2, 20}, "params.reminder_offsets",
                             "expected a list of integers, found an integer"));
    }
}

TEST_CASE("params: date ranges in both spellings", "[config]") {
    const std::vector<OptionSpec> specs{spec("blackout", OptionType::DateRanges)};
    SECTION("pairs and inline tables, dates or strings") {
        ParamsCase input(R"([params]
blackout = [
  [2007-09-24, 2007-10-03],
  {from = "2007-12-24", to = 2008-01-02},
  ["2008-03-01", "2008-03-01"],
]
)");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        CHECK(params.date_ranges("blackout") ==
              std::vector<DateRange>{{make_date(2007, 9, 24), make_date(2007, 10, 3)},
                                     {make_date(2007, 12, 24), make_date(2008, 1, 2)},
                                     {make_date(2008, 3, 1), make_date(2008, 3, 1)}});
    }
    SECTION("every bad range reported at its own element") {
        ParamsCase input(R"([params]
blackout = [
  [2007-10-03, 2007-09-24],
  {from = 2007-12-24},
  {from = 2007-12-24, to = 2007-12-30, note = "x"},
  [2007-01-01],
  ["2007-01-01", "2007-13-01"],
  42,
]
)");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        CHECK(has_diagnostic(diagnostics, input.file, {3, 3}, "params.blackout[0]",
                             "date range ends (2007-09-24) before it starts (2007-10-03)"));
        CHECK(has_diagnostic(diagnostics, input.file, {4, 3}, "params.blackout[1].to", "date range is missing 'to'"));
        CHECK(has_diagnostic(diagnostics, input.file, input.at("note"), "params.blackout[2].note",
                             "unknown key 'note' in a date range"));
        CHECK(has_diagnostic(diagnostics, input.file, {6, 3}, "params.blackout[3]",
                             "expected a date range [first, last] of 2 dates, found 1 element"));
        CHECK(has_diagnostic(diagnostics, input.file, input.at("\"2007-13-01\""), "params.blackout[4][1]",
                             "not a date (expected YYYY-MM-DD)"));
        CHECK(has_diagnostic(diagnostics, input.file, {8, 3}, "params.blackout[5]",
                             "expected a date range ([first, last], {from = ..., to = ...} or one date), found an integer"));
        CHECK(diagnostics.size() == 6);
        CHECK_FALSE(params.has("blackout"));
    }
}

TEST_CASE("params: required options, defaults and absent options", "[config]") {
    const std::vector<OptionSpec> specs{
        spec("letter_date", OptionType::Date, std::nullopt, true, "the date printed on the invitation letters"),
        spec("reminder_offsets", OptionType::IntegerList, std::vector<std::int64_t>{30, 7}),
        spec("send_at", OptionType::Time, LocalTime{9, 0}),
        spec("note", OptionType::String),
    };
    SECTION("missing required option is reported at the [params] table") {
        const std::string text = "id = \"a\"\n\n[params]\nsend_at = \"10:00\"\n";
        ParamsCase input(text);
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, input.file, {3, 1}, "params.letter_date",
                             "missing required option 'letter_date' (date): the date printed on the invitation letters"));
        CHECK(params.integers("reminder_offsets") == std::vector<std::int64_t>{30, 7});
        CHECK(params.time("send_at") == LocalTime{10, 0});
        CHECK_FALSE(params.has("note"));
        CHECK_FALSE(params.has("letter_date"));
    }
    SECTION("defaults fill in, given values win") {
        ParamsCase input("[params]\nletter_date = 2007-05-09\nreminder_offsets = [14]\n");
        Diagnostics diagnostics;
        const Params params = input.validate(specs, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        CHECK(params.date("letter_date") == make_date(2007, 5, 9));
        CHECK(params.integers("reminder_offsets") == std::vector<std::int64_t>{14});
        CHECK(params.time("send_at") == LocalTime{9, 0});
        CHECK_FALSE(params.has("note"));
        CHECK(params.values().size() == 3);
    }
    SECTION("a custom field prefix") {
        ParamsCase input("[params]\nletter_dat = 2007-05-09\n");
        Diagnostics diagnostics;
        validate_params(input.params(), specs, input.file, diagnostics, "campaign.params");
        INFO(dump(diagnostics));
        CHECK(has_diagnostic(diagnostics, input.file, {2, 1}, "campaign.params.letter_dat",
                             "(did you mean 'letter_date'?)"));
        CHECK(has_diagnostic(diagnostics, input.file, {1, 1}, "campaign.params.letter_date", "missing required option"));
    }
}

TEST_CASE("params: validating the params loaded by load_config keeps file positions", "[config]") {
    Fixture fixture;
    const std::string text = campaign_text("a") + "\n[params]\nreminder_offsets = [30, \"14\"]\n";
    const fs::path campaign_file = fixture.campaign("a.toml", text);
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    REQUIRE(diagnostics.empty());
    REQUIRE(config.campaigns.size() == 1);
    validate_params(config.campaigns[0].params, {spec("reminder_offsets", OptionType::IntegerList)},
                    config.campaigns[0].file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(has_diagnostic(diagnostics, campaign_file, position_of(text, "\"14\""), "params.reminder_offsets[1]",
                         "expected an integer, found a string"));
}

TEST_CASE("[delivery.smtp] is read with its defaults and a password file resolved next to the file", "[config]") {
    Fixture fixture(kMinimalGlobal + R"([delivery]
channel = "smtp"
[delivery.smtp]
host = "smtp.example.org"
username = "treaty-section"
password_file = "secrets/smtp-password"
)");
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const SmtpConfig& smtp = config.global.delivery.smtp;
    CHECK(config.global.delivery.channel == "smtp");
    CHECK(smtp.host == "smtp.example.org");
    CHECK(smtp.port == 587);
    CHECK(smtp.security == "starttls");
    CHECK(smtp.username == "treaty-section");
    CHECK(smtp.password_file == fixture.dir.path() / "secrets/smtp-password");
    CHECK(smtp.password_env.empty());
    CHECK(smtp.timeout_seconds == 60);
}

TEST_CASE("[delivery.smtp] with implicit TLS defaults to port 465 - given values win", "[config]") {
    {
        Fixture fixture(kMinimalGlobal + "[delivery]\nchannel = \"smtp\"\n[delivery.smtp]\nhost = \"mx\"\n"
                                         "security = \"tls\"\n");
        Diagnostics diagnostics;
        const Config config = load_config(fixture.global_file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        CHECK(config.global.delivery.smtp.security == "tls");
        CHECK(config.global.delivery.smtp.port == 465);
    }
    Fixture fixture(kMinimalGlobal + "[delivery]\nchannel = \"smtp\"\n[delivery.smtp]\nhost = \"192.0.2.25\"\n"
                                     "security = \"none\"\nport = 2525\ntimeout_seconds = 15\n"
                                     "username = \"u\"\npassword_env = \"OUTREACH_SMTP_PASSWORD\"\n");
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const SmtpConfig& smtp = config.global.delivery.smtp;
    CHECK(smtp.host == "192.0.2.25");
    CHECK(smtp.security == "none");
    CHECK(smtp.port == 2525);
    CHECK(smtp.timeout_seconds == 15);
    CHECK(smtp.password_env == "OUTREACH_SMTP_PASSWORD");
    CHECK(smtp.password_file.empty());
}

TEST_CASE("[delivery.smtp] problems are reported at their position", "[config]") {
    const std::string global_text = R"(campaigns = "campaigns"
[delivery]
channel = "smtp"
[delivery.smtp]
hots = "smtp.example.org"
port = 70000
security = "startls"
timeout_seconds = "60"
username = "treaty"
password_file = "smtp-password"
password_env = "SMTP PASSWORD"
)";
    Fixture fixture(global_text);
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    const fs::path& file = fixture.global_file;
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "hots"), "delivery.smtp.hots",
                         "unknown key 'hots' (did you mean 'host'?)"));
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "[delivery.smtp]"), "delivery.smtp.host",
                         "missing required key 'host' in [delivery.smtp]"));
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "70000"), "delivery.smtp.port",
                         "port 70000 is out of range (1 to 65535)"));
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "\"startls\""), "delivery.smtp.security",
                         "unknown security 'startls' (did you mean 'starttls'?)"));
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "\"60\""), "delivery.smtp.timeout_seconds",
                         "expected an integer, found a string"));
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "\"SMTP PASSWORD\""), "delivery.smtp.password_env",
                         "'SMTP PASSWORD' is not an environment variable name"));
    CHECK(has_diagnostic(diagnostics, file, position_of(global_text, "\"SMTP PASSWORD\""), "delivery.smtp.password_env",
                         "password_file and password_env are mutually exclusive"));
    CHECK(diagnostics.size() == 7);
    CHECK(config.global.delivery.smtp.port == 587);
    CHECK(config.global.delivery.smtp.security == "starttls");
}

TEST_CASE("[delivery.smtp] username and password come together", "[config]") {
    SECTION("a username without a password") {
        const std::string text = kMinimalGlobal + "[delivery.smtp]\nhost = \"mx\"\nusername = \"treaty\"\n";
        Fixture fixture(text);
        Diagnostics diagnostics;
        load_config(fixture.global_file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, fixture.global_file, position_of(text, "\"treaty\""),
                             "delivery.smtp.username", "username is set but no password"));
    }
    SECTION("a password without a username") {
        const std::string text = kMinimalGlobal + "[delivery.smtp]\nhost = \"mx\"\npassword_env = \"SMTP_PASSWORD\"\n";
        Fixture fixture(text);
        Diagnostics diagnostics;
        load_config(fixture.global_file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, fixture.global_file, position_of(text, "\"SMTP_PASSWORD\""),
                             "delivery.smtp.username", "a password is configured but no username"));
    }
    SECTION("wrong types and a bad host") {
        const std::string text = kMinimalGlobal + "[delivery]\nsmtp = 5\n";
        Fixture fixture(text);
        Diagnostics diagnostics;
        load_config(fixture.global_file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(has_diagnostic(diagnostics, fixture.global_file, position_of(text, "5"), "delivery.smtp",
                             "expected a table, found an integer"));
        const std::string host_text = kMinimalGlobal + "[delivery.smtp]\nhost = \"smtp.example.org/relay\"\nport = 25.0\n";
        Fixture host_fixture(host_text);
        Diagnostics host_diagnostics;
        load_config(host_fixture.global_file, host_diagnostics);
        INFO(dump(host_diagnostics));
        REQUIRE(host_diagnostics.size() == 2);
        CHECK(has_diagnostic(host_diagnostics, host_fixture.global_file, position_of(host_text, "\"smtp.example.org/"),
                             "delivery.smtp.host", "not a host name or address: 'smtp.example.org/relay'"));
        CHECK(has_diagnostic(host_diagnostics, host_fixture.global_file, position_of(host_text, "25.0"),
                             "delivery.smtp.port", "expected an integer, found a floating-point number"));
    }
}

TEST_CASE("channel smtp without an [delivery.smtp] table names the missing host", "[config]") {
    Fixture fixture(kMinimalGlobal + "[delivery]\nchannel = \"smtp\"\n");
    Diagnostics diagnostics;
    (void)load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].field == "delivery.smtp.host");
    CHECK(diagnostics[0].line == 2);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("needs a server"));
}

TEST_CASE("a single date in a date-range list is a one-day range", "[config]") {
    const std::vector<OptionSpec> specs{{"days", OptionType::DateRanges, std::nullopt, true, "days"}};
    const auto table = toml::parse("days = [2006-11-06, [2007-11-05, 2007-11-07], \"2008-11-03\"]\n");
    Diagnostics diagnostics;
    const Params params = validate_params(table, specs, "inline.toml", diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const auto& ranges = params.date_ranges("days");
    REQUIRE(ranges.size() == 3);
    CHECK(ranges[0] == DateRange{make_date(2006, 11, 6), make_date(2006, 11, 6)});
    CHECK(ranges[1] == DateRange{make_date(2007, 11, 5), make_date(2007, 11, 7)});
    CHECK(ranges[2] == DateRange{make_date(2008, 11, 3), make_date(2008, 11, 3)});
}

TEST_CASE("[delivery.smtp] ca_file resolves next to the file and must exist", "[config]") {
    {
        Fixture fixture(kMinimalGlobal + "[delivery]\nchannel = \"smtp\"\n[delivery.smtp]\nhost = \"mx\"\n"
                                         "ca_file = \"tls/private-ca.pem\"\n");
        fixture.dir.write("tls/private-ca.pem", "-----BEGIN CERTIFICATE-----\n");
        Diagnostics diagnostics;
        const Config config = load_config(fixture.global_file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        CHECK(config.global.delivery.smtp.ca_file == fixture.dir.path() / "tls/private-ca.pem");
    }
    {
        Fixture fixture(kMinimalGlobal + "[delivery.smtp]\nhost = \"mx\"\n");
        Diagnostics diagnostics;
        const Config config = load_config(fixture.global_file, diagnostics);
        REQUIRE(diagnostics.empty());
        CHECK(config.global.delivery.smtp.ca_file.empty());  // the system's CAs
    }
    const std::string text = kMinimalGlobal + "[delivery.smtp]\nhost = \"mx\"\nca_file = \"missing-ca.pem\"\n";
    Fixture fixture(text);
    Diagnostics diagnostics;
    const Config config = load_config(fixture.global_file, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(has_diagnostic(diagnostics, fixture.global_file, position_of(text, "\"missing-ca.pem\""),
                         "delivery.smtp.ca_file",
                         "CA file '" + (fixture.dir.path() / "missing-ca.pem").string() + "' does not exist"));
    CHECK(config.global.delivery.smtp.ca_file.empty());

    for (const std::string value : {"\"\"", "\"campaigns\"", "42"}) {
        const std::string bad_text = kMinimalGlobal + "[delivery.smtp]\nhost = \"mx\"\nca_file = " + value + "\n";
        Fixture bad(bad_text);
        Diagnostics bad_diagnostics;
        load_config(bad.global_file, bad_diagnostics);
        INFO(value << "\n" << dump(bad_diagnostics));
        REQUIRE(bad_diagnostics.size() == 1);
        CHECK(bad_diagnostics[0].field == "delivery.smtp.ca_file");
        const Position setting = position_of(bad_text, "ca_file = " + value);  // the value is 10 columns on
        CHECK(bad_diagnostics[0].line == setting.line);
        CHECK(bad_diagnostics[0].column == setting.column + 10);
    }
}
