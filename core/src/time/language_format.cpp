// Dates, ranges, lists and ordinals per correspondence language (outreach/language.hpp).
// Everything a language needs is one row of kLanguages; adding a language is
// adding a row (and its ordinal words), see docs/translations.md.
#include "outreach/language.hpp"

#include <algorithm>
#include <array>
#include <chrono>

namespace outreach {
namespace {

using OrdinalWords = std::string (*)(int n);
using CardinalWords = std::string (*)(int n);  // a count of one to nine before a noun

struct LanguageRules {
    std::string_view code;
    std::array<std::string_view, 12> months;
    std::string_view day_suffix_first;  // after the day number on the 1st of a month: "er" in French
    std::string_view day_month;         // between day and month
    std::string_view month_year;        // between month and year
    std::string_view single_day;        // before a lone day in a list of dates
    std::string_view range_from;        // before the first day of a range
    std::string_view range_to;          // between the days of a range
    std::string_view list_and;          // before the last item of a list
    OrdinalWords ordinal;
    // Spans of time: year, years, month, months, day, days; counts of one to nine
    // in words (French and Spanish editorial style) or, when null, in figures
    // (as the English letters always have).
    std::array<std::string_view, 6> time_units;
    CardinalWords small_count;
};

std::string english_ordinal(int n) {
    const char* suffix = "th";
    if (n % 100 < 11 || n % 100 > 13) {
        switch (n % 10) {
            case 1: suffix = "st"; break;
            case 2: suffix = "nd"; break;
            case 3: suffix = "rd"; break;
            default: break;
        }
    }
    return std::to_string(n) + suffix;
}

// French cardinal words, 1..99 (1990 spelling reform not applied: UN French keeps
// "vingt et un", "soixante et onze", "quatre-vingts").
std::string french_cardinal(int n) {
    static constexpr std::array<std::string_view, 20> small{
        "",       "un",       "deux",     "trois",    "quatre",   "cinq",      "six",
        "sept",   "huit",     "neuf",     "dix",      "onze",     "douze",     "treize",
        "quatorze", "quinze", "seize",    "dix-sept", "dix-huit", "dix-neuf"};
    static constexpr std::array<std::string_view, 10> tens{"",         "dix",      "vingt",   "trente",
                                                           "quarante", "cinquante", "soixante", "soixante",
                                                           "quatre-vingt", "quatre-vingt"};
    if (n < 20) return std::string(small[static_cast<std::size_t>(n)]);
    const int ten = n / 10;
    int unit = n % 10;
    if (ten == 7 || ten == 9) unit += 10;  // soixante-dix, quatre-vingt-onze
    std::string text(tens[static_cast<std::size_t>(ten)]);
    if (unit == 0) return ten == 8 ? text + "s" : text;
    if ((unit == 1 || unit == 11) && ten != 8 && ten != 9) return text + " et " + std::string(small[static_cast<std::size_t>(unit)]);
    return text + "-" + std::string(small[static_cast<std::size_t>(unit)]);
}

std::string french_ordinal(int n) {
    if (n <= 0 || n >= 200) return std::to_string(n) + "e";
    if (n == 1) return "premier";
    std::string cardinal = n >= 100 ? (n == 100 ? "cent" : "cent " + french_cardinal(n - 100)) : french_cardinal(n);
    if (cardinal.ends_with("quatre-vingts")) cardinal.pop_back();
    if (cardinal.ends_with("un")) return cardinal + "ième";          // vingt et unième
    if (cardinal.ends_with("cinq")) return cardinal + "uième";       // cinquième
    if (cardinal.ends_with("neuf")) return cardinal.substr(0, cardinal.size() - 1) + "vième";
    if (cardinal.ends_with("e")) cardinal.pop_back();                // quatre -> quatrième
    return cardinal + "ième";
}

// Spanish ordinal adjectives before a masculine noun ("sexagésimo primer período").
std::string spanish_ordinal(int n) {
    static constexpr std::array<std::string_view, 10> units{"",       "primer", "segundo", "tercer",  "cuarto",
                                                            "quinto", "sexto",  "séptimo", "octavo", "noveno"};
    static constexpr std::array<std::string_view, 10> tens{"",           "décimo",      "vigésimo",    "trigésimo",
                                                           "cuadragésimo", "quincuagésimo", "sexagésimo", "septuagésimo",
                                                           "octogésimo",  "nonagésimo"};
    if (n <= 0 || n >= 200) return std::to_string(n) + ".º";
    std::string text;
    if (n >= 100) {
        text = "centésimo";
        n -= 100;
        if (n == 0) return text;
        text += " ";
    }
    const int ten = n / 10, unit = n % 10;
    if (ten == 1 && unit == 1) return text + "undécimo";
    if (ten == 1 && unit == 2) return text + "duodécimo";
    if (ten == 1 && unit > 0) return text + "decimo" + std::string(units[static_cast<std::size_t>(unit)]);
    if (ten == 0) return text + std::string(units[static_cast<std::size_t>(unit)]);
    text += tens[static_cast<std::size_t>(ten)];
    return unit == 0 ? text : text + " " + std::string(units[static_cast<std::size_t>(unit)]);
}

// Spanish counts before a noun, one to nine ("un año", "tres meses").
std::string spanish_small_cardinal(int n) {
    static constexpr std::array<std::string_view, 10> words{"cero", "un",   "dos",   "tres", "cuatro",
                                                            "cinco", "seis", "siete", "ocho", "nueve"};
    return std::string(words[static_cast<std::size_t>(n)]);
}

constexpr std::array<LanguageRules, 3> kLanguages{{
    {"en",
     {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
      "December"},
     "", " ", " ", "", "", " to ", " and ", english_ordinal,
     {"year", "years", "month", "months", "day", "days"}, nullptr},
    {"fr",
     {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
      "décembre"},
     "er", " ", " ", "le ", "du ", " au ", " et ", french_ordinal,
     {"an", "ans", "mois", "mois", "jour", "jours"}, french_cardinal},
    {"es",
     {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
      "diciembre"},
     "", " de ", " de ", "el ", "del ", " al ", " y ", spanish_ordinal,
     {"año", "años", "mes", "meses", "día", "días"}, spanish_small_cardinal},
}};

const LanguageRules& rules_for(std::string_view code) {
    for (const auto& rules : kLanguages)
        if (rules.code == code) return rules;
    return kLanguages.front();
}

int year_of(Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); }

std::string day_text(const LanguageRules& rules, Date date) {
    const unsigned day = static_cast<unsigned>(std::chrono::year_month_day{date}.day());
    return std::to_string(day) + std::string(day == 1 ? rules.day_suffix_first : "");
}

std::string day_and_month(const LanguageRules& rules, Date date) {
    const std::chrono::year_month_day ymd{date};
    return day_text(rules, date) + std::string(rules.day_month) +
           std::string(rules.months[static_cast<unsigned>(ymd.month()) - 1]);
}

std::string with_year(const LanguageRules& rules, std::string text, int year) {
    return text + std::string(rules.month_year) + std::to_string(year);
}

// One range without its prefix: "25 to 27 September", "28 September to 2 October".
std::string range_text(const LanguageRules& rules, const DateRange& range, bool own_year) {
    const std::chrono::year_month_day first{range.first}, last{range.last};
    if (first.year() != last.year())
        return with_year(rules, day_and_month(rules, range.first), year_of(range.first)) + std::string(rules.range_to) +
               with_year(rules, day_and_month(rules, range.last), year_of(range.last));
    std::string text;
    if (range.first == range.last)
        text = day_and_month(rules, range.first);
    else if (first.month() == last.month())
        text = day_text(rules, range.first) + std::string(rules.range_to) + day_and_month(rules, range.last);
    else
        text = day_and_month(rules, range.first) + std::string(rules.range_to) + day_and_month(rules, range.last);
    return own_year ? with_year(rules, text, year_of(range.last)) : text;
}

// Spanish writes "e" for "y" before a word starting with the sound /i/ (i-, hi-,
// but not hie-/hia-: "Francia e Italia", "agua y hielo").
bool starts_with_i_sound(std::string_view word) {
    auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
    std::string head;
    for (std::size_t i = 0; i < word.size() && i < 4; ++i) head += lower(word[i]);
    if (head.starts_with("hie") || head.starts_with("hia")) return false;
    if (head.starts_with("hi")) return true;
    if (head.starts_with("ie") || head.starts_with("ia")) return false;
    return head.starts_with("i") || head.starts_with("\xc3\xad");  // i, í
}

}  // namespace

const std::vector<std::string>& supported_languages() {
    static const std::vector<std::string> codes = [] {
        std::vector<std::string> out;
        for (const auto& rules : kLanguages) out.emplace_back(rules.code);
        return out;
    }();
    return codes;
}

bool is_supported_language(std::string_view code) {
    return std::any_of(kLanguages.begin(), kLanguages.end(), [&](const LanguageRules& r) { return r.code == code; });
}

std::string format_date_long(Date date, std::string_view language) {
    const LanguageRules& rules = rules_for(language);
    return with_year(rules, day_and_month(rules, date), year_of(date));
}

std::string format_date_ranges(const std::vector<DateRange>& ranges, std::string_view language) {
    if (ranges.empty()) return {};
    const LanguageRules& rules = rules_for(language);
    const int year = year_of(ranges.front().first);
    const bool one_year = std::all_of(ranges.begin(), ranges.end(), [year](const DateRange& r) {
        return year_of(r.first) == year && year_of(r.last) == year;
    });
    std::vector<std::string> parts;
    for (const auto& range : ranges)
        parts.push_back(std::string(range.first == range.last ? rules.single_day : rules.range_from) +
                        range_text(rules, range, !one_year));
    const std::string text = format_list(parts, language);
    return one_year ? with_year(rules, text, year) : text;
}

std::string format_list(const std::vector<std::string>& items, std::string_view language) {
    const LanguageRules& rules = rules_for(language);
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0 && i + 1 < items.size()) text += ", ";
        if (i > 0 && i + 1 == items.size())
            text += rules.code == "es" && starts_with_i_sound(items[i]) ? std::string(" e ") : std::string(rules.list_and);
        text += items[i];
    }
    return text;
}

std::string format_ordinal(int n, std::string_view language) { return rules_for(language).ordinal(n); }

std::string format_ordinal(int n, std::string_view language, Gender gender) {
    std::string text = format_ordinal(n, language);
    if (gender == Gender::Masculine) return text;
    if (language == "fr") return text == "premier" ? "première" : text;  // deuxième, vingt et unième: both genders
    if (language != "es") return text;
    if (text.ends_with(".º")) return text.substr(0, text.size() - std::string_view(".º").size()) + ".ª";
    // Every word agrees: "vigésimo primer" -> "vigésima primera", "decimotercer" -> "decimotercera".
    std::string out, word;
    auto flush = [&] {
        if (word.ends_with("primer") || word.ends_with("tercer")) word += "a";
        else if (word.ends_with("o")) word.back() = 'a';
        out += word;
        word.clear();
    };
    for (const char c : text) {
        if (c == ' ') {
            flush();
            out += ' ';
        } else {
            word += c;
        }
    }
    flush();
    return out;
}

namespace {

std::string amount(const LanguageRules& rules, long n, std::size_t unit) {
    const std::string number = n >= 1 && n <= 9 && rules.small_count ? rules.small_count(static_cast<int>(n))
                                                                        : std::to_string(n);
    return number + " " + std::string(rules.time_units[unit * 2 + (n == 1 ? 0 : 1)]);
}

}  // namespace

std::string format_duration(const Duration& duration, std::string_view language) {
    const LanguageRules& rules = rules_for(language);
    std::vector<std::string> parts;
    if (duration.years != 0) parts.push_back(amount(rules, duration.years, 0));
    if (duration.months != 0) parts.push_back(amount(rules, duration.months, 1));
    if (duration.days != 0 || parts.empty()) parts.push_back(amount(rules, duration.days, 2));
    return format_list(parts, language);
}

std::string format_letterhead(std::string_view signatory_title, std::string_view language) {
    // The titles the Secretariat's letters carry in French and Spanish; another
    // title is written as given, in capitals (ASCII letters only are raised).
    struct Title {
        std::string_view english, french, spanish;
    };
    static constexpr Title kTitles[] = {
        {"Secretary-General", "LE SECRÉTAIRE GÉNÉRAL", "EL SECRETARIO GENERAL"},
        {"President of the General Assembly", "LE PRÉSIDENT DE L'ASSEMBLÉE GÉNÉRALE",
         "EL PRESIDENTE DE LA ASAMBLEA GENERAL"},
        {"Legal Counsel", "LE CONSEILLER JURIDIQUE", "EL ASESOR JURÍDICO"},
    };
    const bool english = rules_for(language).code == kDefaultLanguage;
    for (const auto& title : kTitles)
        if (title.english == signatory_title && !english)
            return std::string(rules_for(language).code == "fr" ? title.french : title.spanish);
    std::string text = (english ? "THE " : "") + std::string(signatory_title);
    for (char& c : text)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return text;
}

}  // namespace outreach
