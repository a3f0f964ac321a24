#pragma once
// Which language a campaign writes to each State in, the words of the address
// block in that language, and the checks `validate` makes of both.
#include <set>
#include <string>

#include "config/diagnostics.hpp"
#include "outreach/options.hpp"
#include "outreach/roster.hpp"

namespace outreach {

struct Campaign;

// The campaign's forced `language`, else its [languages] entry for the State,
// else the roster's `language` of the State.
OUTREACH_EXPORT std::string letter_language(const Campaign& campaign, const State& state);

// Every language the campaign's letters are written in (its roster view).
std::set<std::string> letter_languages(const Campaign& campaign);

// "His Excellency" -> "Son Excellence" (fr), "Su Excelencia" (es); other
// honorifics are kept as the roster writes them.
OUTREACH_EXPORT std::string honorific_in(const std::string& honorific, const std::string& language);

// The addressee's title in `language`: the roster's title_<language>, else the
// role's title in that language ("Ministre des affaires étrangères"); English:
// the roster's title.
OUTREACH_EXPORT std::string addressee_title_in(const Addressee& addressee, const State& state,
                                               const std::string& language);

// The address block at the foot of a letter: honorific, name, title, (the State's
// name where the title does not carry it), capital; lines not known yet left out.
OUTREACH_EXPORT std::string addressee_block(const Addressee& addressee, const State& state,
                                            const std::string& language);

// [languages] entries naming a State the roster does not have: errors at the entry.
void check_language_overrides(const Campaign& campaign, const Roster& full_roster, Diagnostics& out);

// A letter template without a variant for a language some of its States write in:
// a warning (Severity::Warning); those letters go in the default language, from
// the default template (OccurrenceValues::written_in), never half translated.
// `specs`: the type's options (with_language_variants), for the warnings about
// per_language options left untranslated.
void check_language_templates(const Campaign& campaign, const std::vector<OptionSpec>& specs, Diagnostics& warnings);

}  // namespace outreach
