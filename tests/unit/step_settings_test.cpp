// [steps.<step id>] in a campaign file: checked against the plugin's workflow,
// applied to its steps.
#include <catch2/catch.hpp>

#include "hardening_support.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

using namespace outreach;
using namespace outreach::hardening;

TEST_CASE("[steps.<id>] enabled = false: the step and the steps after it have no occurrences", "[config][steps]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    write_bytes(focus, read_text(focus) + "\n[steps.deadline_reminder_14]\nenabled = false\n");

    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    const Campaign* campaign = runtime->campaign("focus2007");
    REQUIRE(campaign != nullptr);
    REQUIRE(campaign->step("deadline_reminder_14") != nullptr);
    CHECK_FALSE(campaign->step("deadline_reminder_14")->enabled);
    std::size_t reminders_14 = 0, reminders_30 = 0;
    for (const auto& o : expand_occurrences(*campaign, {})) {
        reminders_14 += o.step->id == "deadline_reminder_14";
        reminders_30 += o.step->id == "deadline_reminder_30";
    }
    CHECK(reminders_14 == 0);
    CHECK(reminders_30 == 1);
}

TEST_CASE("[steps.<id>] naming no step, an unknown key or a non-table is an error - the campaign does not load",
          "[config][steps][hardening]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    const std::string original = read_text(focus);
    write_bytes(focus, original + "\n[steps.deadline_reminder_15]\nenabled = false\n");
    const std::string text = read_text(focus);

    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    const Diagnostic* step = find(diagnostics, "steps.deadline_reminder_15", "no step 'deadline_reminder_15'");
    REQUIRE(step != nullptr);
    CHECK(step->file == focus);
    CHECK(step->line == position_of(text, "deadline_reminder_15]").first);
    CHECK_THAT(step->message, Catch::Contains("did you mean 'deadline_reminder_14'?") &&
                                  Catch::Contains("invitation, deadline_reminder_60"));
    CHECK(runtime->campaign("focus2007") == nullptr);
    CHECK(runtime->campaign("focus2004") != nullptr);

    write_bytes(focus, original + "\n[steps.invitation]\nenabeld = false\n");
    Diagnostics misspelt;
    const auto without_focus = load_runtime(copy.file(), misspelt);
    INFO(dump(misspelt));
    const Diagnostic* key = find(misspelt, "steps.invitation.enabeld", "unknown key 'enabeld'");
    REQUIRE(key != nullptr);
    CHECK_THAT(key->message, Catch::Contains("did you mean 'enabled'?"));
    CHECK(without_focus->campaign("focus2007") == nullptr);

    // A bare key must come before the first table header to be top-level.
    write_bytes(focus, "steps = 3\n" + original);
    Diagnostics wrong_type;
    load_runtime(copy.file(), wrong_type);
    INFO(dump(wrong_type));
    CHECK(find(wrong_type, "steps", "expected a table") != nullptr);
}
