// The 2007 season (issue 11, "Checked by"): letters to France, Mali and Senegal in
// French, to Spain and Argentina in Spanish, to the others in English, with the
// dates, ordinals and diplomatic forms of each language; every message parsed by
// Python's email package under policy.strict; every letter's PDF rendition
// extracted with poppler's pdftotext and compared with the e-mail body; the
// invitations and reminders enclosing the list of highlighted treaties.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <map>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/scheduler.hpp"
#include "season_runner.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using namespace outreach::test;

namespace {

const std::string kZone = "America/New_York";
const char* const kPython = "/usr/bin/python3";

// Line breaks of the wrapped body do not matter for what a sentence says.
std::string one_line(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
        if (!space) out += c;
        else if (!out.empty() && out.back() != ' ') out += ' ';
    }
    return out;
}
// A PDF's text and the e-mail body compared "modulo whitespace": the PDF breaks
// lines (and pages) where the page needs, the e-mail at 72 columns.
std::string without_space(const std::string& text) {
    std::string out = one_line(text);
    std::erase(out, ' ');
    return out;
}

// One JSON object per message of `dir` (tests/support/strict_mail.py).
std::vector<nlohmann::json> parse_strictly(const std::filesystem::path& dir) {
    const std::string command = std::string(kPython) + " " + OUTREACH_SOURCE_DIR +
                                "/tests/support/strict_mail.py " + dir.string() + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    std::array<char, 65536> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    INFO(output.substr(0, 2000));
    REQUIRE(status == 0);
    std::vector<nlohmann::json> out;
    std::size_t start = 0;
    while (start < output.size()) {
        const std::size_t end = output.find('\n', start);
        out.push_back(nlohmann::json::parse(output.substr(start, end - start)));
        start = end == std::string::npos ? output.size() : end + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("The 2007 season in French, Spanish and English, every message strictly parsed, each PDF's text the body's",
          "[season][focus2007][language]") {
    if (::access(kPython, X_OK) != 0) {
        WARN("skipped: " << kPython << " is needed for the strict parse");
        return;
    }
    ScratchDir dir;
    Diagnostics diagnostics;
    auto runtime = load_runtime(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml", diagnostics);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    std::erase_if(runtime->campaigns, [](const Campaign& c) { return c.id() != "focus2007"; });
    REQUIRE(runtime->campaigns.size() == 1);

    Journal journal(dir / "journal.sqlite");
    MaildirChannel outbox(dir / "outbox");
    VirtualClock clock(start_of_day(make_date(2007, 1, 1), kZone));
    Scheduler scheduler(*runtime, journal, clock, outbox);
    const auto at = [](int month, int day) { return to_instant(make_date(2007, month, day), {11, 0}, kZone); };
    run_season(scheduler, journal, clock, "focus2007",
               {{"SEN", "intends_to_sign", "Convention on the Rights of Persons with Disabilities", at(6, 4)},
                {"ARG", "intends_to_accede",
                 "International Convention for the Protection of All Persons from Enforced Disappearance", at(6, 5)},
                {"USA", "intends_to_ratify", "United Nations Convention against Corruption", at(6, 6)}},
               start_of_day(make_date(2008, 1, 1), kZone));

    const auto messages = parse_strictly(dir / "outbox/new");
    // Six letters per State, less the three deadline reminders of each of the three
    // States that answered before them, plus their acknowledgements, plus 2 tasks.
    REQUIRE(messages.size() == 194 * 6 - 3 * 3 + 3 + 2);  // 194: South Sudan was not yet a Member
    std::map<std::string, std::map<std::string, std::string>> invitation_body;  // state -> {language, body}
    std::map<std::string, std::size_t> per_language;
    std::map<std::string, std::string> acknowledgement;  // state -> body
    for (const auto& m : messages) {
        INFO(m.dump().substr(0, 600));
        CHECK(m["defects"].empty());
        const std::string key = m["key"];
        const std::string language = m["content_language"];
        const std::string body = one_line(m["body"].get<std::string>());
        CHECK(body.find("{{") == std::string::npos);
        if (key.find("/staff") != std::string::npos) {
            CHECK(language == "en");  // staff tasks are English
            continue;
        }
        // The letter's PDF: one, first after the text, with the same text.
        REQUIRE(m["pdf_texts"].size() == 1);
        CHECK(m["parts"][0]["content_type"] == "text/plain");
        CHECK(m["parts"][1]["content_type"] == "application/pdf");
        CHECK(without_space(m["pdf_texts"][0].get<std::string>()) == without_space(m["body"].get<std::string>()));
        const bool encloses_list = key.rfind("focus2007/invitation/", 0) == 0 ||
                                   key.rfind("focus2007/deadline_reminder_", 0) == 0;
        CHECK(m["parts"].size() == (encloses_list ? 3u : 2u));
        if (encloses_list && m["parts"].size() == 3) {
            const std::string list = m["parts"][2]["filename"];
            CHECK(list == (language == "fr"   ? "traités-mis-en-avant-2007.txt"
                           : language == "es" ? "tratados-destacados-2007.txt"
                                              : "highlighted-treaties-2007.txt"));
        }
        ++per_language[language];
        // "focus2007/invitation/<occurrence>/<STATE>/foreign_minister"
        const auto state_end = key.rfind('/');
        const std::string state = key.substr(key.rfind('/', state_end - 1) + 1, state_end - key.rfind('/', state_end - 1) - 1);
        if (key.rfind("focus2007/invitation/", 0) == 0) invitation_body[state] = {{"language", language}, {"body", body}};
        if (key.rfind("focus2007/acknowledgement_", 0) == 0) acknowledgement[state] = body;
        if (language == "fr") {
            CHECK(body.find("Excellence, ") != std::string::npos);
            CHECK(body.find("Je vous prie d'agréer, Excellence, les assurances de ma très haute considération.") !=
                  std::string::npos);
            CHECK(body.find("Excellency") == std::string::npos);
        } else if (language == "es") {
            CHECK(body.find("Excelencia: ") != std::string::npos);
            CHECK(body.find("Le ruego acepte, Excelencia, las seguridades de mi más alta consideración.") !=
                  std::string::npos);
        } else {
            CHECK(language == "en");
            CHECK(body.find("Please accept, Excellency, the assurances of my highest consideration.") != std::string::npos);
        }
    }
    // 24 francophone and 20 hispanophone States in the shipped roster, 6 letters each.
    CHECK(per_language["fr"] == 24 * 6 - 3 + 1);   // Senegal: no reminders, an acknowledgement
    CHECK(per_language["es"] == 20 * 6 - 3 + 1);   // Argentina
    CHECK(per_language["en"] == 150 * 6 - 3 + 1);  // the United States; 150: South Sudan was not yet a Member

    for (const char* state : {"FRA", "MLI", "SEN"}) {
        INFO(state);
        REQUIRE(invitation_body.count(state));
        CHECK(invitation_body[state]["language"] == "fr");
        const std::string& body = invitation_body[state]["body"];
        CHECK(body.find("LE SECRÉTAIRE GÉNÉRAL Le 9 mai 2007 Excellence,") != std::string::npos);
        CHECK(body.find("se tiendra du 25 au 27 septembre et du 1er au 2 octobre 2007 au Siège") != std::string::npos);
        CHECK(body.find("de la soixante-deuxième session de l'Assemblée générale") != std::string::npos);
        CHECK(body.find("d'ici au 1er septembre 2007") != std::string::npos);
        CHECK(body.find("Ban Ki-moon Ministre des affaires étrangères") != std::string::npos);
    }
    CHECK(invitation_body["SEN"]["body"].find("Ministre des affaires étrangères Sénégal Dakar") != std::string::npos);
    for (const char* state : {"ESP", "ARG"}) {
        INFO(state);
        REQUIRE(invitation_body.count(state));
        CHECK(invitation_body[state]["language"] == "es");
        const std::string& body = invitation_body[state]["body"];
        CHECK(body.find("EL SECRETARIO GENERAL 9 de mayo de 2007 Excelencia:") != std::string::npos);
        CHECK(body.find("se celebrará del 25 al 27 de septiembre y del 1 al 2 de octubre de 2007 en la Sede") !=
              std::string::npos);
        CHECK(body.find("del sexagésimo segundo período de sesiones de la Asamblea General") != std::string::npos);
        CHECK(body.find("a más tardar el 1 de septiembre de 2007") != std::string::npos);
        CHECK(body.find("Ban Ki-moon Ministro de Relaciones Exteriores") != std::string::npos);
    }
    CHECK(invitation_body["ESP"]["body"].find("Exteriores España Madrid") != std::string::npos);
    for (const char* state : {"USA", "GBR", "CHN", "CAN"}) {
        INFO(state);
        CHECK(invitation_body[state]["language"] == "en");
        CHECK(invitation_body[state]["body"].find("THE SECRETARY-GENERAL 9 May 2007 Excellency,") != std::string::npos);
        CHECK(invitation_body[state]["body"].find("by 1 September 2007") != std::string::npos);
    }
    // Acknowledgements in each State's language, with the plugin's wording of the intention.
    CHECK_THAT(acknowledgement["SEN"],
               Catch::Contains("l'intention de votre gouvernement de signer un traité dont je suis le dépositaire, "
                               "à savoir : Convention on the Rights of Persons with Disabilities,"));
    CHECK_THAT(acknowledgement["ARG"],
               Catch::Contains("la intención de su Gobierno de adherirse a un tratado del que soy depositario, a saber: "
                               "International Convention for the Protection of All Persons from Enforced "
                               "Disappearance, durante la ceremonia"));
    CHECK_THAT(acknowledgement["USA"], Catch::Contains("your Government's intention to ratify the United Nations "
                                                       "Convention against Corruption during the annual treaty event"));
}

namespace {

// English that must never show in a French or Spanish letter: the plugins' own
// wording (titles, spans of time, pillars, letterheads) and the English forms.
const std::vector<std::string> kEnglishLeftovers{
    "Excellency", "Please accept", "THE SECRETARY", "THE PRESIDENT", "Pillar ", " months", " days", " year",
    "Amended Protocol II", "Article 7 report", "national reports", "informal meeting", "one more State",
    "second", "third", "about a month", "just over", "All Permanent Representatives"};

struct TranslatedSeason {
    std::string campaign;
    Date from, to;
    std::vector<ScriptedResponse> script;
};

Instant nine_am(int y, int m, int d) { return to_instant(make_date(y, m, d), {9, 0}, kZone); }

}  // namespace

TEST_CASE("The other shipped campaigns write to French- and Spanish-speaking States in their language, no English left",
          "[season][language]") {
    Diagnostics diagnostics;
    RuntimeOptions options;
    options.include_disabled = true;  // reporting-obligations-2009 ships disabled
    auto runtime = load_runtime(std::filesystem::path(OUTREACH_SOURCE_DIR) / "config/outreach.toml", diagnostics, options);
    for (const auto& d : diagnostics) UNSCOPED_INFO(d.format());
    REQUIRE(diagnostics.empty());
    // Every letter template has its French and Spanish variants and every quoted
    // title its translations: the shipped configuration validates without a warning.
    for (const auto& w : runtime->warnings) UNSCOPED_INFO(w.format());
    CHECK(runtime->warnings.empty());

    // Responses from a French-, a Spanish- and an English-speaking State each, so
    // that every step writes in all three languages.
    const std::vector<TranslatedSeason> seasons{
        {"ap2-universality-2006", make_date(2006, 7, 1), make_date(2008, 1, 1),
         {{"BDI", "consented", "", nine_am(2006, 10, 2)},
          {"DOM", "consented", "", nine_am(2006, 11, 2)},
          {"UGA", "consented", "", nine_am(2006, 12, 4)}}},
        {"ct-strategy-2007", make_date(2007, 11, 1), make_date(2008, 10, 1),
         {{"FRA", "will_speak", "I", nine_am(2007, 11, 12)},
          {"ESP", "will_attend", "", nine_am(2007, 11, 13)},
          {"JPN", "will_attend", "", nine_am(2007, 11, 14)}}},
        {"reporting-obligations-2009", make_date(2009, 1, 1), make_date(2012, 1, 1),
         {{"MLI", "extension_requested", "jusqu'à la fin de 2010", nine_am(2010, 7, 1)},
          {"FRA", "report_submitted", "", nine_am(2011, 2, 15)},
          {"MEX", "report_submitted", "", nine_am(2011, 3, 15)},
          {"NOR", "report_submitted", "", nine_am(2011, 4, 15)}}},
    };
    for (const auto& season : seasons) {
        DYNAMIC_SECTION(season.campaign) {
            ScratchDir dir;
            auto& campaigns = runtime->campaigns;
            std::erase_if(campaigns, [&](const Campaign& c) { return c.id() != season.campaign; });
            REQUIRE(campaigns.size() == 1);
            campaigns.front().config.enabled = true;
            campaigns.front().config.pdf = false;  // the text is what is checked here; PDFs are above
            Journal journal(dir / "journal.sqlite");
            MaildirChannel outbox(dir / "outbox");
            VirtualClock clock(start_of_day(season.from, kZone));
            Scheduler scheduler(*runtime, journal, clock, outbox);
            run_season(scheduler, journal, clock, season.campaign, season.script, start_of_day(season.to, kZone));

            std::map<std::string, std::set<std::string>> steps_in;  // language -> steps written in it
            for (const auto& d : journal.deliveries(season.campaign)) {
                const Letter& letter = d.letter;
                if (letter.is_task) continue;
                const std::string body = one_line(letter.body);
                INFO(letter.idempotency_key << "\n" << body.substr(0, 1500));
                CHECK(body.find("{{") == std::string::npos);
                steps_in[letter.language].insert(letter.step);
                if (letter.language == "en") continue;
                const std::string text = letter.subject + " " + body;
                for (const auto& english : kEnglishLeftovers) {
                    INFO("English left: '" << english << "'");
                    CHECK(text.find(english) == std::string::npos);
                }
                if (letter.language == "fr") {
                    CHECK_THAT(body, Catch::Contains("Excellence, ") &&
                                         Catch::Contains("Je vous prie d'agréer, Excellence, les assurances de ma très "
                                                         "haute considération."));
                } else {
                    CHECK(letter.language == "es");
                    CHECK_THAT(body, Catch::Contains("Excelencia: ") &&
                                         Catch::Contains("Le ruego acepte, Excelencia, las seguridades de mi más alta "
                                                         "consideración."));
                }
            }
            // Every letter step that wrote in English wrote in French and Spanish too.
            CHECK(steps_in["fr"] == steps_in["en"]);
            CHECK(steps_in["es"] == steps_in["en"]);
        }
    }
}
