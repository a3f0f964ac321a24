#pragma once
// Files listing States by ISO 3166-1 alpha-3 code, one per line, with `#` comments:
// the States already bound by an instrument, or a priority group. Operators keep
// them by hand, so every mistake is reported as file:line:column.
#include <filesystem>
#include <istream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace outreach::protocol_universality {

struct StateListEntry {
    std::string code;  // upper case
    int line = 0;
};

struct StateList {
    std::filesystem::path file;
    std::vector<StateListEntry> entries;  // in file order
    std::set<std::string> codes;

    bool contains(const std::string& code) const { return codes.count(code) != 0; }
    std::size_t size() const { return entries.size(); }
};

// what(): "<file>:<line>:<column>: <problem>" (or "<file>: <problem>" when the
// file cannot be read at all or is too big).
class StateListError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Each non-blank line (after removing a `#` comment) holds exactly one code of
// three ASCII letters, in any case; a code listed twice is refused.
StateList parse_state_list(std::istream& in, const std::filesystem::path& file);
// Reads `file` (relative to `base_dir`, the campaign's directory) with the SDK's
// bounded reader (outreach/text_file.hpp: size limit, no FIFO or device, UTF-8).
StateList read_state_list(const std::filesystem::path& file, const std::filesystem::path& base_dir = {});

}  // namespace outreach::protocol_universality
