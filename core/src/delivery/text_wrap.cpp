#include "delivery/text_wrap.hpp"

#include <string_view>

namespace outreach {
namespace {

std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// One pass over the words, keeping the current line's width as a count (not
// re-measuring the line for every word).
std::string wrap_line(const std::string& line, std::size_t width) {
    if (code_points(line) <= width) return line;
    std::size_t lead = line.find_first_not_of(' ');
    if (lead == std::string::npos) return line;
    const std::string indent = line.substr(0, lead);
    const bool list_item = line.compare(lead, 2, "- ") == 0;
    const std::string hanging = indent + (list_item ? "  " : "");

    std::string out = indent;
    out.reserve(line.size() + line.size() / width * (hanging.size() + 1) + 8);
    std::size_t current = indent.size();
    bool first_word = true;
    std::size_t at = lead;
    while (at < line.size()) {
        const std::size_t start = line.find_first_not_of(" \t", at);
        if (start == std::string::npos) break;
        std::size_t end = line.find_first_of(" \t", start);
        if (end == std::string::npos) end = line.size();
        const std::string_view word(line.data() + start, end - start);
        std::size_t word_width = 0;
        for (unsigned char c : word) word_width += (c & 0xC0) != 0x80;
        if (!first_word && current + 1 + word_width > width) {
            out += '\n';
            out += hanging;
            current = hanging.size();
            first_word = true;
        }
        if (!first_word) {
            out += ' ';
            ++current;
        }
        out += word;
        current += word_width;
        first_word = false;
        at = end;
    }
    return out;
}

}  // namespace

std::string wrap_text(const std::string& text, std::size_t width) {
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find('\n', start);
        const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        out += wrap_line(line, width);
        if (end == std::string::npos) break;
        out += "\n";
        start = end + 1;
    }
    return out;
}

}  // namespace outreach
