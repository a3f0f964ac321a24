#include "safe_text.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

#include "config/input_limits.hpp"

namespace outreach::cli {

namespace {

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
