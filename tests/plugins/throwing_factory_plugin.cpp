// A plugin whose constructor throws: the host must catch it and go on.
#include <stdexcept>

#include <outreach/plugin.hpp>

namespace {

class ThrowingPlugin final : public outreach::Plugin {
public:
    ThrowingPlugin() { throw std::runtime_error("test plugin cannot start\nsecond line is dropped"); }
    std::string name() const override { return "test_throwing_factory"; }
    std::string version() const override { return "0"; }
    std::vector<std::shared_ptr<outreach::CampaignType>> campaign_types() const override { return {}; }
};

}  // namespace

OUTREACH_PLUGIN_CLASS("test_throwing_factory", "0", ThrowingPlugin)
