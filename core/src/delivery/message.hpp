#pragma once
// Builds RFC 5322 messages with GMime: UTF-8 text/plain body (quoted-printable when
// needed), RFC 2047-encoded non-ASCII display names and subjects, Date = scheduled
// instant, Message-ID derived from the idempotency key so the same key always
// yields the same Message-ID.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "delivery/letter.hpp"

namespace outreach {

// "<{32 hex of SHA-256(key)}@{domain of sender_email}>", angle brackets included.
OUTREACH_EXPORT std::string message_id_for(const std::string& idempotency_key, const std::string& sender_email);
// LF-terminated lines (Maildir form); SMTP callers convert to CRLF.
OUTREACH_EXPORT std::string build_message(const Letter& letter);

// A message read back with GMime's parser, header values decoded (tests, previews,
// SMTP checks: callers outside liboutreach do not link GMime themselves).
struct ParsedMessage {
    std::string from_name, from_email;
    std::string to_name, to_email;
    std::string subject;
    std::optional<Instant> date;
    std::string message_id;                      // with angle brackets, as message_id_for()
    std::string body;                            // decoded UTF-8 text of the (first) text/plain part
    struct Part {
        std::string filename;      // decoded (RFC 2231)
        std::string content_type;  // "application/pdf"
        std::string content;       // decoded bytes
    };
    std::vector<Part> attachments;               // the parts after the text, in order
    std::multimap<std::string, std::string> headers;  // every top-level header, decoded, unfolded
};
// Throws std::runtime_error when the text is not a parsable message.
OUTREACH_EXPORT ParsedMessage parse_message(const std::string& text);

}  // namespace outreach
