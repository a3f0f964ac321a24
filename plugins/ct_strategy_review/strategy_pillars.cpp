#include "strategy_pillars.hpp"

#include <cctype>

namespace outreach::ct_strategy_review {

const std::array<Pillar, 4>& strategy_pillars() {
    static const std::array<Pillar, 4> pillars{{
        {1, "I", "conditions conducive to the spread of terrorism",
         "Measures to address the conditions conducive to the spread of terrorism"},
        {2, "II", "preventing and combating terrorism", "Measures to prevent and combat terrorism"},
        {3, "III", "building States' capacity and strengthening the role of the United Nations system",
         "Measures to build States' capacity to prevent and combat terrorism and to strengthen the role of the "
         "United Nations system in this regard"},
        {4, "IV", "human rights and the rule of law",
         "Measures to ensure respect for human rights for all and the rule of law as the fundamental basis of the "
         "fight against terrorism"},
    }};
    return pillars;
}

std::optional<int> parse_pillar_payload(std::string_view payload) {
    std::string text;
    for (const char c : payload)
        if (!std::isspace(static_cast<unsigned char>(c))) text += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (text.rfind("PILLAR", 0) == 0) text.erase(0, 6);
    for (const auto& pillar : strategy_pillars())
        if (text == pillar.numeral || text == std::to_string(pillar.number)) return pillar.number;
    return std::nullopt;
}

}  // namespace outreach::ct_strategy_review
