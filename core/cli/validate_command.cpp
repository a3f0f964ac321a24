#include <iostream>
#include <set>

#include "commands.hpp"
#include "delivery/template_values.hpp"
#include "schedule/occurrences.hpp"
#include "runtime_loading.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {

namespace {
// Occurrences left on a closed day (no working day in the range a roll may
// use), and years the campaign sends in that its calendar lists no holidays for.
void print_working_day_warnings(const Campaign& campaign) {
    std::set<int> uncovered;
    for (const auto& o : expand_occurrences(campaign, {})) {
        if (!o.roll_note.empty())
            std::cerr << "warning: " << campaign.id() << ": " << o.step->id << " " << o.id << ": " << o.roll_note << "\n";
        const Date day = local_date(o.due, campaign.timezone());
        if (!campaign.calendar->file.empty() && !campaign.calendar->covers(day))
            uncovered.insert(static_cast<int>(std::chrono::year_month_day{day}.year()));
    }
    for (const int year : uncovered)
        std::cerr << "warning: " << campaign.id() << ": the calendar " << campaign.calendar->file.string()
                  << " lists no holidays for " << year << " (only weekends are avoided that year)\n";
}

int validate_command(const CommonOptions& common) {
    RuntimeOptions options;
    options.include_disabled = true;
    auto loaded = load_for_command(common, options);
    if (loaded.had_errors) {
        std::cerr << "configuration is invalid\n";
        return kInvalidInput;
    }
    for (const auto& c : loaded.runtime->campaigns) print_working_day_warnings(c);
    for (const auto& c : loaded.runtime->campaigns)
        std::cout << "ok  " << c.id() << " (" << c.config.type << ", " << c.roster.size() << " States, "
                  << c.workflow.steps.size() << " steps" << (c.config.enabled ? "" : ", disabled") << ")\n";
    std::cout << "configuration is valid: " << loaded.runtime->campaigns.size() << " campaign(s)\n";
    loaded.release_at_exit();
    return kOk;
}
}  // namespace

CLI::App* register_validate(CLI::App& app, CommonOptions& common, Action& action) {
    auto* cmd = app.add_subcommand("validate", "Check the configuration, campaigns, rosters and templates");
    cmd->callback([&] { action = [&] { return validate_command(common); }; });
    return cmd;
}

}  // namespace outreach::cli
