#pragma once
// Bounds on operator input, checked before any parser sees it: the size of
// every file Outreach reads (TOML, CSV/text lists, templates) and the shape of
// TOML documents (how many parts a key has, how deep tables and values nest).
// Parsers recurse and allocate per nesting level, so a 50,000-part dotted key
// would otherwise overflow the stack inside toml++. docs/security.md lists the
// limits.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "outreach/text_file.hpp"

namespace outreach {

struct InputLimits {
    static constexpr std::uintmax_t kConfigBytes = 16u << 20;    // outreach.toml, campaign files, response scripts
    static constexpr std::uintmax_t kRosterBytes = 16u << 20;    // rosters (195 States are ~150 KiB)
    static constexpr std::uintmax_t kListBytes = kTextFileMaxBytes;  // plain-text / CSV lists a plugin reads
    static constexpr std::uintmax_t kTemplateBytes = 1u << 20;   // one letter template
    static constexpr std::size_t kTomlKeyParts = 32;            // parts of one dotted key or table header
    static constexpr std::size_t kTomlDepth = 64;               // tables + arrays + inline tables, nested
    static constexpr std::size_t kTemplateSectionDepth = 16;    // {{#a}}{{#b}}... nested
};

// Reads all of `file` as bytes. Refuses (one Diagnostic naming the file, nullopt)
// a file that does not exist, is not a regular file (a FIFO or device is never
// opened for reading: O_NONBLOCK, then fstat), cannot be read, or is larger than
// `limit` bytes. `what` names the kind of file in messages ("config file").
OUTREACH_EXPORT std::optional<std::string> read_bounded_file(const std::filesystem::path& file, std::uintmax_t limit,
                                                             std::string_view what, Diagnostics& out);

// A cheap scan of TOML text that respects strings and comments: reports a key
// or table header with more than kTomlKeyParts parts, or tables/arrays nested
// deeper than kTomlDepth, with line:column. False when the text must not be
// handed to toml++.
OUTREACH_EXPORT bool check_toml_shape(std::string_view text, const std::filesystem::path& file, Diagnostics& out);

// The dotted key whose value covers line:column (1-based) of the TOML text,
// including the table header it is under ("params.letter_date"); also the value's
// first line:column and raw text. nullopt when the position is not inside a
// `key = value` (e.g. inside a table header).
struct TomlValueAt {
    std::string key;
    int line = 0;
    int column = 0;
    std::string raw;  // the value as written, up to the end of the line or a comment
};
OUTREACH_EXPORT std::optional<TomlValueAt> toml_value_at(std::string_view text, int line, int column);

// read_bounded_file + check_toml_shape + toml::parse. A syntax error inside a
// value is reported against that value's key, with a hint for the usual
// mistakes (unquoted dates like 12/05/2008, unquoted text).
OUTREACH_EXPORT std::optional<toml::table> parse_toml_file(const std::filesystem::path& file, std::uintmax_t limit,
                                                           std::string_view what, Diagnostics& out);

// The code point of the UTF-8 sequence at text[i], moving `i` past it; -1 for an
// invalid sequence (overlong, surrogate, above U+10FFFF, truncated), moving `i`
// past its first byte only. The one UTF-8 decoder of the project.
OUTREACH_EXPORT std::int32_t next_code_point(std::string_view text, std::size_t& i);

// Valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF)?
// On failure `bad_offset` (if given) is the offset of the first invalid byte.
OUTREACH_EXPORT bool is_valid_utf8(std::string_view text, std::size_t* bad_offset = nullptr);

// is_valid_utf8, or one Diagnostic at the first bad byte's line:column, naming
// the byte: "not valid UTF-8 (byte 0xE9): save the <what> as UTF-8".
OUTREACH_EXPORT bool check_utf8(std::string_view text, const std::filesystem::path& file, std::string_view what,
                                Diagnostics& out, const std::string& field = {});

// Line and column (1-based, columns in code points) of byte `offset` in `text`.
OUTREACH_EXPORT std::pair<int, int> line_column_at(std::string_view text, std::size_t offset);

}  // namespace outreach
