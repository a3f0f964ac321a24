#pragma once
// A scratch operator configuration whose campaigns are of the test type `soon`
// (tests/plugins/soon_plugin.cpp: letters due at chosen UTC minutes), for tests
// that run the `outreach` executable on the real clock: the daemon tests and the
// fault-injection suite.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace outreach::test {

using WallClock = std::chrono::system_clock;

inline std::string iso_minute(WallClock::time_point t) {
    const std::time_t seconds = WallClock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%MZ", &utc);
    return text;
}

// The code of the i-th State of a Scenario roster: AAA, AAB, ...
inline std::string state_code(int i) {
    return {static_cast<char>('A' + i / 676), static_cast<char>('A' + i / 26 % 26), static_cast<char>('A' + i % 26)};
}

// outreach.toml, a letter template, rosters and `soon` campaigns in a scratch
// directory; the state (journal, outbox) under state/.
class Scenario {
public:
    // `delivery`: the body of outreach.toml's [delivery] table (Maildir by default).
    explicit Scenario(const std::string& delivery = "channel = \"maildir\"\noutbox = \"state/outbox\"\n") {
        write_file(dir_ / "outreach.toml",
                   "timezone = \"UTC\"\njournal = \"state/journal.sqlite\"\ncampaigns = \"campaigns\"\n"
                   "templates = \"templates\"\nplugin_dirs = [\"" + std::string(OUTREACH_TEST_PLUGIN_DIR) +
                       "/soon\"]\n"
                       "[sender]\nname = \"Treaty Section\"\nemail = \"treaty@example.org\"\n"
                       "staff_email = \"staff@example.org\"\n"
                       "[delivery]\n" + delivery);
        write_file(dir_ / "templates/soon/letter.mustache",
                   "Subject: {{step_id}} for {{state_name}}\n\nExcellency,\n\nA letter to {{addressee_title}}.\n");
    }

    // `states` States with one addressee each (three with `all_roles`).
    // `top`: extra top-level keys of the campaign file; `params`: extra [params] lines.
    void campaign(const std::string& id, WallClock::time_point first_due, int steps = 1, int states = 3,
                  bool all_roles = false, const std::string& top = "", const std::string& params = "") {
        std::ostringstream roster;
        for (int i = 0; i < states; ++i) {
            const std::string code = state_code(i);
            roster << "[[state]]\ncode = \"" << code << "\"\nname = \"State " << code << "\"\nstatus = \"member\"\n";
            for (const char* role : {"head_of_state", "foreign_minister", "permanent_representative"})
                roster << "[[state.addressee]]\nrole = \"" << role << "\"\ntitle = \"" << role << " of " << code
                       << "\"\nemail = \"" << role << "." << code << "@example.org\"\n";
        }
        write_file(dir_ / ("rosters/" + id + ".toml"), roster.str());
        write_file(dir_ / ("campaigns/" + id + ".toml"),
                   "id = \"" + id + "\"\ntype = \"soon\"\ntimezone = \"UTC\"\naddressees = [" +
                       (all_roles ? "\"head_of_state\", \"foreign_minister\", \"permanent_representative\""
                                  : "\"foreign_minister\"") +
                       "]\n" + top + "[roster]\nfile = \"../rosters/" + id + ".toml\"\n[params]\nfirst_due = \"" +
                       iso_minute(first_due) + "\"\nsteps = " + std::to_string(steps) + "\n" + params);
    }
    void edit_template(const std::string& text) { write_file(dir_ / "templates/soon/letter.mustache", text); }
    void break_campaign(const std::string& id) {
        std::ofstream(dir_ / ("campaigns/" + id + ".toml"), std::ios::app) << "first_due = [\n";
    }

    std::filesystem::path config() const { return dir_ / "outreach.toml"; }
    std::filesystem::path state() const { return dir_ / "state"; }
    std::filesystem::path journal() const { return state() / "journal.sqlite"; }
    std::filesystem::path outbox_new() const { return state() / "outbox/new"; }
    std::filesystem::path path(const std::string& name) const { return dir_ / name; }

private:
    ScratchDir dir_;
};

}  // namespace outreach::test
