// Issue 9: respond records only UTF-8; history and status never send a note's
// escape sequences to the terminal, and their JSON survives bytes that are not UTF-8.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"
#include "hardening_support.hpp"
#include "journal/journal.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::hardening;
using outreach::test::run_outreach;

// ---- respond, history, status: text hygiene ---------------------------------------

TEST_CASE("respond refuses --note or --treaty that is not UTF-8", "[hardening][text][cli]") {
    ShippedCopy copy;
    const fs::path state = copy.dir / "state";
    const std::string base = copy.args() + " respond focus2007 FRA ";
    const auto note = run_outreach(base + "declined --note \"$(printf 'caf\\351')\" --state-dir " + state.string());
    INFO(note.output);
    CHECK(note.exit_code == 2);
    CHECK_THAT(note.output, Catch::Contains("--note: not valid UTF-8"));
    const auto treaty =
        run_outreach(base + "intends_to_sign --treaty \"$(printf 'Rome \\377')\" --state-dir " + state.string());
    INFO(treaty.output);
    CHECK(treaty.exit_code == 2);
    CHECK_THAT(treaty.output, Catch::Contains("--treaty: not valid UTF-8"));
    CHECK_FALSE(fs::exists(state / "journal.sqlite"));
}

TEST_CASE("history and status escape control characters - their JSON survives invalid UTF-8 in the journal",
          "[hardening][text][cli]") {
    ShippedCopy copy;
    const fs::path state = copy.dir / "state";
    // A note that would set the terminal's title and turn its text red.
    const auto recorded = run_outreach(copy.args() + " respond focus2007 FRA declined --at 2007-06-01 --note "
                                                     "\"$(printf 'no \\033]0;pwned\\007\\033[31mred')\" --state-dir " +
                                       state.string());
    INFO(recorded.output);
    REQUIRE(recorded.exit_code == 0);
    CHECK(recorded.output.find('\x1b') == std::string::npos);

    const auto history = run_outreach(copy.args() + " history focus2007 --state-dir " + state.string());
    INFO(history.output);
    CHECK(history.exit_code == 0);
    CHECK(history.output.find('\x1b') == std::string::npos);
    CHECK(history.output.find('\x07') == std::string::npos);
    CHECK_THAT(history.output, Catch::Contains("no \\x1b]0;pwned\\x07\\x1b[31mred"));

    // Bytes a journal written by an older version may hold.
    {
        Journal journal(state / "journal.sqlite");
        Response response{"CIV", "declined", "caf\xE9 \xFF", to_instant(make_date(2007, 6, 2), LocalTime{9, 0},
                                                                        "America/New_York")};
        journal.add_response("focus2007", response, "caf\xE9 \xFF", response.at);
    }
    for (const std::string command : {" history focus2007 --format json", " status focus2007 --format json"}) {
        const auto json = run_outreach(copy.args() + command + " --state-dir " + state.string(), false);
        INFO(command << "\n" << json.output);
        CHECK(json.exit_code == 0);
        nlohmann::json parsed;
        REQUIRE_NOTHROW(parsed = nlohmann::json::parse(json.output));
        CHECK(json.output.find("caf\xEF\xBF\xBD") != std::string::npos);  // U+FFFD for the stray byte
        CHECK(json.output.find("\\u001b]0;pwned") != std::string::npos);
    }
    const auto status = run_outreach(copy.args() + " status focus2007 --state-dir " + state.string());
    INFO(status.output);
    CHECK(status.exit_code == 0);
    CHECK(status.output.find('\x1b') == std::string::npos);
}

