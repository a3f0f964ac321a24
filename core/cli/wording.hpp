#pragma once
// Counts in operator-facing English: "1 letter", "2 letters".
#include <cstddef>
#include <string>

namespace outreach::cli {

inline std::string counted(std::size_t n, const std::string& singular, const std::string& plural = {}) {
    return std::to_string(n) + " " + (n == 1 ? singular : plural.empty() ? singular + "s" : plural);
}

}  // namespace outreach::cli
