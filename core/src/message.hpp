#pragma once
// Builds RFC 5322 messages with GMime: UTF-8 text/plain body (quoted-printable when
// needed), RFC 2047-encoded non-ASCII display names and subjects, Date = scheduled
// instant, Message-ID derived from the idempotency key so the same key always
// yields the same Message-ID.
#include <string>

#include "letter.hpp"

namespace outreach {

OUTREACH_EXPORT std::string message_id_for(const std::string& idempotency_key, const std::string& sender_email);
OUTREACH_EXPORT std::string build_message(const Letter& letter);

}  // namespace outreach
