// approval / approval_lead in a campaign file and in [steps.<id>] (issue 12).
#include <catch2/catch.hpp>

#include "hardening_support.hpp"
#include "runtime.hpp"

using namespace outreach;
using namespace outreach::hardening;
using namespace std::chrono_literals;

TEST_CASE("approval required in a campaign file applies to every step - a step may opt out or set its own lead", "[config][approval]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    write_bytes(focus, "approval = \"required\"\napproval_lead = \"36h\"\n" + read_text(focus) +
                           "\n[steps.deadline_reminder_14]\napproval = \"none\"\n"
                           "\n[steps.invitation]\napproval_lead = \"90m\"\n");
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const Campaign* campaign = runtime->campaign("focus2007");
    REQUIRE(campaign != nullptr);
    CHECK(campaign->approval_lead(*campaign->step("invitation")) == std::chrono::minutes(90));
    CHECK(campaign->approval_lead(*campaign->step("deadline_reminder_30")) == std::chrono::minutes(36h));
    CHECK_FALSE(campaign->approval_lead(*campaign->step("deadline_reminder_14")));
    // Other campaigns are not concerned.
    const Campaign* other = runtime->campaign("focus2004");
    REQUIRE(other != nullptr);
    CHECK(other->approval_leads.empty());
}

TEST_CASE("a bad approval or approval_lead is an error at its position - the campaign does not load",
          "[config][approval][hardening]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    const std::string text = "approval = \"requried\"\napproval_lead = \"2w\"\n" + read_text(focus) +
                             "\n[steps.invitation]\napproval_lead = \"0d\"\n";
    write_bytes(focus, text);
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    const Diagnostic* value = find(diagnostics, "approval", "unknown approval 'requried'");
    REQUIRE(value != nullptr);
    CHECK(value->file == focus);
    CHECK(value->line == 1);
    CHECK_THAT(value->message, Catch::Contains("did you mean 'required'?"));
    const Diagnostic* unit = find(diagnostics, "approval_lead", "unknown unit");
    REQUIRE(unit != nullptr);
    CHECK(unit->line == 2);
    CHECK(find(diagnostics, "steps.invitation.approval_lead", "out of range") != nullptr);
    CHECK(runtime->campaign("focus2007") == nullptr);
    CHECK(runtime->campaign("focus2004") != nullptr);
}
