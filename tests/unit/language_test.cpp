// Correspondence languages: the formatting table (outreach/language.hpp), the
// roster's language fields, the campaign's overrides, template variants and the
// Content-Language of a message.
#include <catch2/catch.hpp>

#include <algorithm>

#include "delivery/letter_language.hpp"
#include "delivery/message.hpp"
#include "hardening_support.hpp"
#include "journal/journal.hpp"
#include "outreach/language.hpp"
#include "roster/roster_loader.hpp"
#include "runtime.hpp"

using namespace outreach;
using namespace outreach::hardening;

TEST_CASE("Dates are written as each language writes them", "[language]") {
    const Date may9 = make_date(2007, 5, 9), sep1 = make_date(2007, 9, 1);
    CHECK(format_date_long(may9, "en") == "9 May 2007");
    CHECK(format_date_long(may9, "fr") == "9 mai 2007");
    CHECK(format_date_long(may9, "es") == "9 de mayo de 2007");
    CHECK(format_date_long(sep1, "en") == "1 September 2007");
    CHECK(format_date_long(sep1, "fr") == "1er septembre 2007");
    CHECK(format_date_long(sep1, "es") == "1 de septiembre de 2007");
    CHECK(format_date_long(make_date(2008, 2, 14), "fr") == "14 février 2008");
    CHECK(format_date_long(sep1) == "1 September 2007");  // the SDK's English form is unchanged
}

TEST_CASE("Date ranges: the year once, a lone day with its article", "[language]") {
    const std::vector<DateRange> focus2007{{make_date(2007, 9, 25), make_date(2007, 9, 27)},
                                           {make_date(2007, 10, 1), make_date(2007, 10, 2)}};
    CHECK(format_date_ranges(focus2007, "en") == "25 to 27 September and 1 to 2 October 2007");
    CHECK(format_date_ranges(focus2007, "fr") == "du 25 au 27 septembre et du 1er au 2 octobre 2007");
    CHECK(format_date_ranges(focus2007, "es") == "del 25 al 27 de septiembre y del 1 al 2 de octubre de 2007");
    const std::vector<DateRange> across{{make_date(2007, 9, 30), make_date(2007, 10, 1)}};
    CHECK(format_date_ranges(across, "en") == "30 September to 1 October 2007");
    CHECK(format_date_ranges(across, "fr") == "du 30 septembre au 1er octobre 2007");
    const std::vector<DateRange> one_day{{make_date(2007, 9, 25), make_date(2007, 9, 25)}};
    CHECK(format_date_ranges(one_day, "en") == "25 September 2007");
    CHECK(format_date_ranges(one_day, "fr") == "le 25 septembre 2007");
    CHECK(format_date_ranges(one_day, "es") == "el 25 de septiembre de 2007");
    const std::vector<DateRange> years{{make_date(2007, 12, 30), make_date(2008, 1, 2)}};
    CHECK(format_date_ranges(years, "es") == "del 30 de diciembre de 2007 al 2 de enero de 2008");
}

TEST_CASE("Lists and ordinals per language", "[language]") {
    CHECK(format_list({"France", "Mali", "Senegal"}, "en") == "France, Mali and Senegal");
    CHECK(format_list({"France", "Mali", "Sénégal"}, "fr") == "France, Mali et Sénégal");
    CHECK(format_list({"España", "Argentina"}, "es") == "España y Argentina");
    CHECK(format_list({"Francia", "Italia"}, "es") == "Francia e Italia");  // y -> e before /i/
    CHECK(format_list({"agua", "hielo"}, "es") == "agua y hielo");
    CHECK(format_list({"one"}, "en") == "one");
    CHECK(format_list({}, "en").empty());
    CHECK(format_ordinal(62, "en") == "62nd");
    CHECK(format_ordinal(111, "en") == "111th");
    CHECK(format_ordinal(62, "fr") == "soixante-deuxième");
    CHECK(format_ordinal(61, "fr") == "soixante et unième");
    CHECK(format_ordinal(71, "fr") == "soixante et onzième");
    CHECK(format_ordinal(80, "fr") == "quatre-vingtième");
    CHECK(format_ordinal(81, "fr") == "quatre-vingt-unième");
    CHECK(format_ordinal(59, "fr") == "cinquante-neuvième");
    CHECK(format_ordinal(1, "fr") == "premier");
    CHECK(format_ordinal(62, "es") == "sexagésimo segundo");
    CHECK(format_ordinal(61, "es") == "sexagésimo primer");
    CHECK(format_ordinal(13, "es") == "decimotercer");
    CHECK(format_ordinal(80, "es") == "octogésimo");
    CHECK(format_ordinal(100, "es") == "centésimo");
    CHECK(is_supported_language("fr"));
    CHECK_FALSE(is_supported_language("de"));
}

TEST_CASE("Feminine ordinals, spans of time and letterheads per language", "[language]") {
    using outreach::Gender;
    CHECK(format_ordinal(2, "en", Gender::Feminine) == "2nd");
    CHECK(format_ordinal(1, "fr", Gender::Feminine) == "première");
    CHECK(format_ordinal(2, "fr", Gender::Feminine) == "deuxième");
    CHECK(format_ordinal(21, "fr", Gender::Feminine) == "vingt et unième");
    CHECK(format_ordinal(1, "es", Gender::Feminine) == "primera");
    CHECK(format_ordinal(2, "es", Gender::Feminine) == "segunda");
    CHECK(format_ordinal(3, "es", Gender::Feminine) == "tercera");
    CHECK(format_ordinal(13, "es", Gender::Feminine) == "decimotercera");
    CHECK(format_ordinal(61, "es", Gender::Feminine) == "sexagésima primera");
    CHECK(format_ordinal(250, "es", Gender::Feminine) == "250.ª");

    CHECK(format_duration({0, 3, 0}, "en") == "3 months");
    CHECK(format_duration({1, 3, 0}, "en") == "1 year and 3 months");
    CHECK(format_duration({0, 1, 15}, "en") == "1 month and 15 days");
    CHECK(format_duration({}, "en") == "0 days");
    CHECK(format_duration({2, 3, 0}, "fr") == "deux ans et trois mois");
    CHECK(format_duration({1, 0, 0}, "fr") == "un an");
    CHECK(format_duration({0, 1, 0}, "fr") == "un mois");
    CHECK(format_duration({0, 0, 15}, "fr") == "15 jours");
    CHECK(format_duration({0, 0, 1}, "fr") == "un jour");
    CHECK(format_duration({2, 3, 0}, "es") == "dos años y tres meses");
    CHECK(format_duration({0, 1, 0}, "es") == "un mes");
    CHECK(format_duration({0, 12, 1}, "es") == "12 meses y un día");

    CHECK(format_letterhead("Secretary-General", "en") == "THE SECRETARY-GENERAL");
    CHECK(format_letterhead("Secretary-General", "fr") == "LE SECRÉTAIRE GÉNÉRAL");
    CHECK(format_letterhead("President of the General Assembly", "es") == "EL PRESIDENTE DE LA ASAMBLEA GENERAL");
    CHECK(format_letterhead("High Commissioner", "en") == "THE HIGH COMMISSIONER");
    CHECK(format_letterhead("High Commissioner", "fr") == "HIGH COMMISSIONER");  // unknown: as given, in capitals
}

TEST_CASE("Per-language options: accepted as <name>_<language>, read with string_in, a warning when missing",
          "[language][config]") {
    const std::vector<outreach::OptionSpec> specs{
        {"title", outreach::OptionType::String, std::nullopt, true, "The title.", true},
        {"count", outreach::OptionType::Integer, std::nullopt, false, "Not text."},
    };
    const auto all = outreach::with_language_variants(specs);
    REQUIRE(all.size() == 4);
    CHECK(all[1].name == "title_fr");
    CHECK(all[2].name == "title_es");
    CHECK_FALSE(all[1].required);
    CHECK(all[3].name == "count");

    const outreach::Params params(std::map<std::string, outreach::OptionValue>{
        {"title", std::string("Focus")}, {"title_fr", std::string("Point de mire")}});
    CHECK(params.string_in("title", "fr") == "Point de mire");
    CHECK(params.string_in("title", "es") == "Focus");
    CHECK(params.string_in("title", "en") == "Focus");

    // In a campaign file: a missing translation is a warning at the option's line,
    // an unknown language an error naming it.
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    std::string text = read_text(focus);
    const auto from = text.find("title_es = ");
    REQUIRE(from != std::string::npos);
    text.erase(from, text.find('\n', from) + 1 - from);
    write_bytes(focus, text);
    Diagnostics diagnostics;
    auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    std::vector<Diagnostic> warned;
    for (const auto& w : runtime->warnings)
        if (w.field == "params.title_es") warned.push_back(w);
    REQUIRE(warned.size() == 1);
    CHECK(warned[0].file == focus);
    CHECK(warned[0].line == 16);  // the line of `title`
    CHECK_THAT(warned[0].message, Catch::Contains("letters to States writing in es quote 'title'"));

    ShippedCopy::edit(focus, "title_fr = ", "title_de = \"Fokus\"\ntitle_fr = ");
    Diagnostics errors;
    load_runtime(copy.file(), errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "params.title_de");
    CHECK_THAT(errors[0].message, Catch::Contains("unknown option 'title_de'"));
}

TEST_CASE("The shipped roster gives every State a language and its French and Spanish names", "[language][roster]") {
    Diagnostics diagnostics;
    const Roster roster = load_roster(kRepo / "config/rosters/un-states.toml", diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    for (const char* code : {"FRA", "MLI", "SEN", "CIV", "HTI", "BEL"}) CHECK(roster.find(code)->language == "fr");
    for (const char* code : {"ESP", "ARG", "MEX", "GNQ"}) CHECK(roster.find(code)->language == "es");
    for (const char* code : {"USA", "GBR", "CAN", "CMR", "VNM", "EGY"}) CHECK(roster.find(code)->language == "en");
    CHECK(roster.find("SEN")->name_in("fr") == "Sénégal");
    CHECK(roster.find("MLI")->name_in("es") == "Malí");
    CHECK(roster.find("ESP")->name_in("es") == "España");
    CHECK(roster.find("COD")->name_in("fr") == "République démocratique du Congo");
    CHECK(roster.find("USA")->name_in("de") == "United States of America");  // no German name: the roster's
}

TEST_CASE("A roster language outside the supported ones is an error at its line", "[language][roster]") {
    ScratchDir dir;
    const fs::path file = dir / "roster.toml";
    write_bytes(file, "[[state]]\ncode = \"FRA\"\nname = \"France\"\nlanguage = \"french\"\n");
    Diagnostics diagnostics;
    load_roster(file, diagnostics);
    INFO(dump(diagnostics));
    const Diagnostic* bad = find(diagnostics, "state[FRA].language", "must be one of \"en\", \"fr\", \"es\"");
    REQUIRE(bad != nullptr);
    CHECK(bad->line == 4);
}

TEST_CASE("Campaign language overrides: checked with file:line, and applied", "[language][config]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    ShippedCopy::edit(focus, "[roster]", "[languages]\nUSA = \"es\"\nSEN = \"en\"\n\n[roster]");
    {
        Diagnostics diagnostics;
        const auto runtime = load_runtime(copy.file(), diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.empty());
        const Campaign* campaign = runtime->campaign("focus2007");
        REQUIRE(campaign);
        CHECK(letter_language(*campaign, *campaign->roster.find("USA")) == "es");
        CHECK(letter_language(*campaign, *campaign->roster.find("SEN")) == "en");
        CHECK(letter_language(*campaign, *campaign->roster.find("FRA")) == "fr");
    }
    ShippedCopy::edit(focus, "[languages]", "language = \"en\"\n\n[languages]");
    {
        Diagnostics diagnostics;
        const auto runtime = load_runtime(copy.file(), diagnostics);
        REQUIRE(diagnostics.empty());
        const Campaign* campaign = runtime->campaign("focus2007");
        REQUIRE(campaign);
        for (const char* code : {"USA", "FRA", "ESP"}) CHECK(letter_language(*campaign, *campaign->roster.find(code)) == "en");
    }
    ShippedCopy::edit(focus, "language = \"en\"", "language = \"german\"");
    ShippedCopy::edit(focus, "USA = \"es\"", "USA = \"de\"\nFrance = \"fr\"\nXYZ = \"fr\"\nMEX = 3");
    const std::string text = read_text(focus);
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    CHECK(runtime->campaign("focus2007") == nullptr);
    const Diagnostic* forced = find(diagnostics, "language", "unknown language 'german'");
    REQUIRE(forced);
    CHECK(forced->line == position_of(text, "language = \"german\"").first);
    const Diagnostic* usa = find(diagnostics, "languages.USA", "unknown language 'de'");
    REQUIRE(usa);
    CHECK(usa->line == position_of(text, "USA = \"de\"").first);
    CHECK(find(diagnostics, "languages.France", "not an ISO 3166-1 alpha-3 code") != nullptr);
    CHECK(find(diagnostics, "languages.MEX", "a string") != nullptr);
}

TEST_CASE("A [languages] State the roster does not have is an error at its line", "[language][config]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    ShippedCopy::edit(focus, "[roster]", "[languages]\nXYZ = \"fr\"\n\n[roster]");
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    const Diagnostic* unknown = find(diagnostics, "languages.XYZ", "no State XYZ in the roster");
    REQUIRE(unknown);
    CHECK(unknown->line == position_of(read_text(focus), "XYZ = ").first);
    CHECK(runtime->campaign("focus2007") == nullptr);
}

TEST_CASE("A language without its template: a validate warning, the default template used", "[language][templates]") {
    ShippedCopy copy;
    fs::remove(copy.config / "templates/treaty_event/follow_up.es.mustache");
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.empty());
    REQUIRE(runtime->campaign("focus2007"));
    const auto warned = std::count_if(runtime->warnings.begin(), runtime->warnings.end(), [&](const Diagnostic& d) {
        return d.severity == Diagnostic::Severity::Warning && d.file == copy.campaign("focus2007") &&
               d.field == "steps.follow_up" && d.message.find("no es template 'follow_up.es.mustache'") != std::string::npos;
    });
    CHECK(warned == 1);
    // No warning for the languages whose templates exist.
    for (const auto& w : runtime->warnings) CHECK(w.message.find(".fr.mustache") == std::string::npos);
}

TEST_CASE("Every language variant of a template is checked against the values", "[language][templates]") {
    ShippedCopy copy;
    const fs::path french = copy.config / "templates/treaty_event/follow_up.fr.mustache";
    ShippedCopy::edit(french, "{{session_ordinal}}", "{{session_ordinale}}");
    Diagnostics diagnostics;
    const auto runtime = load_runtime(copy.file(), diagnostics);
    INFO(dump(diagnostics));
    bool reported = false;
    for (const auto& d : diagnostics) reported |= d.file == french && d.message.find("session_ordinale") != std::string::npos;
    CHECK(reported);
    CHECK(runtime->campaign("focus2007") == nullptr);
}

TEST_CASE("The address block in the letter's language", "[language]") {
    State state;
    state.code = "SEN";
    state.name = "Senegal";
    state.capital = "Dakar";
    state.names_by_language = {{"fr", "Sénégal"}, {"es", "Senegal"}};
    Addressee minister{"foreign_minister", "Minister for Foreign Affairs of Senegal", "Excellency", "", "x@example.org"};
    // Without a name the honorific would stand alone: it is left out.
    CHECK(addressee_block(minister, state, "en") == "Minister for Foreign Affairs of Senegal\nDakar");
    CHECK(addressee_block(minister, state, "fr") == "Ministre des affaires étrangères\nSénégal\nDakar");
    CHECK(addressee_block(minister, state, "es") == "Ministro de Relaciones Exteriores\nSenegal\nDakar");
    minister.name = "Cheikh Tidiane Gadio";
    CHECK(addressee_block(minister, state, "en") ==
          "Excellency\nCheikh Tidiane Gadio\nMinister for Foreign Affairs of Senegal\nDakar");
    CHECK(addressee_block(minister, state, "fr") ==
          "Son Excellence\nCheikh Tidiane Gadio\nMinistre des affaires étrangères\nSénégal\nDakar");
    CHECK(addressee_block(minister, state, "es") ==
          "Su Excelencia\nCheikh Tidiane Gadio\nMinistro de Relaciones Exteriores\nSenegal\nDakar");
    minister.name.clear();
    minister.titles_by_language["fr"] = "Ministre des affaires étrangères du Sénégal";
    minister.name = "M. Cheikh Tidiane Gadio";
    CHECK(addressee_block(minister, state, "fr") ==
          "Son Excellence\nM. Cheikh Tidiane Gadio\nMinistre des affaires étrangères du Sénégal\nDakar");
    CHECK(honorific_in("Her Excellency", "es") == "Su Excelencia");
    CHECK(honorific_in("The Honourable", "fr") == "The Honourable");  // unknown: as the roster writes it
}

TEST_CASE("Content-Language is the letter's language, and the journal keeps it for retries", "[language][delivery]") {
    Letter letter;
    letter.idempotency_key = "focus2007/invitation/x/SEN/foreign_minister";
    letter.scheduled = Instant{std::chrono::seconds{1178715600}};
    letter.from_name = "Treaty Section";
    letter.from_email = "treaty@un.example.org";
    letter.to_name = "Ministre des affaires étrangères";
    letter.to_email = "mfa@sen.example.org";
    letter.subject = "Invitation";
    letter.body = "Excellence,\n";
    letter.language = "fr";
    letter.campaign = "focus2007";
    const ParsedMessage parsed = parse_message(build_message(letter));
    const auto header = parsed.headers.find("Content-Language");
    REQUIRE(header != parsed.headers.end());
    CHECK(header->second == "fr");

    ScratchDir dir;
    Journal journal(dir / "journal.sqlite");
    DeliveryRecord record{letter, "maildir", DeliveryStatus::TemporaryFailure, "", "", 1, std::nullopt, letter.scheduled};
    journal.record_delivery(record);
    const auto stored = journal.delivery(letter.idempotency_key);
    REQUIRE(stored);
    CHECK(stored->letter.language == "fr");
    CHECK(build_message(stored->letter) == build_message(letter));  // a retry sends the same bytes
}

TEST_CASE("A translated option of the wrong type or length is an error naming it, and the campaign sends nothing",
          "[language][config][hardening]") {
    ShippedCopy copy;
    const fs::path focus = copy.campaign("focus2007");
    // A number where the Spanish title belongs.
    std::string text = read_text(focus);
    const auto line = text.find("title_es = ");
    REQUIRE(line != std::string::npos);
    text.replace(line, text.find('\n', line) - line, "title_es = 2007");
    write_bytes(focus, text);
    Diagnostics errors;
    auto runtime = load_runtime(copy.file(), errors);
    INFO(dump(errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].file == focus);
    CHECK(errors[0].field == "params.title_es");
    CHECK_THAT(errors[0].message, Catch::Contains("expected a string, found an integer"));
    CHECK_FALSE(runtime->campaign("focus2007"));  // left out: nothing of it is planned or sent

    // One French treaty title too few: the lists must match one to one.
    ShippedCopy copy2;
    const fs::path focus2 = copy2.campaign("focus2007");
    ShippedCopy::edit(focus2, "  \"Statut de Rome de la Cour pénale internationale\",\n", "");
    Diagnostics errors2;
    auto runtime2 = load_runtime(copy2.file(), errors2);
    INFO(dump(errors2));
    REQUIRE(errors2.size() == 1);
    CHECK(errors2[0].file == focus2);
    CHECK_THAT(errors2[0].message, Catch::Contains("params.treaties_fr: lists 6 titles for the 7 treaties"));
    CHECK_FALSE(runtime2->campaign("focus2007"));
}
