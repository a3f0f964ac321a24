#pragma once
// A rendered message ready for a channel.
#include <memory>
#include <string>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

// A file a letter encloses. The bytes are shared: every letter of a step encloses
// the same file, read once.
struct Attachment {
    std::string filename;      // UTF-8; RFC 2231-encoded in the message when not ASCII
    std::string content_type;  // "application/pdf"
    std::shared_ptr<const std::string> content;
    std::string sha256;        // hex digest of the content: how the journal stores it, once
};

struct Letter {
    std::string idempotency_key;  // campaign/step/occurrence/recipient
    Instant scheduled;            // becomes the Date header
    std::string from_name, from_email;
    std::string to_name, to_email;
    std::string subject;
    std::string body;             // UTF-8 plain text
    std::string language = "en";  // ISO 639-1: the Content-Language header
    std::vector<Attachment> attachments;  // enclosures, in order (multipart/mixed when any)
    // for journal and timeline
    std::string campaign, step, occurrence, state;  // state: alpha-3, empty for tasks
    bool is_task = false;
};

}  // namespace outreach
