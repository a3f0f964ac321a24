// Declares another plugin API number by hand. Its factory throws, so a host that
// called it before checking the number would report "factory threw" instead.
#include <cstdint>
#include <stdexcept>

#include <outreach/plugin.hpp>

extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t outreach_plugin_api_version;
extern "C" const std::uint32_t outreach_plugin_api_version = OUTREACH_API_VERSION + 41;

namespace wrong_api_entry {
inline std::unique_ptr<outreach::Plugin> create() {
    throw std::logic_error("the factory of a plugin with a mismatched API version was called");
}
BOOST_DLL_ALIAS(wrong_api_entry::create, outreach_create_plugin)
}  // namespace wrong_api_entry
