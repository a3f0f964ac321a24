#pragma once
// Offsets as operators write them in a campaign file: "-3m" (three months before),
// "+1m" or "1m" (one month after), "-14d", "-2w", "1y", or a sum such as "-1m15d"
// (one month and fifteen days before; the sign applies to the whole offset).
// Units: y (12 months), m (calendar months), w (7 days), d (days), each at most
// once, in that order. Months count first, with end-of-month clamping
// (outreach::apply_offset), then days.
#include <stdexcept>
#include <string>
#include <string_view>

#include "outreach/workflow.hpp"

namespace outreach::reporting_obligations {

struct OffsetError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr int kMaxOffsetMonths = 120;   // ten years: larger ones are typos
inline constexpr int kMaxOffsetDays = 3660;

// Throws OffsetError saying what is wrong with `text` and how to write it.
Offset parse_offset(std::string_view text);

// "3m", "14d", "1m15d": the magnitude, for step ids (reminder_3m).
std::string offset_label(const Offset& offset);
// "3 months", "14 days", "1 month and 15 days" ("trois mois", "tres meses"):
// the magnitude, for people.
std::string describe_offset(const Offset& offset, std::string_view language = "en");
// Negative, zero or positive: the sign of the offset (months and days share it).
int offset_sign(const Offset& offset);

}  // namespace outreach::reporting_obligations
