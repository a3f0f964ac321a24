#include "delivery/text_wrap.hpp"

#include <sstream>

namespace outreach {
namespace {

std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string wrap_line(const std::string& line, std::size_t width) {
    if (code_points(line) <= width) return line;
    std::size_t lead = line.find_first_not_of(' ');
    if (lead == std::string::npos) return line;
    const std::string indent = line.substr(0, lead);
    const bool list_item = line.compare(lead, 2, "- ") == 0;
    const std::string hanging = indent + (list_item ? "  " : "");

    std::istringstream words(line.substr(lead));
    std::string out = indent, current_line = indent, word;
    bool first_word = true;
    while (words >> word) {
        const std::size_t needed = code_points(current_line) + (first_word ? 0 : 1) + code_points(word);
        if (!first_word && needed > width) {
            out += "\n" + hanging;
            current_line = hanging;
            first_word = true;
        }
        if (!first_word) {
            out += " ";
            current_line += " ";
        }
        out += word;
        current_line += word;
        first_word = false;
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
