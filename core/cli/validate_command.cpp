#include <iostream>

#include "commands.hpp"
#include "delivery/template_values.hpp"
#include "runtime_loading.hpp"

namespace outreach::cli {

namespace {
int validate_command(const CommonOptions& common) {
    RuntimeOptions options;
    options.include_disabled = true;
    auto loaded = load_for_command(common, options);
    if (loaded.had_errors) {
        std::cerr << "configuration is invalid\n";
        return kInvalidInput;
    }
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
