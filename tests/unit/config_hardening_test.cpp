// Issue 9: roster filters that name nothing, campaigns with errors in their own
// file and a main config with errors never send.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"
#include "hardening_support.hpp"
#include "config/config.hpp"
#include "runtime.hpp"

using namespace outreach;
using namespace outreach::hardening;
using outreach::test::run_outreach;

// ---- roster filters -------------------------------------------------------------

TEST_CASE("roster filter: unknown State codes and groups are errors with a hint - the campaign does not load",
          "[hardening][roster]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    ShippedCopy::edit(focus, "file = \"../rosters/un-states.toml\"",
                      "file = \"../rosters/un-states.toml\"\nexclude = [\"CIV\", \"FRN\"]\n"
                      "groups = [\"African Group\", \"Western European Group\"]");
    const std::string text = read_text(focus);

    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    const Diagnostic* code = find(diagnostics, "roster.exclude[1]", "unknown State code 'FRN'");
    REQUIRE(code != nullptr);
    CHECK(code->file == focus);
    CHECK(std::pair(code->line, code->column) == position_of(text, "\"FRN\""));
    CHECK_THAT(code->message, Catch::Contains("did you mean 'FRA', France?"));

    const Diagnostic* group = find(diagnostics, "roster.groups[1]", "unknown regional group 'Western European Group'");
    REQUIRE(group != nullptr);
    CHECK(std::pair(group->line, group->column) == position_of(text, "\"Western European Group\""));
    CHECK_THAT(group->message, Catch::Contains("did you mean 'Western European and Others Group'?") &&
                                   Catch::Contains("'African Group', 'Asia and the Pacific Group', "
                                                   "'Eastern European Group', 'Latin American and Caribbean Group', "
                                                   "'Western European and Others Group'"));
    // Known entries are not reported.
    CHECK(find(diagnostics, "roster.exclude[0]", "") == nullptr);
    CHECK(find(diagnostics, "roster.groups[0]", "") == nullptr);

    // exclude = ["FRN"] would otherwise still write to France.
    CHECK(runtime->campaign("focus2007") == nullptr);
    CHECK(runtime->campaign("focus2004") != nullptr);
}

TEST_CASE("roster filter: an unknown status gets a hint", "[hardening][roster]") {
    ShippedCopy copy;
    ShippedCopy::edit(copy.campaign("focus2007"), "file = \"../rosters/un-states.toml\"",
                      "file = \"../rosters/un-states.toml\"\nstatus = [\"members\"]");
    Diagnostics diagnostics;
    load_config(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    CHECK(find(diagnostics, "roster.status[0]", "did you mean 'member'?") != nullptr);
}

// ---- campaigns with errors in their own file -------------------------------------

TEST_CASE("a campaign whose own [sender] or zone has an error is not loaded - the others are", "[hardening][config]") {
    ShippedCopy copy;
    ShippedCopy::edit(copy.campaign("focus2007"), "[params]",
                      "[sender]\nemail = \"treaty-section@example.org>,<evil@attacker.test\"\n\n[params]");
    ShippedCopy::edit(copy.campaign("focus2004"), "timezone   = \"America/New_York\"", "timezone = \"America/New_Yrok\"");

    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    CHECK(find(diagnostics, "sender.email", "not an e-mail address") != nullptr);
    CHECK(find(diagnostics, "timezone", "unknown time zone") != nullptr);
    // Reported, and left out: before, both still sent (From: <>, or in New York time).
    CHECK(runtime->campaigns.empty());
    CHECK(find(diagnostics, "", "campaign 'focus2007' is not loaded: its file has 1 error") != nullptr);
    CHECK(find(diagnostics, "", "campaign 'focus2004' is not loaded: its file has 1 error") != nullptr);
}

TEST_CASE("simulate and run send nothing when outreach.toml has errors", "[hardening][config][cli]") {
    ShippedCopy copy;
    ShippedCopy::edit(copy.file(), "email       = \"treaty-section@example.org\"",
                      "email       = \"treaty-section@example.org,evil@attacker.test\"");
    const fs::path state = copy.dir / "state";

    const auto simulated = run_outreach(copy.args() + " simulate --from 2007-05-01 --to 2007-05-31 --campaign focus2007"
                                                      " --state-dir " + state.string());
    INFO(simulated.output);
    CHECK(simulated.exit_code == 1);
    CHECK_THAT(simulated.output, Catch::Contains("sender.email") && Catch::Contains("nothing is sent"));
    CHECK(files_in(state / "outbox/new") == 0);

    const auto ran = run_outreach(copy.args() + " run --state-dir " + state.string());
    INFO(ran.output);
    CHECK(ran.exit_code == 1);
    CHECK_THAT(ran.output, Catch::Contains("nothing is sent"));
    CHECK_FALSE(fs::exists(state / "journal.sqlite"));
}

