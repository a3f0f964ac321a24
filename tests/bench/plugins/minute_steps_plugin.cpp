// Benchmark campaign type `minute_steps`: `steps` letter steps (`at` triggers), one
// minute apart, the first on `first_day` at `first_time` local time. Used by
// tests/bench/run_benchmarks.sh for the "500 one-minute steps x 1 letter" row and,
// with steps = 10000, for the "10,000 one-letter occurrences at distinct instants"
// side of the APScheduler comparison. Minimal on purpose: no hooks overridden, no
// response kinds. Use timezone = "UTC" (in a zone with DST a step that falls in the
// spring-forward gap moves to the next valid minute).
#include <outreach/plugin.hpp>

#include <stdexcept>
#include <string>

namespace {

using namespace std::chrono;

class MinuteStepsType final : public outreach::CampaignType {
public:
    std::string name() const override { return "minute_steps"; }
    std::string description() const override { return "bench: letter steps one minute apart"; }
    std::vector<outreach::OptionSpec> options() const override {
        return {
            {"steps", outreach::OptionType::Integer, std::int64_t{500}, false, "number of letter steps (1..100000)"},
            {"first_day", outreach::OptionType::Date, outreach::Date{year{2010} / January / 4}, false,
             "local date of the first step"},
            {"first_time", outreach::OptionType::Time, outreach::LocalTime{9, 0}, false,
             "local time of the first step"},
        };
    }
    outreach::Workflow build_workflow(const outreach::CampaignContext& context) const override {
        const auto steps = context.params.integer("steps");
        if (steps < 1 || steps > 100000) throw std::runtime_error("steps must be 1..100000");
        const outreach::LocalTime first = context.params.time("first_time");
        const std::int64_t first_minute = first.hour * 60 + first.minute;

        outreach::Workflow workflow;
        outreach::Milestone first_day;
        first_day.id = "first";
        first_day.date = context.params.date("first_day");
        first_day.label = "Day of the first step";
        workflow.milestones.push_back(std::move(first_day));
        workflow.steps.reserve(static_cast<std::size_t>(steps));
        for (std::int64_t i = 0; i < steps; ++i) {
            const std::int64_t minute = first_minute + i;  // minutes after 00:00 of first_day
            outreach::Step step;
            step.id = "letter_" + std::to_string(i + 1);
            step.description = "letter " + std::to_string(i + 1);
            step.trigger = outreach::AtTrigger{
                "first", outreach::Days{minute / 1440},
                outreach::LocalTime{static_cast<int>(minute % 1440 / 60), static_cast<int>(minute % 60)}};
            step.action = outreach::LetterAction{"letter", {}};
            workflow.steps.push_back(std::move(step));
        }
        return workflow;
    }
};

}  // namespace

// The plugin declaration: the only line that depends on the SDK's API version.
OUTREACH_PLUGIN("bench_minute_steps", "1.0.0", MinuteStepsType)
