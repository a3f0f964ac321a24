#pragma once
// Plugin metadata the host reads from the library file without loading it (as
// KDE's plugin metadata is read): an ELF section `.outreach_plugin` holding one
// fixed-layout record. The host checks magic and API version before dlopen, so a
// mismatched plugin's static initialisers never run.
#include <cstdint>

#include "outreach/version.hpp"

namespace outreach {

inline constexpr char kPluginMetadataSection[] = ".outreach_plugin";
inline constexpr char kPluginMetadataMagic[8] = {'O', 'U', 'T', 'R', 'E', 'A', 'C', 'H'};

// Layout is part of the ABI forever: only append fields, never reorder.
struct PluginMetadata {
    char magic[8];              // kPluginMetadataMagic
    std::uint32_t api_version;  // OUTREACH_API_VERSION the plugin was built against
    std::uint32_t record_size;  // sizeof(PluginMetadata) at build time
    char name[64];              // NUL-terminated
    char version[32];           // NUL-terminated
};

}  // namespace outreach

#define OUTREACH_PLUGIN_METADATA(NAME, VERSION)                                                     \
    static_assert(sizeof(NAME) <= 64, "plugin name longer than 63 bytes");                         \
    static_assert(sizeof(VERSION) <= 32, "plugin version longer than 31 bytes");                   \
    extern "C" __attribute__((used, section(".outreach_plugin"), visibility("default")))           \
    const ::outreach::PluginMetadata outreach_plugin_metadata = {                                  \
        {'O', 'U', 'T', 'R', 'E', 'A', 'C', 'H'}, OUTREACH_API_VERSION,                            \
        sizeof(::outreach::PluginMetadata), NAME, VERSION};
