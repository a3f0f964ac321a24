// Exports the API version but never uses OUTREACH_PLUGIN: no factory.
#include <cstdint>

#include <outreach/plugin.hpp>

OUTREACH_PLUGIN_METADATA("test_no_factory", "0")
extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t outreach_plugin_api_version;
extern "C" const std::uint32_t outreach_plugin_api_version = OUTREACH_API_VERSION;
