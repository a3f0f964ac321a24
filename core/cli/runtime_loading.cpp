#include "runtime_loading.hpp"

#include <algorithm>
#include <iostream>

#include "config/param_validation.hpp"

namespace outreach::cli {

void print_diagnostics(const Diagnostics& diagnostics) {
    for (const auto& d : diagnostics) std::cerr << "error: " << d.format() << "\n";
}

LoadedRuntime load_for_command(const CommonOptions& common, const RuntimeOptions& options) {
    Diagnostics diagnostics;
    LoadedRuntime loaded;
    loaded.runtime = load_runtime(common.config, diagnostics, options);
    const auto& main_file = loaded.runtime->config.global.file;
    loaded.main_config_errors = std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
        return d.file == main_file || d.file == common.config;
    });
    for (const auto& refusal : loaded.runtime->plugins.refusals())
        std::cerr << "warning: plugin " << refusal.file.string() << ": " << refusal.reason << "\n";
    if (!common.campaign.empty()) {
        auto& campaigns = loaded.runtime->campaigns;
        const bool configured = std::any_of(loaded.runtime->config.campaigns.begin(), loaded.runtime->config.campaigns.end(),
                                            [&](const CampaignConfig& c) { return c.id == common.campaign; });
        std::erase_if(campaigns, [&](const Campaign& c) { return c.id() != common.campaign; });
        // Errors in the files of other campaigns do not concern this command.
        std::erase_if(diagnostics, [&](const Diagnostic& d) {
            return std::any_of(loaded.runtime->config.campaigns.begin(), loaded.runtime->config.campaigns.end(),
                               [&](const CampaignConfig& c) { return c.id != common.campaign && c.file == d.file; });
        });
        if (!configured) {
            std::vector<std::string> ids;
            for (const auto& c : loaded.runtime->config.campaigns) ids.push_back(c.id);
            const std::string hint = closest_match(common.campaign, ids);
            diagnostics.push_back({common.config, 0, 0, "--campaign",
                                   "no campaign with id '" + common.campaign + "'" +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)")});
        }
    }
    print_diagnostics(diagnostics);
    // Warnings of the campaigns this command works on (all, or the one named).
    for (const auto& w : loaded.runtime->warnings)
        if (common.campaign.empty() || std::any_of(loaded.runtime->campaigns.begin(), loaded.runtime->campaigns.end(),
                                                   [&](const Campaign& c) { return c.config.file == w.file; }))
            std::cerr << "warning: " << w.format() << "\n";
    loaded.had_errors = !diagnostics.empty();
    return loaded;
}

bool refuse_to_send(const LoadedRuntime& loaded, const CommonOptions& common) {
    if (!loaded.main_config_errors) return false;
    std::cerr << "error: " << common.config.string()
              << " has errors (above); nothing is sent until they are fixed (`outreach validate` lists them)\n";
    return true;
}

}  // namespace outreach::cli
