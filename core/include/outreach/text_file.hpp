#pragma once
// Reading a plugin's own data files (a list of States, a CSV of due dates) the way
// the core reads its inputs: bounded in size before anything is parsed, never
// blocking on a FIFO or reading a device, and only valid UTF-8. Plugins must not
// use std::ifstream on a path an operator gave: a 10 GB file, /dev/zero or a FIFO
// would exhaust memory or hang `validate`, `run` and the daemon.
//
//     const outreach::TextFile list = outreach::read_text_file(context.base_dir, params.string("states_file"));
//     for each line of list.text ... errors as list.path:line:column
//
// docs/security.md lists the limits.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "outreach/version.hpp"

namespace outreach {

// The default size limit: plain-text lists, CSV files (a list of 195 States is a
// few KiB). The core's InputLimits::kListBytes is this value.
inline constexpr std::uintmax_t kTextFileMaxBytes = 16u << 20;

// what(): "<path>: <problem>", or "<path>:<line>:<column>: <problem>" for bytes
// that are not UTF-8.
class OUTREACH_EXPORT TextFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct TextFile {
    std::filesystem::path path;  // as resolved: use it in messages
    std::string text;            // the whole file, valid UTF-8 (a byte-order mark is kept)
};

// Reads `file`; a relative path is taken relative to `base_dir` (a plugin passes
// CampaignContext::base_dir, the campaign file's directory). Throws TextFileError,
// naming the file, when it does not exist or cannot be read, is not a regular file
// (a FIFO or a device is never opened for reading: O_NONBLOCK, then fstat on the
// descriptor; a symbolic link is followed and the same check applies to its target),
// is larger than `max_bytes` (checked before reading, and again while reading a
// file that grows), or holds bytes that are not UTF-8 (with their line:column).
OUTREACH_EXPORT TextFile read_text_file(const std::filesystem::path& base_dir, const std::filesystem::path& file,
                                        std::uintmax_t max_bytes = kTextFileMaxBytes);

}  // namespace outreach
