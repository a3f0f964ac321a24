// Declares another plugin API number, in its metadata record and its version
// symbol. Its factory throws and its static initialiser leaves a mark (the file
// named by OUTREACH_TEST_PLUGIN_INIT_MARKER), so a host that loaded it, or
// called its factory, before checking the number would be caught.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <outreach/plugin.hpp>

namespace {
// The layout of outreach::PluginMetadata (SDK API 2), declared here by hand.
struct MetadataRecord {
    char magic[8];
    std::uint32_t api_version;
    std::uint32_t record_size;
    char name[64];
    char version[32];
};
__attribute__((used, section(".outreach_plugin"))) const MetadataRecord metadata = {
    {'O', 'U', 'T', 'R', 'E', 'A', 'C', 'H'}, OUTREACH_API_VERSION + 41, sizeof(MetadataRecord), "test_wrong_api",
    "9.9.9"};

const bool initialised = [] {
    if (const char* marker = std::getenv("OUTREACH_TEST_PLUGIN_INIT_MARKER")) std::ofstream(marker) << "ran\n";
    return true;
}();
}  // namespace

extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t outreach_plugin_api_version;
extern "C" const std::uint32_t outreach_plugin_api_version = OUTREACH_API_VERSION + 41;

namespace wrong_api_entry {
inline std::unique_ptr<outreach::Plugin> create() {
    throw std::logic_error("the factory of a plugin with a mismatched API version was called");
}
BOOST_DLL_ALIAS(wrong_api_entry::create, outreach_create_plugin)
}  // namespace wrong_api_entry
