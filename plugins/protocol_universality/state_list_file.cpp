#include "state_list_file.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "outreach/text_file.hpp"

namespace outreach::protocol_universality {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

[[noreturn]] void fail(const std::filesystem::path& file, int line, std::size_t column, const std::string& message) {
    throw StateListError(file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
}

}  // namespace

StateList parse_state_list(std::istream& in, const std::filesystem::path& file) {
    StateList list;
    list.file = file;
    std::map<std::string, int> first_line;
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        if (const auto hash = text.find('#'); hash != std::string::npos) text.erase(hash);
        std::size_t begin = 0;
        while (begin < text.size() && is_blank(text[begin])) ++begin;
        std::size_t end = text.size();
        while (end > begin && is_blank(text[end - 1])) --end;
        if (begin == end) continue;

        const std::string token = text.substr(begin, end - begin);
        const std::size_t column = begin + 1;
        if (const auto gap = token.find_first_of(" \t"); gap != std::string::npos)
            fail(file, line, column + token.find_first_not_of(" \t", gap),
                 "one alpha-3 code per line, found more after '" + token.substr(0, gap) +
                     "' (put names in a # comment)");
        const bool letters_only = token.size() == 3 && std::all_of(token.begin(), token.end(), [](char c) {
                                      return std::isalpha(static_cast<unsigned char>(c)) != 0;
                                  });
        if (!letters_only)
            fail(file, line, column,
                 "'" + token + "' is not an ISO 3166-1 alpha-3 code (three letters, e.g. FRA)");
        std::string code = token;
        for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (const auto seen = first_line.find(code); seen != first_line.end())
            fail(file, line, column, code + " is listed twice (first on line " + std::to_string(seen->second) + ")");
        first_line.emplace(code, line);
        list.entries.push_back({code, line});
        list.codes.insert(code);
    }
    return list;
}

StateList read_state_list(const std::filesystem::path& file, const std::filesystem::path& base_dir) {
    try {
        const TextFile list = read_text_file(base_dir, file);
        std::istringstream in(list.text);
        return parse_state_list(in, list.path);
    } catch (const TextFileError& e) {
        throw StateListError(e.what());
    }
}

}  // namespace outreach::protocol_universality
