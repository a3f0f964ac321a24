#pragma once
// The four pillars of the Plan of Action of the United Nations Global
// Counter-Terrorism Strategy (General Assembly resolution 60/288, 8 September 2006),
// along which the meetings on its implementation are structured.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace outreach::ct_strategy_review {

struct Pillar {
    int number;          // 1..4
    const char* numeral; // "I".."IV"
    const char* name;    // short: "conditions conducive to the spread of terrorism"
    const char* title;   // the heading of the Plan of Action's section
    const char* title_fr;  // the same in the resolution's French and Spanish texts
    const char* title_es;
};

// The pillar's heading in `language` ("en", "fr", "es").
const char* pillar_title(const Pillar& pillar, std::string_view language);
// "Pillar I: ...", "Pilier I : ...", "Pilar I: ...": a line of the letters' list.
std::string pillar_line(const Pillar& pillar, std::string_view language);

const std::array<Pillar, 4>& strategy_pillars();

// A will_speak payload: "II", "2", "Pillar II" or "pillar 2" (any case) -> 2;
// nullopt when it names no pillar.
std::optional<int> parse_pillar_payload(std::string_view payload);

}  // namespace outreach::ct_strategy_review
