#include "delivery/letter_language.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <variant>

#include "outreach/language.hpp"
#include "runtime.hpp"

namespace outreach {
namespace {

struct Wording {
    std::string_view language;
    std::string_view excellency;  // "Excellency", "His Excellency", "Her Excellency"
    std::string_view head_of_state, foreign_minister, permanent_representative, permanent_observer;
};

// Titles as the Secretariat's French and Spanish correspondence gives them
// (UNTERM); reviewed before real use (docs/translations.md).
constexpr std::array<Wording, 2> kWordings{{
    {"fr", "Son Excellence", "Chef d'État ou de gouvernement", "Ministre des affaires étrangères",
     "Représentant permanent auprès de l'Organisation des Nations Unies",
     "Observateur permanent auprès de l'Organisation des Nations Unies"},
    {"es", "Su Excelencia", "Jefe de Estado o de Gobierno", "Ministro de Relaciones Exteriores",
     "Representante Permanente ante las Naciones Unidas", "Observador Permanente ante las Naciones Unidas"},
}};

const Wording* wording_for(const std::string& language) {
    for (const auto& w : kWordings)
        if (w.language == language) return &w;
    return nullptr;
}

std::string role_title(const Wording& w, const Addressee& addressee, const State& state) {
    if (addressee.role == "head_of_state") return std::string(w.head_of_state);
    if (addressee.role == "foreign_minister") return std::string(w.foreign_minister);
    return std::string(state.status == StateStatus::Observer ? w.permanent_observer : w.permanent_representative);
}

}  // namespace

std::string letter_language(const Campaign& campaign, const State& state) {
    if (!campaign.config.language.empty()) return campaign.config.language;
    for (const auto& entry : campaign.config.languages)
        if (entry.state == state.code) return entry.language;
    return state.language;
}

std::set<std::string> letter_languages(const Campaign& campaign) {
    std::set<std::string> out;
    for (const auto& state : campaign.roster.states()) out.insert(letter_language(campaign, state));
    return out;
}

std::string honorific_in(const std::string& honorific, const std::string& language) {
    const Wording* w = wording_for(language);
    if (!w) return honorific;
    for (const char* english : {"Excellency", "His Excellency", "Her Excellency"})
        if (honorific == english) return std::string(w->excellency);
    return honorific;
}

std::string addressee_title_in(const Addressee& addressee, const State& state, const std::string& language) {
    if (const auto it = addressee.titles_by_language.find(language); it != addressee.titles_by_language.end())
        return it->second;
    const Wording* w = wording_for(language);
    return w ? role_title(*w, addressee, state) : addressee.title;
}

std::string addressee_block(const Addressee& addressee, const State& state, const std::string& language) {
    const bool generic_title = wording_for(language) && !addressee.titles_by_language.count(language);
    // The honorific belongs to the name: without a name it would stand alone.
    const std::string honorific = addressee.name.empty() ? std::string() : honorific_in(addressee.honorific, language);
    const std::string title = addressee_title_in(addressee, state, language);
    // A generic title ("Ministre des affaires étrangères") does not name the State:
    // its name follows on a line of its own.
    const std::string state_line = generic_title ? state.name_in(language) : std::string();
    std::string block;
    for (const std::string* line : {&honorific, &addressee.name, &title, &state_line, &state.capital})
        if (!line->empty()) block += (block.empty() ? "" : "\n") + *line;
    return block;
}

void check_language_overrides(const Campaign& campaign, const Roster& full_roster, Diagnostics& out) {
    for (const auto& entry : campaign.config.languages)
        if (!full_roster.find(entry.state))
            out.push_back(Diagnostic{campaign.config.file, entry.at.line, entry.at.column, "languages." + entry.state,
                                     "no State " + entry.state + " in the roster " +
                                         campaign.config.roster.string()});
}

namespace {

// A per_language option given in English only: letters in another language
// would quote the English text.
void check_language_options(const Campaign& campaign, const std::vector<OptionSpec>& specs,
                            const std::set<std::string>& languages, Diagnostics& warnings) {
    for (const auto& spec : specs) {
        if (!spec.per_language || !campaign.params.has(spec.name)) continue;
        const OptionValue& value = campaign.params.values().at(spec.name);
        const auto* text = std::get_if<std::string>(&value);
        const auto* texts = std::get_if<std::vector<std::string>>(&value);
        if ((text && text->empty()) || (texts && texts->empty())) continue;  // nothing to translate
        // The campaign's [params] were moved, not copied, from the file: they keep their positions.
        const toml::node* given = campaign.config.params.get(spec.name);
        for (const auto& language : languages) {
            const std::string variant = language_option_name(spec.name, language);
            if (language == kDefaultLanguage || campaign.params.has(variant)) continue;
            Diagnostic warning{campaign.config.file, given ? static_cast<int>(given->source().begin.line) : 0,
                               given ? static_cast<int>(given->source().begin.column) : 0, "params." + variant,
                               "no '" + variant + "': letters to States writing in " + language + " quote '" +
                                   spec.name + "' as given" + (given ? "" : " (its default)") + "; add " + variant +
                                   " to [params]"};
            warning.severity = Diagnostic::Severity::Warning;
            warnings.push_back(std::move(warning));
        }
    }
}

}  // namespace

void check_language_templates(const Campaign& campaign, const std::vector<OptionSpec>& specs, Diagnostics& warnings) {
    if (!campaign.templates) return;
    const auto languages = letter_languages(campaign);
    const bool writes_letters = std::any_of(campaign.workflow.steps.begin(), campaign.workflow.steps.end(),
                                            [](const Step& step) {
                                                return step.enabled && std::holds_alternative<LetterAction>(step.action);
                                            });
    if (writes_letters) check_language_options(campaign, specs, languages, warnings);
    std::set<std::string> reported;
    for (const auto& step : campaign.workflow.steps) {
        const auto* letter = std::get_if<LetterAction>(&step.action);
        if (!letter || !step.enabled) continue;
        for (const auto& language : languages) {
            if (language == kDefaultLanguage) continue;
            const std::string& name = letter->template_name;
            if (campaign.templates->name_for_language(campaign.config.type, name, language) != name) continue;
            if (!reported.insert(name + "." + language).second) continue;
            Diagnostic warning{campaign.config.file, 0, 0, "steps." + step.id,
                               "no " + language + " template '" + name + "." + language + ".mustache' for " +
                                   campaign.config.type + ": its letters to States writing in " + language +
                                   " go in English, from '" +
                                   campaign.templates->find(campaign.config.type, name).string() + "'"};
            warning.severity = Diagnostic::Severity::Warning;
            warnings.push_back(std::move(warning));
        }
    }
}

}  // namespace outreach
