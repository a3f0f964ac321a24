#pragma once
// Plain-text letters read best, and travel as 7bit/short QP lines, when wrapped
// at 72 columns. Templates keep a paragraph per line so operators can edit them.
#include <string>

#include "outreach/version.hpp"

namespace outreach {

// Wraps every line longer than `width` (counted in UTF-8 code points) at spaces;
// continuation lines of a "- " list item are indented by two spaces. Existing
// line breaks are kept; a word longer than `width` stays whole.
OUTREACH_EXPORT std::string wrap_text(const std::string& text, std::size_t width = 72);

}  // namespace outreach
