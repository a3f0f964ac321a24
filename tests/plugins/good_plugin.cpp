// A minimal, correct plugin: one campaign type with one option. The plugin host
// tests check that it loads beside the broken ones and outlives the host.
#include <outreach/plugin.hpp>

namespace {

class MinimalCampaign final : public outreach::CampaignType {
public:
    std::string name() const override { return "test_minimal"; }
    std::string description() const override { return "one milestone on the event date"; }
    std::vector<outreach::OptionSpec> options() const override {
        return {{"event_date", outreach::OptionType::Date, std::nullopt, true, "the day of the event"}};
    }
    outreach::Workflow build_workflow(const outreach::CampaignContext& context) const override {
        outreach::Workflow workflow;
        workflow.milestones.push_back({"event", context.params.date("event_date"), false, "The event"});
        return workflow;
    }
};

class GoodPlugin final : public outreach::Plugin {
public:
    std::string name() const override { return "test_good"; }
    std::string version() const override { return "1.2.3"; }
    std::vector<std::shared_ptr<outreach::CampaignType>> campaign_types() const override {
        return {std::make_shared<MinimalCampaign>()};
    }
};

}  // namespace

OUTREACH_PLUGIN_CLASS("test_good", "1.2.3", GoodPlugin)
