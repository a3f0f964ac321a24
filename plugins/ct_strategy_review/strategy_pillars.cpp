#include "strategy_pillars.hpp"

#include <cctype>

namespace outreach::ct_strategy_review {

const std::array<Pillar, 4>& strategy_pillars() {
    static const std::array<Pillar, 4> pillars{{
        {1, "I", "conditions conducive to the spread of terrorism",
         "Measures to address the conditions conducive to the spread of terrorism",
         "Mesures visant à éliminer les conditions propices à la propagation du terrorisme",
         "Medidas para hacer frente a las condiciones que propician la propagación del terrorismo"},
        {2, "II", "preventing and combating terrorism", "Measures to prevent and combat terrorism",
         "Mesures visant à prévenir et combattre le terrorisme", "Medidas para prevenir y combatir el terrorismo"},
        {3, "III", "building States' capacity and strengthening the role of the United Nations system",
         "Measures to build States' capacity to prevent and combat terrorism and to strengthen the role of the "
         "United Nations system in this regard",
         "Mesures destinées à étoffer les moyens dont les États disposent pour prévenir et combattre le terrorisme "
         "et à renforcer le rôle joué en ce sens par le système des Nations Unies",
         "Medidas destinadas a aumentar la capacidad de los Estados para prevenir el terrorismo y luchar contra él, "
         "y a fortalecer el papel del sistema de las Naciones Unidas a ese respecto"},
        {4, "IV", "human rights and the rule of law",
         "Measures to ensure respect for human rights for all and the rule of law as the fundamental basis of the "
         "fight against terrorism",
         "Mesures garantissant le respect des droits de l'homme pour tous et la primauté du droit en tant que pilier "
         "fondamental de la lutte antiterroriste",
         "Medidas para asegurar el respeto de los derechos humanos para todos y el imperio de la ley como base "
         "fundamental de la lucha contra el terrorismo"},
    }};
    return pillars;
}

const char* pillar_title(const Pillar& pillar, std::string_view language) {
    if (language == "fr") return pillar.title_fr;
    if (language == "es") return pillar.title_es;
    return pillar.title;
}

std::string pillar_line(const Pillar& pillar, std::string_view language) {
    const char* word = language == "fr" ? "Pilier " : language == "es" ? "Pilar " : "Pillar ";
    const char* colon = language == "fr" ? " : " : ": ";  // French sets a space before the colon
    return std::string(word) + pillar.numeral + colon + pillar_title(pillar, language);
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
