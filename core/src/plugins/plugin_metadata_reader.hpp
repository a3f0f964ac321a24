#pragma once
// Reads a plugin's metadata record from its ELF file without loading it (as
// KDE reads its plugins' metadata): the section `.outreach_plugin` holds one
// fixed-layout record (outreach/plugin_metadata.hpp in SDK API 2):
//
//   struct PluginMetadata { char magic[8];            // "OUTREACH", not NUL-terminated
//                           uint32_t api_version;     // OUTREACH_API_VERSION at build time
//                           uint32_t record_size;     // sizeof(PluginMetadata) at build time
//                           char name[64];            // NUL-terminated
//                           char version[32]; };      // NUL-terminated
//
// No plugin code runs: dlopen would run the library's static initialisers
// before the host could check the API version. The reader trusts nothing in the
// file: every offset and size is checked against the file's size (and the file
// size against kMaxPluginFileBytes) before it is used.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "outreach/version.hpp"

namespace outreach {

inline constexpr char kPluginMetadataSectionName[] = ".outreach_plugin";
inline constexpr std::uint64_t kMaxPluginFileBytes = 256ull << 20;
inline constexpr std::uint32_t kPluginMetadataRecordSize = 8 + 4 + 4 + 64 + 32;  // 112

struct PluginMetadataRecord {
    std::uint32_t api_version = 0;
    std::uint32_t record_size = 0;
    std::string name;     // printable ASCII only; anything else is replaced by '?'
    std::string version;
};

class OUTREACH_EXPORT PluginMetadataError : public std::runtime_error {
public:
    enum class Kind {
        Unreadable,  // cannot open or read, not a regular file, too large
        NotElf,      // not a 64-bit ELF file of this machine's byte order
        Malformed,   // an ELF file whose headers point outside it
        NoMetadata,  // no .outreach_plugin section
        BadRecord,   // the section does not hold a record (bad magic, too short)
    };
    PluginMetadataError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// From an open file descriptor (read with pread; the offset is not used).
OUTREACH_EXPORT PluginMetadataRecord read_plugin_metadata(int fd);
// Opens `file` with O_NOFOLLOW | O_NONBLOCK: a symbolic link is refused.
OUTREACH_EXPORT PluginMetadataRecord read_plugin_metadata(const std::filesystem::path& file);

}  // namespace outreach
