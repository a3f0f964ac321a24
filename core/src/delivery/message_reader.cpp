// Messages read back part by part with GMime 3's parser (no hand decoding).
#include "delivery/message_reader.hpp"

#include <stdexcept>

#include "delivery/gmime_support.hpp"

namespace outreach {
namespace {

using gmime::GCharPtr;
using gmime::GObjectPtr;

// GMime keeps the folding whitespace of a header (a tab between a name and its
// address): each run of tabs and line breaks reads as one space.
std::string one_line(const char* value) {
    std::string out;
    for (const char* c = value; c && *c; ++c) {
        const bool folding = *c == '\t' || *c == '\r' || *c == '\n';
        if (!folding) out += *c;
        else if (out.empty() || out.back() != ' ') out += ' ';
    }
    return out;
}

void read_headers(GMimeObject* object, std::vector<std::pair<std::string, std::string>>& out) {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        out.emplace_back(g_mime_header_get_name(header), one_line(g_mime_header_get_value(header)));  // decoded (RFC 2047)
    }
}

// The content with its transfer encoding (base64, quoted-printable) undone.
std::size_t decoded_size(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);  // owned by the part
    if (!content) return 0;
    GObjectPtr<GMimeStream> sink(g_mime_stream_null_new());
    const gint64 written = g_mime_data_wrapper_write_to_stream(content, sink.get());
    return written > 0 ? static_cast<std::size_t>(written) : 0;
}

void collect_part(GMimeObject* /*parent*/, GMimeObject* object, gpointer user_data) {
    auto& parts = *static_cast<std::vector<MessagePart>*>(user_data);
    if (GMIME_IS_MULTIPART(object)) return;  // its children are visited on their own
    MessagePart part;
    if (GMimeContentType* type = g_mime_object_get_content_type(object)) {
        GCharPtr mime_type(g_mime_content_type_get_mime_type(type));
        if (mime_type) part.content_type = mime_type.get();
    }
    if (GMIME_IS_PART(object)) {
        GMimePart* leaf = GMIME_PART(object);
        if (const char* name = g_mime_part_get_filename(leaf)) part.filename = name;
        part.size = decoded_size(leaf);
        const bool attachment = g_mime_part_is_attachment(leaf);
        if (GMIME_IS_TEXT_PART(object) && part.content_type == "text/plain" && !attachment) {
            // Converted from the part's charset to UTF-8 by GMime.
            GCharPtr text(g_mime_text_part_get_text(GMIME_TEXT_PART(object)));
            part.is_text = true;
            if (text) part.text = text.get();
        }
    }
    parts.push_back(std::move(part));
}

}  // namespace

MessageContents read_message_contents(const std::string& text) {
    gmime::ensure_initialized();
    GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
    GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) throw std::runtime_error("not a parsable RFC 5322 message");

    MessageContents contents;
    read_headers(GMIME_OBJECT(message.get()), contents.headers);
    // GMime files the top part's Content-* headers under that part, not the message.
    GMimeObject* body = g_mime_message_get_mime_part(message.get());
    if (body) read_headers(body, contents.headers);
    g_mime_message_foreach(message.get(), collect_part, &contents.parts);  // the top part, then any children
    return contents;
}

}  // namespace outreach
