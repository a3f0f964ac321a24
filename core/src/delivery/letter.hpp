#pragma once
// A rendered message ready for a channel.
#include <string>

#include "outreach/calendar.hpp"

namespace outreach {

struct Letter {
    std::string idempotency_key;  // campaign/step/occurrence/recipient
    Instant scheduled;            // becomes the Date header
    std::string from_name, from_email;
    std::string to_name, to_email;
    std::string subject;
    std::string body;             // UTF-8 plain text
    // for journal and timeline
    std::string campaign, step, occurrence, state;  // state: alpha-3, empty for tasks
    bool is_task = false;
};

}  // namespace outreach
