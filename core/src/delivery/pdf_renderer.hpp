#pragma once
// A letter's PDF rendition: A4, the letterhead centred at the top, the date, the
// body, the signature, and the address block at the foot of the last page; as
// many pages as the text needs. Text is shaped by pango (any script: Arabic and
// other right-to-left text, Vietnamese diacritics) with the Noto fonts and drawn
// by cairo's PDF surface.
//
// The rendition carries the same text as the e-mail body, paragraph for
// paragraph, in the same order: the template's first paragraph is the
// letterhead, its second the date, its last the address block and the one
// before it the signature (the shape of every shipped letter template).
//
// Deterministic: the same letter gives the same bytes (the PDF's creation date is
// the letter's date, not the clock), so a retried letter is byte-identical.
#include <string>

#include "outreach/calendar.hpp"
#include "outreach/version.hpp"

namespace outreach {

struct PdfLetter {
    // The letter's plain text (UTF-8) as the template rendered it, before the
    // e-mail's 72-column wrapping: paragraphs separated by blank lines, a line
    // break inside a paragraph kept (list items, the address block).
    std::string text;
    std::string language;  // "en", "fr", ...: the PDF's /Lang-like metadata and pango's language
    std::string title;     // the PDF's title (the subject)
    Instant dated;         // creation and modification dates of the PDF
};

// Throws std::runtime_error when cairo cannot produce the document.
OUTREACH_EXPORT std::string render_letter_pdf(const PdfLetter& letter);

}  // namespace outreach
