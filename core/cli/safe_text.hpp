#pragma once
// Text from the journal (notes, payloads, server replies, names) printed for an
// operator. A note recorded as "\x1b]0;...\a" must not retitle, clear or rewrite
// the operator's terminal, and bytes that are not UTF-8 must not break JSON.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace outreach::cli {

// For text output: control characters (C0, DEL, C1), line and paragraph
// separators and bidirectional overrides become visible escapes (\n, \t, \x1b,
// \u009b, \u202e); invalid UTF-8 sequences become U+FFFD. Everything else is
// kept, so "Côte d'Ivoire" stays as it is.
std::string terminal_safe(std::string_view text);

// nlohmann::json::dump that never throws on invalid UTF-8 already in the journal
// (each invalid sequence becomes U+FFFD); control characters are escaped by JSON.
std::string json_text(const nlohmann::json& value, int indent = 2);

}  // namespace outreach::cli
