// A campaign type for the daemon tests and benchmark: letters due at given UTC
// instants a moment from now, which real campaign types (whole days at a local
// time) cannot express. The SDK schedules in whole minutes, so `first_due` must
// fall on a minute; tests wait for the next minute boundary.
#include <outreach/plugin.hpp>

#include <stdexcept>

namespace {

using namespace std::chrono;

// "YYYY-MM-DDTHH:MMZ" or "YYYY-MM-DDTHH:MM:00Z" (UTC).
outreach::Instant parse_utc_minute(const std::string& text) {
    const auto fail = [&](const std::string& why) {
        throw std::runtime_error("first_due '" + text + "': " + why + " (expected YYYY-MM-DDTHH:MMZ, UTC)");
    };
    if (text.size() != 17 && text.size() != 20) fail("malformed");
    if (text[10] != 'T' || text.back() != 'Z') fail("malformed");
    const auto date = outreach::parse_date(text.substr(0, 10));
    const auto time = outreach::parse_local_time(text.substr(11, 5));
    if (!date || !time) fail("not a valid date and time");
    if (text.size() == 20 && text.substr(16, 3) != ":00") fail("the SDK schedules in whole minutes: seconds must be 00");
    return outreach::Instant(*date) + hours(time->hour) + minutes(time->minute);
}

class SoonCampaign final : public outreach::CampaignType {
public:
    std::string name() const override { return "soon"; }
    std::string description() const override { return "test: letters due at given UTC minutes"; }
    std::vector<outreach::OptionSpec> options() const override {
        return {
            {"first_due", outreach::OptionType::String, std::nullopt, true, "UTC minute of the first letter step"},
            {"steps", outreach::OptionType::Integer, std::int64_t{1}, false, "number of letter steps"},
            {"interval_minutes", outreach::OptionType::Integer, std::int64_t{1}, false, "minutes between steps"},
            {"reminder_due", outreach::OptionType::String, std::string(), false,
             "UTC minute of a `reminder` letter step that is valid until `deadline` (none when empty)"},
            {"deadline", outreach::OptionType::String, std::string(), false,
             "YYYY-MM-DD: the reminder's deadline (a deadline milestone, 00:00 UTC that day)"},
        };
    }
    // Recorded by `outreach respond` in the fault-injection suite (it writes to the
    // journal while a daemon sends); no step depends on it.
    std::vector<outreach::ResponseKind> response_kinds() const override {
        return {{"acknowledged", "the State acknowledged the letter", outreach::ResponseKind::Payload::None}};
    }
    outreach::Workflow build_workflow(const outreach::CampaignContext& context) const override {
        if (context.timezone != "UTC" && context.timezone != "Etc/UTC")
            throw std::runtime_error("the soon campaign type needs timezone = \"UTC\"");
        const auto steps = context.params.integer("steps");
        const auto interval = context.params.integer("interval_minutes");
        if (steps < 1 || interval < 1) throw std::runtime_error("steps and interval_minutes must be at least 1");

        const outreach::Instant first = parse_utc_minute(context.params.string("first_due"));
        const outreach::Date first_day = floor<days>(first);
        outreach::Workflow workflow;
        workflow.milestones.push_back({"first", first_day, false, "Day of the first letter"});
        for (std::int64_t i = 0; i < steps; ++i) {
            const outreach::Instant due = first + minutes(interval * i);
            const outreach::Date day = floor<days>(due);
            const auto minute_of_day = duration_cast<minutes>(due - outreach::Instant(day)).count();
            outreach::Step step;
            step.id = "letter_" + std::to_string(i + 1);
            step.description = "letter " + std::to_string(i + 1);
            step.trigger = outreach::AtTrigger{"first", day - first_day,
                                               outreach::LocalTime{static_cast<int>(minute_of_day / 60),
                                                                   static_cast<int>(minute_of_day % 60)}};
            step.action = outreach::LetterAction{"letter", {}};
            workflow.steps.push_back(std::move(step));
        }
        if (const std::string reminder = context.params.string("reminder_due"); !reminder.empty()) {
            const auto deadline = outreach::parse_date(context.params.string("deadline"));
            if (!deadline) throw std::runtime_error("reminder_due needs deadline = \"YYYY-MM-DD\"");
            workflow.milestones.push_back({"deadline", *deadline, true, "Reminders stop"});
            const outreach::Instant due = parse_utc_minute(reminder);
            const outreach::Date day = floor<days>(due);
            const auto minute_of_day = duration_cast<minutes>(due - outreach::Instant(day)).count();
            outreach::Step step;
            step.id = "reminder";
            step.description = "reminder before the deadline";
            step.trigger = outreach::AtTrigger{"first", day - first_day,
                                               outreach::LocalTime{static_cast<int>(minute_of_day / 60),
                                                                   static_cast<int>(minute_of_day % 60)}};
            step.action = outreach::LetterAction{"letter", {}};
            step.valid_until = "deadline";
            workflow.steps.push_back(std::move(step));
        }
        return workflow;
    }
};

class SoonPlugin final : public outreach::Plugin {
public:
    std::string name() const override { return "test_soon"; }
    std::string version() const override { return "1.0.0"; }
    std::vector<std::shared_ptr<outreach::CampaignType>> campaign_types() const override {
        return {std::make_shared<SoonCampaign>()};
    }
};

}  // namespace

OUTREACH_PLUGIN_CLASS("test_soon", "1.0.0", SoonPlugin)
