#include "outreach/roster.hpp"

#include <algorithm>
#include <cctype>

namespace outreach {

const Addressee* State::addressee(const std::string& role) const {
    for (const auto& a : addressees)
        if (a.role == role) return &a;
    return nullptr;
}

const State* Roster::find(const std::string& code_or_name) const {
    std::string upper = code_or_name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    for (const auto& s : states_)
        if (s.code == upper || s.name == code_or_name || s.formal_name == code_or_name) return &s;
    return nullptr;
}

}  // namespace outreach
