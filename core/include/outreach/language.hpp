#pragma once
// Correspondence languages and the text letters need in each: dates, date
// ranges, ordinals and lists, written as the Secretariat writes them.
//
//   format_date_long(d, "en")  -> "1 September 2007"
//   format_date_long(d, "fr")  -> "1er septembre 2007"   (templates add "le")
//   format_date_long(d, "es")  -> "1 de septiembre de 2007"
//
// Plugins format their dates with these (the language of a letter is
// FiringContext::language), so their values read right in every language. The
// rules live in one table in the core (core/src/time/language_format.cpp).
#include <string>
#include <string_view>
#include <vector>

#include "outreach/calendar.hpp"
#include "outreach/version.hpp"

namespace outreach {

// ISO 639-1 code of the language letters use when nothing else is said.
inline constexpr std::string_view kDefaultLanguage = "en";

// The languages the core can format ("en", "fr", "es"), default first.
OUTREACH_EXPORT const std::vector<std::string>& supported_languages();
OUTREACH_EXPORT bool is_supported_language(std::string_view code);

// The functions below take a supported code; an unknown one is formatted as the
// default language (validation refuses unknown codes long before a letter is written).

// "9 May 2007", "9 mai 2007" ("1er" for the first of a month), "9 de mayo de 2007".
OUTREACH_EXPORT std::string format_date_long(Date date, std::string_view language);
// A list of dates and ranges as a sentence says them, the year once when all
// share it: "25 to 27 September and 1 to 2 October 2007",
// "du 25 au 27 septembre et du 1er au 2 octobre 2007",
// "del 25 al 27 de septiembre y del 1 al 2 de octubre de 2007".
// A single day reads "25 September" / "le 25 septembre" / "el 25 de septiembre".
OUTREACH_EXPORT std::string format_date_ranges(const std::vector<DateRange>& ranges, std::string_view language);
// "A, B and C" / "A, B et C" / "A, B y C" ("e" before an /i/ sound in Spanish).
OUTREACH_EXPORT std::string format_list(const std::vector<std::string>& items, std::string_view language);
// An ordinal adjective before a noun (masculine where the language has gender),
// as UN documents name sessions: "62nd", "soixante-deuxième", "sexagésimo segundo"
// (words for 1 to 199 in French and Spanish, figures beyond).
OUTREACH_EXPORT std::string format_ordinal(int n, std::string_view language);
// The same before a feminine noun ("la deuxième fois", "la segunda vez"):
// French changes only "premier" -> "première", Spanish every word ("vigésima primera").
enum class Gender { Masculine, Feminine };
OUTREACH_EXPORT std::string format_ordinal(int n, std::string_view language, Gender gender);

// A length of time as a letter says it, the zero parts left out (all zero: "0 days"):
// {1, 3, 0} -> "1 year and 3 months" / "un an et trois mois" / "un año y tres meses";
// {0, 0, 15} -> "15 days" / "15 jours" / "15 días". French and Spanish spell one
// to nine; English keeps figures.
struct Duration {
    int years = 0;
    int months = 0;
    long days = 0;
};
OUTREACH_EXPORT std::string format_duration(const Duration& duration, std::string_view language);

// The letterhead line for a signatory's title: "THE SECRETARY-GENERAL",
// "LE SECRÉTAIRE GÉNÉRAL", "EL SECRETARIO GENERAL" (also the President of the
// General Assembly and the Legal Counsel); another title in capitals as given.
OUTREACH_EXPORT std::string format_letterhead(std::string_view signatory_title, std::string_view language);

}  // namespace outreach
