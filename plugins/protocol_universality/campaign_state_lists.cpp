#include "campaign_state_lists.hpp"

#include <stdexcept>
#include <vector>

namespace outreach::protocol_universality {
namespace {

StateList read_for_option(const CampaignContext& context, const char* option) {
    const std::filesystem::path given = context.params.string(option);
    if (given.empty()) throw std::runtime_error(std::string("params.") + option + ": is empty; name a file of alpha-3 codes");
    try {
        return read_state_list(given, context.base_dir);
    } catch (const StateListError& e) {
        throw std::runtime_error(std::string("params.") + option + ": " + e.what());
    }
}

// A code outside the (filtered) roster is legal, since a campaign may leave States
// out, but often a typo: say so once per load.
void warn_outside_roster(const CampaignContext& context, const StateList& list) {
    if (!context.log) return;
    std::vector<std::string> unknown;
    for (const auto& entry : list.entries)
        if (!context.roster.find(entry.code)) unknown.push_back(entry.code + " (line " + std::to_string(entry.line) + ")");
    if (unknown.empty()) return;
    std::string text;
    for (const auto& u : unknown) text += (text.empty() ? "" : ", ") + u;
    context.log->warn("{}: {} lists States that are not in the campaign's roster: {}", context.id, list.file.string(),
                      text);
}

}  // namespace

std::shared_ptr<const CampaignStateLists> load_state_lists(const CampaignContext& context) {
    auto lists = std::make_shared<CampaignStateLists>();
    lists->bound = read_for_option(context, opt::bound_states_file);
    warn_outside_roster(context, lists->bound);
    if (context.params.has(opt::priority_group_file)) {
        lists->priority = read_for_option(context, opt::priority_group_file);
        warn_outside_roster(context, *lists->priority);
    }
    return lists;
}

}  // namespace outreach::protocol_universality
