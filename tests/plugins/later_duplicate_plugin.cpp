// Provides `test_minimal` again (the good plugin's type) next to a type of its own:
// the host must refuse only the duplicate, naming both files.
#include <outreach/plugin.hpp>

namespace {

class NamedCampaign final : public outreach::CampaignType {
public:
    explicit NamedCampaign(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    std::string description() const override { return "no milestones"; }
    std::vector<outreach::OptionSpec> options() const override { return {}; }
    outreach::Workflow build_workflow(const outreach::CampaignContext&) const override { return {}; }

private:
    std::string name_;
};

class DuplicatePlugin final : public outreach::Plugin {
public:
    std::string name() const override { return "test_later_duplicate"; }
    std::string version() const override { return "0.0.1"; }
    std::vector<std::shared_ptr<outreach::CampaignType>> campaign_types() const override {
        return {std::make_shared<NamedCampaign>("test_minimal"), std::make_shared<NamedCampaign>("test_second")};
    }
};

}  // namespace

OUTREACH_PLUGIN_CLASS("test_later_duplicate", "0.0.1", DuplicatePlugin)
