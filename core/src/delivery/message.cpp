// RFC 5322 messages built and parsed with GMime 3.
#include "delivery/message.hpp"

#include "delivery/gmime_support.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace outreach {

namespace {

using gmime::GCharPtr;
using gmime::GObjectPtr;
void ensure_gmime_initialized() { gmime::ensure_initialized(); }

struct GDateTimeUnref {
    void operator()(GDateTime* date) const {
        if (date) g_date_time_unref(date);
    }
};

struct FormatOptionsFree {
    void operator()(GMimeFormatOptions* options) const { g_mime_format_options_free(options); }
};

std::string sha256_hex(const std::string& text) {
    GCharPtr digest(g_compute_checksum_for_string(G_CHECKSUM_SHA256, text.c_str(), static_cast<gssize>(text.size())));
    return digest.get();
}

// Header values come from rosters and templates; a line break in one would start a
// new header (header injection), so it is folded into a space.
std::string single_line(std::string_view value) {
    std::string out(value);
    std::replace_if(out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    return out;
}

bool is_domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// The part after the last '@', lower-cased; a domain that cannot appear in a
// msg-id (empty, non-ASCII, odd characters) gives a reserved placeholder.
std::string domain_of(const std::string& email) {
    const auto at = email.rfind('@');
    std::string domain = at == std::string::npos ? std::string() : email.substr(at + 1);
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    const bool usable = !domain.empty() && domain.front() != '.' && domain.back() != '.' &&
                        std::all_of(domain.begin(), domain.end(), is_domain_char);
    return usable ? domain : "outreach.invalid";
}

// 7bit is only safe for ASCII text whose lines stay short (RFC 5322 recommends
// 78 octets); anything else is quoted-printable, which also keeps lines <= 76.
bool needs_quoted_printable(std::string_view body) {
    constexpr std::size_t max_plain_line = 78;
    std::size_t line_length = 0;
    for (const char c : body) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            line_length = 0;
            continue;
        }
        if (byte >= 0x80 || (byte < 0x20 && c != '\t') || byte == 0x7f) return true;
        if (++line_length > max_plain_line) return true;
    }
    return false;
}

std::string normalized_body(std::string_view body) {
    std::string out;
    out.reserve(body.size() + 1);
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') continue;  // CRLF -> LF
        out += body[i];
    }
    if (out.empty() || out.back() != '\n') out += '\n';
    return out;
}

// Display names are encoded as UTF-8 words (GMime would otherwise pick the narrowest
// charset, e.g. ISO-8859-1), so every header of a letter uses one charset.
void add_mailbox(InternetAddressList* list, const std::string& name, const std::string& email) {
    GObjectPtr<InternetAddress> mailbox(internet_address_mailbox_new(single_line(name).c_str(), single_line(email).c_str()));
    internet_address_set_charset(mailbox.get(), "utf-8");
    internet_address_list_add(list, mailbox.get());  // the list takes its own reference
}

void read_mailbox(InternetAddressList* list, std::string& name, std::string& email) {
    if (!list || internet_address_list_length(list) == 0) return;
    InternetAddress* address = internet_address_list_get_address(list, 0);
    if (const char* display = internet_address_get_name(address)) name = display;
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
        if (const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address))) email = addr;
    }
}

void add_headers(GMimeHeaderList* headers, std::multimap<std::string, std::string>& out) {
    for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        const char* value = g_mime_header_get_value(header);
        out.emplace(g_mime_header_get_name(header), value ? value : "");
    }
}

// The boundary of a multipart message, derived from the letter's key: a retried
// letter is the same bytes (GMime would otherwise draw a random one). Base64 and
// quoted-printable never produce "=-", so no encoded part can contain it.
std::string boundary_for(const Letter& letter) {
    return "=-outreach-" + sha256_hex("boundary\n" + letter.idempotency_key).substr(0, 32);
}

// Filenames are RFC 2231-encoded as UTF-8 (not the narrowest charset GMime picks).
void set_utf8_filename(GMimePart* part, const std::string& filename) {
    g_mime_part_set_filename(part, single_line(filename).c_str());
    if (GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(GMIME_OBJECT(part)))
        if (GMimeParam* param = g_mime_param_list_get_parameter(g_mime_content_disposition_get_parameters(disposition), "filename"))
            g_mime_param_set_charset(param, "utf-8");
    if (GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part)))
        if (GMimeParam* param = g_mime_param_list_get_parameter(g_mime_content_type_get_parameters(type), "name"))
            g_mime_param_set_charset(param, "utf-8");
}

GObjectPtr<GMimePart> attachment_part(const Attachment& attachment) {
    GObjectPtr<GMimeContentType> type(g_mime_content_type_parse(nullptr, attachment.content_type.c_str()));
    GObjectPtr<GMimePart> part(g_mime_part_new());
    if (type) g_mime_object_set_content_type(GMIME_OBJECT(part.get()), type.get());
    static const std::string empty;
    const std::string& bytes = attachment.content ? *attachment.content : empty;
    GObjectPtr<GMimeStream> content(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
    GObjectPtr<GMimeDataWrapper> wrapper(g_mime_data_wrapper_new_with_stream(content.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(part.get(), wrapper.get());
    g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
    set_utf8_filename(part.get(), attachment.filename);
    return part;
}

}  // namespace

std::string message_id_for(const std::string& idempotency_key, const std::string& sender_email) {
    return "<" + sha256_hex(idempotency_key).substr(0, 32) + "@" + domain_of(sender_email) + ">";
}

std::string build_message(const Letter& letter) {
    ensure_gmime_initialized();

    GObjectPtr<GMimeMessage> message(g_mime_message_new(TRUE));  // TRUE: adds MIME-Version: 1.0
    add_mailbox(g_mime_message_get_from(message.get()), letter.from_name, letter.from_email);
    add_mailbox(g_mime_message_get_to(message.get()), letter.to_name, letter.to_email);
    g_mime_message_set_subject(message.get(), single_line(letter.subject).c_str(), "utf-8");

    std::unique_ptr<GDateTime, GDateTimeUnref> date(
        g_date_time_new_from_unix_utc(static_cast<gint64>(letter.scheduled.time_since_epoch().count())));
    if (!date) throw std::invalid_argument("letter " + letter.idempotency_key + ": scheduled instant out of range");
    g_mime_message_set_date(message.get(), date.get());

    const std::string message_id = message_id_for(letter.idempotency_key, letter.from_email);
    auto* object = GMIME_OBJECT(message.get());
    // Set as a header (not g_mime_message_set_message_id) to keep the RFC's spelling "Message-ID".
    g_mime_object_set_header(object, "Message-ID", message_id.c_str(), nullptr);
    g_mime_object_set_header(object, "X-Outreach-Key", single_line(letter.idempotency_key).c_str(), "utf-8");
    g_mime_object_set_header(object, "X-Outreach-Campaign", single_line(letter.campaign).c_str(), "utf-8");
    // RFC 3282: the language of the letter's text (a language tag, checked when the
    // roster and campaign are read).
    if (!letter.language.empty())
        g_mime_object_set_header(object, "Content-Language", single_line(letter.language).c_str(), nullptr);

    const std::string body = normalized_body(letter.body);
    GObjectPtr<GMimeTextPart> part(g_mime_text_part_new_with_subtype("plain"));
    // Not g_mime_text_part_set_text: it would convert the text to the narrowest charset
    // (ISO-8859-1 for "Côte"); letters stay UTF-8 byte for byte.
    GObjectPtr<GMimeStream> content(g_mime_stream_mem_new_with_buffer(body.data(), body.size()));
    GObjectPtr<GMimeDataWrapper> wrapper(
        g_mime_data_wrapper_new_with_stream(content.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(GMIME_PART(part.get()), wrapper.get());
    g_mime_text_part_set_charset(part.get(), "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(part.get()), needs_quoted_printable(body)
                                                                 ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
                                                                 : GMIME_CONTENT_ENCODING_7BIT);
    if (letter.attachments.empty()) {
        g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(part.get()));
    } else {
        // The letter's text first, then its enclosures, in order.
        GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
        g_mime_multipart_set_boundary(mixed.get(), boundary_for(letter).c_str());
        g_mime_multipart_add(mixed.get(), GMIME_OBJECT(part.get()));
        for (const auto& attachment : letter.attachments)
            g_mime_multipart_add(mixed.get(), GMIME_OBJECT(attachment_part(attachment).get()));
        g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(mixed.get()));
    }

    std::unique_ptr<GMimeFormatOptions, FormatOptionsFree> options(g_mime_format_options_clone(nullptr));
    g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_UNIX);
    g_mime_format_options_set_param_encoding_method(options.get(), GMIME_PARAM_ENCODING_METHOD_RFC2231);
    GCharPtr text(g_mime_object_to_string(object, options.get()));
    if (!text) throw std::runtime_error("letter " + letter.idempotency_key + ": GMime could not serialize the message");
    return text.get();
}

ParsedMessage parse_message(const std::string& text) {
    ensure_gmime_initialized();

    GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
    GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) throw std::runtime_error("not a parsable RFC 5322 message");

    ParsedMessage parsed;
    read_mailbox(g_mime_message_get_from(message.get()), parsed.from_name, parsed.from_email);
    read_mailbox(g_mime_message_get_to(message.get()), parsed.to_name, parsed.to_email);
    if (const char* subject = g_mime_message_get_subject(message.get())) parsed.subject = subject;
    if (GDateTime* date = g_mime_message_get_date(message.get()))  // owned by the message
        parsed.date = Instant(std::chrono::seconds(g_date_time_to_unix(date)));
    if (const char* id = g_mime_message_get_message_id(message.get())) parsed.message_id = "<" + std::string(id) + ">";

    GMimeObject* body = g_mime_message_get_body(message.get());
    // GMime files the Content-* headers under the body part, not the message.
    add_headers(g_mime_object_get_header_list(GMIME_OBJECT(message.get())), parsed.headers);
    if (body) add_headers(g_mime_object_get_header_list(body), parsed.headers);

    if (body && GMIME_IS_TEXT_PART(body) && !GMIME_IS_MULTIPART(g_mime_message_get_mime_part(message.get()))) {
        GCharPtr decoded(g_mime_text_part_get_text(GMIME_TEXT_PART(body)));
        if (decoded) parsed.body = decoded.get();
    } else if (GMimeObject* top = g_mime_message_get_mime_part(message.get()); top && GMIME_IS_MULTIPART(top)) {
        GMimeMultipart* mixed = GMIME_MULTIPART(top);
        bool text_seen = false;
        for (int i = 0; i < g_mime_multipart_get_count(mixed); ++i) {
            GMimeObject* child = g_mime_multipart_get_part(mixed, i);
            if (!GMIME_IS_PART(child)) continue;
            if (!text_seen && GMIME_IS_TEXT_PART(child) && !g_mime_part_get_filename(GMIME_PART(child))) {
                GCharPtr decoded(g_mime_text_part_get_text(GMIME_TEXT_PART(child)));
                if (decoded) parsed.body = decoded.get();
                text_seen = true;
                continue;
            }
            ParsedMessage::Part part;
            if (const char* name = g_mime_part_get_filename(GMIME_PART(child))) part.filename = name;
            GCharPtr type(g_mime_content_type_get_mime_type(g_mime_object_get_content_type(child)));
            if (type) part.content_type = type.get();
            if (GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(child))) {
                GObjectPtr<GMimeStream> decoded(g_mime_stream_mem_new());
                g_mime_data_wrapper_write_to_stream(content, decoded.get());
                GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded.get()));
                part.content.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
            }
            parsed.attachments.push_back(std::move(part));
        }
    }
    return parsed;
}

}  // namespace outreach
