#include "config/email_address.hpp"

#include <algorithm>

namespace outreach {

namespace {

// RFC 5322 atext.
bool is_atext(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ') return "a space";
    if (c == '\t') return "a tab";
    if (c == '\r' || c == '\n') return "a line break";
    if (u < 0x20 || u == 0x7F) return "a control character";
    if (u >= 0x80) return "a non-ASCII character";
    return std::string("'") + c + "'";
}

}  // namespace

std::string email_address_problem(std::string_view address) {
    if (address.empty()) return "the address is empty";
    if (address.size() > 254) return "longer than 254 characters";
    for (const char c : address) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F) return describe(c) + " is not allowed in an address";
        if (c == '"') return "quoted local parts are not supported";
        if (c == '[' || c == ']') return "address literals ([...]) are not supported";
        if (c == '<' || c == '>' || c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '\\')
            return describe(c) + " is not allowed in an address (give exactly one address, without a name)";
    }
    const auto at = address.find('@');
    if (at == std::string_view::npos) return "no '@'";
    if (address.find('@', at + 1) != std::string_view::npos) return "more than one '@'";
    const std::string_view local = address.substr(0, at);
    const std::string_view domain = address.substr(at + 1);
    if (local.empty()) return "nothing before the '@'";
    if (domain.empty()) return "nothing after the '@'";
    if (local.size() > 64) return "the part before the '@' is longer than 64 characters";

    // dot-atom: atext runs separated by single dots.
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return "the part before the '@' may not start or end with '.' or contain '..'";
    for (const char c : local)
        if (c != '.' && !is_atext(c)) return describe(c) + " is not allowed before the '@'";

    // A host name: LDH labels of 1-63 characters, at least two of them.
    if (domain.find('.') == std::string_view::npos)
        return "the domain '" + std::string(domain) + "' has no dot (use a fully qualified domain)";
    std::size_t start = 0;
    while (start <= domain.size()) {
        const auto end = std::min(domain.find('.', start), domain.size());
        const std::string_view label = domain.substr(start, end - start);
        if (label.empty()) return "the domain '" + std::string(domain) + "' has an empty label";
        if (label.size() > 63) return "a label of the domain is longer than 63 characters";
        if (label.front() == '-' || label.back() == '-')
            return "a label of the domain '" + std::string(domain) + "' starts or ends with '-'";
        for (const char c : label) {
            const bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ldh) return describe(c) + " is not allowed in the domain";
        }
        start = end + 1;
    }
    return "";
}

}  // namespace outreach
