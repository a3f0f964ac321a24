// The letter's PDF rendition: its text is the letter's, it is the same bytes
// every time, it runs over pages with the address block at the foot, and it
// shapes any script (Arabic right to left, Vietnamese diacritics).
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "delivery/pdf_renderer.hpp"
#include "hardening_support.hpp"

using namespace outreach;
using namespace outreach::hardening;

namespace {

// What a poppler tool prints for `pdf` (written to `dir`); nullopt when the tool is missing.
std::optional<std::string> poppler(const std::string& tool, const std::string& args, const std::string& pdf,
                                   const ScratchDir& dir) {
    const std::string path = "/usr/bin/" + tool;
    if (::access(path.c_str(), X_OK) != 0) return std::nullopt;
    write_bytes(dir / "letter.pdf", pdf);
    // pdftotext writes to the file named after the PDF: "-" is standard output.
    const std::string command =
        path + " " + args + " " + (dir / "letter.pdf").string() + (tool == "pdftotext" ? " -" : "") + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
    REQUIRE(::pclose(pipe) == 0);
    return out;
}

std::string without_space(const std::string& text) {
    std::string out;
    for (const char c : text)
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f') out += c;
    return out;
}

const std::string kLetter =
    "THE SECRETARY-GENERAL\n\n9 May 2007\n\nExcellency,\n\n"
    "I wish to extend this invitation to you to make use of this occasion by signing and ratifying or acceding "
    "to those treaties deposited with me to which your country is not party already.\n\n"
    "- Convention on the Rights of Persons with Disabilities\n- Rome Statute of the International Criminal Court\n\n"
    "Please accept, Excellency, the assurances of my highest consideration.\n\n\nBan Ki-moon\n\n\n"
    "Excellency\nMinister for Foreign Affairs of Senegal\nDakar\n";

PdfLetter letter(std::string text) {
    return PdfLetter{std::move(text), "en", "Focus 2007: invitation", Instant{std::chrono::seconds{1178715600}}};
}

}  // namespace

TEST_CASE("A letter's PDF holds the letter's text, and the same letter gives the same bytes", "[pdf]") {
    const std::string pdf = render_letter_pdf(letter(kLetter));
    REQUIRE(pdf.rfind("%PDF-", 0) == 0);
    CHECK(render_letter_pdf(letter(kLetter)) == pdf);  // deterministic: retries are byte-identical
    PdfLetter later = letter(kLetter);
    later.dated += std::chrono::hours(24);
    CHECK(render_letter_pdf(later) != pdf);
    ScratchDir dir;
    const auto text = poppler("pdftotext", "-enc UTF-8", pdf, dir);
    if (!text) {
        WARN("pdftotext missing (poppler-utils): text comparison skipped");
        return;
    }
    CHECK(without_space(*text) == without_space(kLetter));
    const auto info = poppler("pdfinfo", "", pdf, dir);
    REQUIRE(info);
    CHECK_THAT(*info, Catch::Contains("CreationDate:    Wed May  9 13:00:00 2007 UTC"));  // the letter's date
    CHECK_THAT(*info, Catch::Contains("ModDate:         Wed May  9 13:00:00 2007 UTC"));   // not the clock
    CHECK_THAT(*info, Catch::Contains("595.276 x 841.89 pts (A4)"));
    CHECK(std::stoi(info->substr(info->find("Pages:") + 6)) == 1);
}

TEST_CASE("A long letter runs over pages, the address block at the foot of the last", "[pdf]") {
    std::string text = "THE SECRETARY-GENERAL\n\n9 May 2007\n\nExcellency,\n\n";
    for (int i = 1; i <= 40; ++i)
        text += "Paragraph " + std::to_string(i) +
                ": the treaty event will be held at United Nations Headquarters in New York, to coincide with the "
                "General Debate of the General Assembly.\n\n";
    text += "Ban Ki-moon\n\nExcellency\nMinister for Foreign Affairs of Mali\nBamako\n";
    const std::string pdf = render_letter_pdf(letter(text));
    ScratchDir dir;
    const auto info = poppler("pdfinfo", "", pdf, dir);
    if (!info) {
        WARN("pdfinfo missing (poppler-utils): skipped");
        return;
    }
    const auto pages_at = info->find("Pages:");
    REQUIRE(pages_at != std::string::npos);
    const int pages = std::stoi(info->substr(pages_at + 6));
    CHECK(pages >= 2);
    const auto all = poppler("pdftotext", "-enc UTF-8", pdf, dir);
    CHECK(without_space(*all) == without_space(text));
    const auto last = poppler("pdftotext", "-enc UTF-8 -f " + std::to_string(pages) + " -l " + std::to_string(pages), pdf, dir);
    CHECK_THAT(*last, Catch::Contains("Minister for Foreign Affairs of Mali"));
    // At the foot: the block's lines are the last text of the last page.
    CHECK(without_space(*last).ends_with("MinisterforForeignAffairsofMaliBamako"));
}

TEST_CASE("Arabic and Vietnamese names are shaped and rendered (PNG written for a look)", "[pdf]") {
    const std::string text =
        "THE SECRETARY-GENERAL\n\n9 May 2007\n\nExcellency,\n\n"
        "I have the honour to write to the Minister of the Arab Republic of Egypt, "
        "جمهورية مصر "
        "العربية, and to the Minister of Viet Nam, "
        "Cộng hòa Xã hội chủ nghĩa Việt Nam.\n\n"
        "Ban Ki-moon\n\n"
        "Excellency\nسامح شكري\n"
        "Phạm Gia Khiêm\nHanoi\n";
    const std::string pdf = render_letter_pdf(letter(text));
    ScratchDir dir;
    const auto fonts = poppler("pdffonts", "", pdf, dir);
    if (!fonts) {
        WARN("pdffonts missing (poppler-utils): skipped");
        return;
    }
    // Arabic letters come from the Noto face the renderer names for them.
    CHECK_THAT(*fonts, Catch::Contains("NotoNaskhArabic"));
    const auto extracted = poppler("pdftotext", "-enc UTF-8", pdf, dir);
    // Vietnamese stacks two diacritics on a letter: the text comes back whole.
    CHECK_THAT(without_space(*extracted), Catch::Contains("PhạmGiaKhiêm"));
    CHECK_THAT(without_space(*extracted), Catch::Contains("CộnghòaXãhộichủnghĩaViệtNam"));
    // The page as an image (pdftoppm renders it); OUTREACH_KEEP_PDF_DIR=<dir> keeps
    // it (<dir>/scripts-1.png) for a human look at the shaping.
    const char* keep = std::getenv("OUTREACH_KEEP_PDF_DIR");
    const fs::path out = keep ? fs::path(keep) : dir.path();
    write_bytes(out / "scripts.pdf", pdf);
    if (::access("/usr/bin/pdftoppm", X_OK) == 0) {
        const std::string command = "/usr/bin/pdftoppm -png -r 80 " + (out / "scripts.pdf").string() + " " +
                                    (out / "scripts").string();
        CHECK(std::system(command.c_str()) == 0);
        CHECK(fs::exists(out / "scripts-1.png"));
    }
}
