#include "safe_text.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

namespace outreach::cli {

namespace {

// One code point from `text` at `i` (advanced past it); nullopt-like -1 for an
// invalid sequence (then `i` moves past one byte).
std::int32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
        ++i;
        return c;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
        code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        code = c & 0x07;
    } else {
        ++i;
        return -1;
    }
    if (i + length > text.size()) {
        ++i;
        return -1;
    }
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) {
            ++i;
            return -1;
        }
        code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
        (code >= 0xD800 && code <= 0xDFFF)) {
        ++i;
        return -1;
    }
    i += length;
    return static_cast<std::int32_t>(code);
}

bool needs_escape(std::int32_t code) {
    if (code < 0x20 || code == 0x7F) return true;            // C0 controls, DEL
    if (code >= 0x80 && code <= 0x9F) return true;           // C1 controls (0x9B is CSI)
    if (code == 0x2028 || code == 0x2029) return true;       // line / paragraph separator
    if (code >= 0x202A && code <= 0x202E) return true;       // bidi embeddings and overrides
    if (code >= 0x2066 && code <= 0x2069) return true;       // bidi isolates
    return false;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        const std::int32_t code = next_code_point(text, i);
        if (code < 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD
            continue;
        }
        if (!needs_escape(code)) {
            out.append(text.substr(start, i - start));
            continue;
        }
        std::array<char, 16> escape{};
        if (code == '\n')
            out += "\\n";
        else if (code == '\t')
            out += "\\t";
        else if (code == '\r')
            out += "\\r";
        else if (code < 0x80) {
            std::snprintf(escape.data(), escape.size(), "\\x%02x", static_cast<unsigned>(code));
            out += escape.data();
        } else {
            std::snprintf(escape.data(), escape.size(), "\\u%04x", static_cast<unsigned>(code));
            out += escape.data();
        }
    }
    return out;
}

std::string json_text(const nlohmann::json& value, int indent) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace outreach::cli
