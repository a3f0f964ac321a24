#pragma once
// A built message read back part by part with GMime, for an operator to read
// (`outreach preview`): every header decoded (RFC 2047), every leaf part with
// its type, file name and decoded size, and text/plain parts as UTF-8 text.
// Walks any MIME tree (single part, multipart/mixed with renditions and
// attachments, nested multiparts), so it does not depend on how letters are built.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "outreach/version.hpp"

namespace outreach {

struct MessagePart {
    std::string content_type;  // "text/plain", "application/pdf", ...
    std::string filename;      // Content-Disposition/Content-Type name; may be empty
    std::size_t size = 0;      // decoded bytes (after base64 / quoted-printable)
    bool is_text = false;      // text/plain: `text` holds its decoded UTF-8 content
    std::string text;
};

struct MessageContents {
    std::vector<std::pair<std::string, std::string>> headers;  // top level, in order, decoded and unfolded
    std::vector<MessagePart> parts;                            // leaf parts in document order
};

// Throws std::runtime_error when the text is not a parsable message.
OUTREACH_EXPORT MessageContents read_message_contents(const std::string& text);

}  // namespace outreach
