// The shipped Focus 2007 campaign, simulated through the real plugin, scheduler
// and Maildir, checked letter by letter against the 9 May 2007 letter.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/scheduler.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {

const std::string kZone = "America/New_York";

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string header(const std::string& message, const std::string& name) {
    const auto at = message.find("\n" + name + ": ");
    const auto start = message.rfind(name + ": ", 0) == 0 ? 0 : (at == std::string::npos ? at : at + 1);
    if (start == std::string::npos) return "";
    const auto end = message.find('\n', start);
    return message.substr(start + name.size() + 2, end - start - name.size() - 2);
}

}  // namespace

TEST_CASE("Focus 2007 season, letter by letter", "[season][focus2007]") {
    ScratchDir dir;
    Diagnostics diagnostics;
    auto runtime = load_runtime(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml", diagnostics);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    std::erase_if(runtime->campaigns, [](const Campaign& c) { return c.id() != "focus2007"; });
    REQUIRE(runtime->campaigns.size() == 1);

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(make_date(2007, 1, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    scheduler.run_due();
    while (auto next = scheduler.next_due()) {
        if (*next >= start_of_day(make_date(2008, 1, 1), kZone)) break;
        clock.set(std::max(clock.now(), *next));
        scheduler.run_due();
    }

    std::map<std::string, std::map<std::string, int>> per_step_state;  // step -> state -> letters
    std::map<std::string, std::size_t> per_step;
    const Instant deadline = start_of_day(make_date(2007, 9, 1), kZone);
    for (const auto& d : journal.deliveries("focus2007")) {
        CHECK(d.status == DeliveryStatus::Delivered);
        ++per_step[d.letter.step];
        if (!d.letter.is_task) ++per_step_state[d.letter.step][d.letter.state];
        if (d.letter.step == "invitation") {
            CHECK(local_date(d.letter.scheduled, kZone) == make_date(2007, 5, 9));
        }
        if (d.letter.step.rfind("deadline_reminder", 0) == 0) {
            // Reminders only inside the window: after the invitation, before the deadline.
            CHECK(d.letter.scheduled > to_instant(make_date(2007, 5, 9), {9, 0}, kZone));
            CHECK(d.letter.scheduled < deadline);
        }
    }
    // 194 States: South Sudan became a Member only in 2011 (the roster as it was).
    CHECK(per_step_state["invitation"].count("SSD") == 0);
    CHECK(per_step["invitation"] == 194);
    CHECK(per_step_state["invitation"].size() == 194);  // one per State
    for (const auto& [state, n] : per_step_state["invitation"]) CHECK(n == 1);
    CHECK(per_step["deadline_reminder_60"] == 194);
    CHECK(per_step["deadline_reminder_30"] == 194);
    CHECK(per_step["deadline_reminder_14"] == 194);
    CHECK(per_step["publish_booklet"] == 1);
    CHECK(per_step["arrange_signing_slots"] == 1);
    CHECK(per_step["event_reminder"] == 194);
    CHECK(per_step["follow_up"] == 194);

    // The outbox holds exactly what the journal says, with the scheduled Date.
    std::size_t files = 0;
    bool saw_cote_divoire = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "outbox/new")) {
        ++files;
        const std::string message = read_file(entry.path());
        const std::string key = header(message, "X-Outreach-Key");
        REQUIRE_FALSE(key.empty());
        const auto record = journal.delivery(key);
        REQUIRE(record);
        CHECK(header(message, "Message-ID") == record->message_id);
        if (key.find("/invitation/") != std::string::npos) {
            CHECK(header(message, "Date") == "Wed, 09 May 2007 13:00:00 +0000");  // 09:00 EDT
            if (key.find("/CIV/") != std::string::npos) {
                saw_cote_divoire = true;
                CHECK(message.find("=?") != std::string::npos);  // RFC 2047-encoded non-ASCII name
            }
        }
    }
    CHECK(files == 194 * 6 + 2);
    CHECK(saw_cote_divoire);
    CHECK(std::filesystem::is_empty(dir / "outbox/tmp"));
}
