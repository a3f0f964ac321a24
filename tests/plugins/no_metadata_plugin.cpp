// A working plugin in every other respect, built without the .outreach_plugin
// metadata record: the host must refuse it without loading it (its static
// initialiser leaves a mark, as in wrong_api_plugin.cpp).
#include <cstdint>
#include <cstdlib>
#include <fstream>

#include <outreach/plugin.hpp>

namespace {

const bool initialised = [] {
    if (const char* marker = std::getenv("OUTREACH_TEST_PLUGIN_INIT_MARKER")) std::ofstream(marker) << "ran\n";
    return true;
}();

class Unlabelled final : public outreach::CampaignType {
public:
    std::string name() const override { return "test_unlabelled"; }
    std::string description() const override { return "a campaign type without plugin metadata"; }
    std::vector<outreach::OptionSpec> options() const override { return {}; }
    outreach::Workflow build_workflow(const outreach::CampaignContext&) const override { return {}; }
};

class NoMetadataPlugin final : public outreach::Plugin {
public:
    std::string name() const override { return "test_no_metadata"; }
    std::string version() const override { return "1.0.0"; }
    std::vector<std::shared_ptr<outreach::CampaignType>> campaign_types() const override {
        return {std::make_shared<Unlabelled>()};
    }
};

}  // namespace

// Everything OUTREACH_PLUGIN emits except the metadata record.
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t outreach_plugin_api_version;
extern "C" const std::uint32_t outreach_plugin_api_version = OUTREACH_API_VERSION;
namespace no_metadata_entry {
inline std::unique_ptr<outreach::Plugin> create() { return std::make_unique<NoMetadataPlugin>(); }
BOOST_DLL_ALIAS(no_metadata_entry::create, outreach_create_plugin)
}  // namespace no_metadata_entry
