// The `outreach` executable as operators use it: exit codes, error positions,
// JSON output, and simulate being repeatable on the same state directory.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <sys/wait.h>

#include "daemon/daemon_loop.hpp"
#include "cli_runner.hpp"
#include "test_support.hpp"

using namespace outreach::test;

namespace {

const std::string kRepo = OUTREACH_SOURCE_DIR;
const std::string kShippedConfig = "-c " + kRepo + "/config/outreach.toml";

// A config directory whose one campaign file is `campaign` (written as given).
std::string broken_config(const ScratchDir& dir, const std::string& campaign) {
    write_file(dir / "outreach.toml", "templates = \"" + kRepo + "/config/templates\"\njournal = \"journal.sqlite\"\n");
    write_file(dir / "campaigns/broken.toml", campaign);
    return "-c " + (dir / "outreach.toml").string();
}

const std::string kGoodCampaign =
    "id = \"broken\"\n"
    "type = \"treaty_event\"\n"
    "[roster]\n"
    "file = \"" + kRepo + "/config/rosters/un-states.toml\"\n"
    "[params]\n"
    "title = \"Focus 2007\"\n"
    "letter_date = 2007-05-09\n"
    "signatory = \"Ban Ki-moon\"\n";

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("validate accepts the shipped configuration", "[cli]") {
    const auto r = run_outreach(kShippedConfig + " validate");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("configuration is valid"));
}

TEST_CASE("validate reports each kind of error with file:line:column and field", "[cli]") {
    ScratchDir dir;
    const std::string file = (dir / "campaigns/broken.toml").string();
    struct Case {
        std::string name, campaign, expected;
    };
    const std::vector<Case> cases{
        {"unknown key (typo)", replace(kGoodCampaign, "signatory =", "signatary ="),
         file + ":8:1: params.signatary: unknown option 'signatary' (did you mean 'signatory'?)"},
        {"wrong type", replace(kGoodCampaign, "type = \"treaty_event\"\n", "type = \"treaty_event\"\nenabled = \"yes\"\n"),
         file + ":3:11: enabled"},
        {"missing required option", replace(kGoodCampaign, "signatory = \"Ban Ki-moon\"\n", ""),
         file + ":5:1: params.signatory: missing required option 'signatory'"},
        {"unknown campaign type", replace(kGoodCampaign, "\"treaty_event\"", "\"treaty_evnt\""),
         "type: unknown campaign type 'treaty_evnt' (did you mean 'treaty_event'?)"},
        {"bad date", replace(kGoodCampaign, "letter_date = 2007-05-09", "letter_date = \"2007-02-30\""),
         file + ":7:15: params.letter_date: not a date"},
        {"bad time zone", replace(kGoodCampaign, "[roster]", "timezone = \"America/New_Yrok\"\n[roster]"),
         file + ":3:12: timezone"},
        {"roster file missing", replace(kGoodCampaign, "un-states.toml", "no-such-roster.toml"), "no-such-roster.toml"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            const auto r = run_outreach(broken_config(dir, c.campaign) + " validate");
            INFO(r.output);
            CHECK(r.exit_code == 1);
            CHECK_THAT(r.output, Catch::Contains(c.expected));
        }
    }
    SECTION("malformed roster") {
        write_file(dir / "roster.toml", "[[state]]\ncode = \"CIV\"\nname = \"Côte d'Ivoire\"\nstatus = \"memberr\"\n");
        const auto r = run_outreach(broken_config(dir, replace(kGoodCampaign, kRepo + "/config/rosters/un-states.toml",
                                                      (dir / "roster.toml").string())) +
                           " validate");
        INFO(r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Catch::Contains((dir / "roster.toml").string() + ":4:10: state[CIV].status"));
    }
}

TEST_CASE("bad command-line arguments are usage errors", "[cli]") {
    CHECK(run_outreach(kShippedConfig + " plan --from 2007-13-01 --to 2007-12-31").exit_code == 2);
    CHECK(run_outreach(kShippedConfig + " frobnicate").exit_code == 2);
    const auto r = run_outreach(kShippedConfig + " plugins --describe no_such_type");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("no_such_type"));
}

TEST_CASE("plugins lists and describes the treaty_event type from its option table", "[cli]") {
    auto r = run_outreach(kShippedConfig + " plugins");
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("treaty_event"));
    r = run_outreach(kShippedConfig + " plugins --describe treaty_event");
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("reminder_offsets"));
    CHECK_THAT(r.output, Catch::Contains("[-60, -30, -14]"));
}

TEST_CASE("plan --format json lists the Focus 2007 season", "[cli]") {
    const auto r = run_outreach(kShippedConfig + " plan --from 2007-01-01 --to 2007-12-31 --campaign focus2007 --format json");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto json = nlohmann::json::parse(r.output);
    REQUIRE(json["campaigns"].size() == 1);
    const auto& items = json["campaigns"][0]["occurrences"];
    REQUIRE(items.size() > 0);
    CHECK(items[0]["step"] == "invitation");
    CHECK(items[0]["due_local"] == "2007-05-09 09:00 EDT");
    CHECK(items[0]["recipients"] == 194);  // the Members and observers of 2007: South Sudan joined in 2011
    for (const auto& item : items)
        if (item.contains("valid_until_utc")) CHECK(item["due_utc"].get<std::string>() < item["valid_until_utc"].get<std::string>());
}

TEST_CASE("simulate twice on the same state dir sends nothing new", "[cli]") {
    ScratchDir dir;
    const std::string args = kShippedConfig + " simulate --from 2007-01-01 --to 2007-12-31 --campaign focus2007 --summary --state-dir " +
                             (dir / "state").string();
    const auto first = run_outreach(args);
    INFO(first.output);
    REQUIRE(first.exit_code == 0);
    CHECK_THAT(first.output, Catch::Contains("1164 letters and 2 tasks delivered"));
    const std::size_t files = count_files(dir / "state/outbox/new");
    CHECK(files == 1166);  // 194 States in 2007 (South Sudan joined in 2011)
    // Every message in the outbox passes a strict RFC 5322 parser with no defects.
    if (std::filesystem::exists("/usr/bin/python3")) {
        write_file(dir / "strict.py",
                   "import email, email.policy, pathlib, sys\n"
                   "bad = 0\n"
                   "for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):\n"
                   "    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.strict)\n"
                   "    defects = list(m.defects) + [d for k in m.keys() for d in m[k].defects]\n"
                   "    body = m.get_body(('plain',)).get_content()\n"
                   "    if defects or not m['Message-ID'] or not m['Date'] or ('/staff' not in str(m['X-Outreach-Key']) and not any(s in body for s in ('Excellency', 'Excellence', 'Excelencia'))):\n"
                   "        bad += 1; print(p.name, defects)\n"
                   "print('checked', len(list(pathlib.Path(sys.argv[1]).iterdir())), 'bad', bad)\n"
                   "sys.exit(1 if bad else 0)\n");
        const std::string command = "/usr/bin/python3 " + (dir / "strict.py").string() + " " +
                                    (dir / "state/outbox/new").string() + " 2>&1";
        FILE* pipe = ::popen(command.c_str(), "r");
        REQUIRE(pipe);
        std::string report;
        std::array<char, 4096> buf{};
        while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) report.append(buf.data(), n);
        const int status = ::pclose(pipe);
        INFO(report);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        CHECK_THAT(report, Catch::Contains("checked 1166 bad 0"));
    } else {
        WARN("/usr/bin/python3 missing: strict RFC 5322 parse skipped");
    }
    const auto second = run_outreach(args);
    CHECK(second.exit_code == 0);
    CHECK_THAT(second.output, Catch::Contains("0 letters and 0 tasks delivered"));
    CHECK(count_files(dir / "state/outbox/new") == files);
}

TEST_CASE("run refuses a journal that a daemon holds", "[cli]") {
    ScratchDir dir;
    std::filesystem::create_directories(dir / "state");
    const outreach::JournalLock daemon_lock(dir / "state/journal.sqlite");  // as a running daemon would
    const auto r = run_outreach(kShippedConfig + " run --state-dir " + (dir / "state").string());
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Catch::Contains("is using"));
    CHECK_THAT(r.output, Catch::Contains("journal.sqlite"));
}
