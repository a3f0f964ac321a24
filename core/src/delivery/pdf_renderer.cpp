// The letter as a PDF: pango lays the text out, cairo writes the PDF to memory.
#include "delivery/pdf_renderer.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace outreach {
namespace {

// A4 in points, and the margins of a letter (2.5 cm; 2 cm at the foot).
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.890;
constexpr double kMarginSide = 70.87;
constexpr double kMarginTop = 62.36;
constexpr double kMarginBottom = 56.69;
constexpr double kParagraphGap = 8.0;  // points between paragraphs
// Noto Serif for the letter, Noto Naskh Arabic for Arabic script (the face UN
// documents' Arabic resembles); for other scripts fontconfig falls back per
// character to a face that has them (fonts-noto-core covers the UN's languages).
constexpr const char* kBodyFont = "Noto Serif, Noto Naskh Arabic, Noto Sans 11";
constexpr const char* kLetterheadFont = "Noto Serif, Noto Naskh Arabic, Noto Sans Bold 12";

struct CairoSurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct GObjectDeleter {
    void operator()(gpointer o) const { g_object_unref(o); }
};
struct FontDescriptionDeleter {
    void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

// Paragraphs of the text: runs of lines between blank lines, each line kept (the
// address block's lines are lines, not one flowing paragraph).
std::vector<std::string> paragraphs_of(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) {
            if (!current.empty()) out.push_back(std::move(current));
            current.clear();
        } else {
            current += (current.empty() ? "" : "\n") + std::string(line);
        }
        if (end == text.size()) break;
        start = end + 1;
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
}

enum class Role { Letterhead, Date, Body, Signature, Address };

class PdfWriter {
public:
    PdfWriter(const PdfLetter& letter, std::string& out) : language_(letter.language) {
        surface_.reset(cairo_pdf_surface_create_for_stream(append_to_string, &out, kPageWidth, kPageHeight));
        const std::string date = format_instant_utc(letter.dated);
        cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
        cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
        cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, letter.title.c_str());
        cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "Outreach");
        cr_.reset(cairo_create(surface_.get()));
        y_ = kMarginTop;
    }

    void paragraph(const std::string& text, Role role) {
        auto layout = make_layout(text, role);
        if (role == Role::Address) {
            address(layout.get());
            return;
        }
        PangoLayoutIter* iter = pango_layout_get_iter(layout.get());
        do {
            PangoLayoutLine* line = pango_layout_iter_get_line_readonly(iter);
            PangoRectangle logical;
            pango_layout_iter_get_line_extents(iter, nullptr, &logical);
            const double height = pango_units_to_double(logical.height);
            if (y_ + height > kPageHeight - kMarginBottom) new_page();
            const double baseline = pango_units_to_double(pango_layout_iter_get_baseline(iter) - logical.y);
            cairo_move_to(cr_.get(), kMarginSide + pango_units_to_double(logical.x), y_ + baseline);
            pango_cairo_show_layout_line(cr_.get(), line);
            y_ += height;
        } while (pango_layout_iter_next_line(iter));
        pango_layout_iter_free(iter);
        y_ += kParagraphGap * (role == Role::Letterhead ? 3 : 1);
    }

    void finish() {
        cr_.reset();
        cairo_surface_finish(surface_.get());
        if (cairo_surface_status(surface_.get()) != CAIRO_STATUS_SUCCESS)
            throw std::runtime_error(std::string("cairo could not write the PDF: ") +
                                     cairo_status_to_string(cairo_surface_status(surface_.get())));
    }

private:
    std::unique_ptr<PangoLayout, GObjectDeleter> make_layout(const std::string& text, Role role) {
        std::unique_ptr<PangoLayout, GObjectDeleter> layout(pango_cairo_create_layout(cr_.get()));
        std::unique_ptr<PangoFontDescription, FontDescriptionDeleter> font(
            pango_font_description_from_string(role == Role::Letterhead ? kLetterheadFont : kBodyFont));
        pango_layout_set_font_description(layout.get(), font.get());
        pango_context_set_language(pango_layout_get_context(layout.get()),
                                   pango_language_from_string(language_.c_str()));
        pango_layout_context_changed(layout.get());
        pango_layout_set_width(layout.get(), pango_units_from_double(kPageWidth - 2 * kMarginSide));
        pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
        switch (role) {
            case Role::Letterhead: pango_layout_set_alignment(layout.get(), PANGO_ALIGN_CENTER); break;
            case Role::Date: pango_layout_set_alignment(layout.get(), PANGO_ALIGN_RIGHT); break;
            case Role::Body: pango_layout_set_justify(layout.get(), TRUE); break;
            case Role::Signature:
            case Role::Address:
                // Lines start at the left margin whatever their script (an Arabic
                // name in an English address block is still read right to left).
                pango_layout_set_auto_dir(layout.get(), FALSE);
                break;
        }
        pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
        return layout;
    }

    // At the foot of the page, on a new page when the current one has no room left.
    void address(PangoLayout* layout) {
        int width = 0, height = 0;
        pango_layout_get_size(layout, &width, &height);
        const double h = pango_units_to_double(height);
        if (y_ + h > kPageHeight - kMarginBottom) new_page();
        cairo_move_to(cr_.get(), kMarginSide, kPageHeight - kMarginBottom - h);
        pango_cairo_show_layout(cr_.get(), layout);
        y_ = kPageHeight - kMarginBottom;
    }

    void new_page() {
        cairo_show_page(cr_.get());
        y_ = kMarginTop;
    }

    std::string language_;
    std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter> surface_;
    std::unique_ptr<cairo_t, CairoDeleter> cr_;
    double y_ = 0;
};

}  // namespace

std::string render_letter_pdf(const PdfLetter& letter) {
    // fontconfig's first initialisation is not thread-safe everywhere; the
    // scheduler renders from one thread, previews and tests may not.
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::string out;
    PdfWriter writer(letter, out);
    const auto paragraphs = paragraphs_of(letter.text);
    for (std::size_t i = 0; i < paragraphs.size(); ++i) {
        Role role = Role::Body;
        if (paragraphs.size() >= 4) {
            if (i == 0) role = Role::Letterhead;
            else if (i == 1) role = Role::Date;
            else if (i + 1 == paragraphs.size()) role = Role::Address;
            else if (i + 2 == paragraphs.size()) role = Role::Signature;
        }
        writer.paragraph(paragraphs[i], role);
    }
    writer.finish();
    return out;
}

}  // namespace outreach
