#pragma once
// Places the recurring follow-up letters. RFC 5545 counts DTSTART as the first
// occurrence of a rule, and here DTSTART is the letter date itself, when the
// invitation goes out: the follow-ups are the occurrences after it.
#include <optional>
#include <stdexcept>
#include <string>

#include "outreach/calendar.hpp"

namespace outreach::protocol_universality {

// Days from `letter_date` to the first occurrence of `rrule` (started on
// `letter_date`) after that day and before `until` (exclusive); nullopt when none
// falls in between. Throws std::invalid_argument with libical's reason for a
// malformed rule.
std::optional<Days> first_follow_up_offset(const std::string& rrule, Date letter_date, Date until);

}  // namespace outreach::protocol_universality
