#include "config/input_limits.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <regex>
#include <vector>

namespace outreach {
namespace fs = std::filesystem;

namespace {

std::string size_text(std::uintmax_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// ---- a TOML scanner that knows just enough of the grammar -----------------------
//
// It follows keys, table headers, strings (all four kinds), comments, arrays and
// inline tables, and skips every other value as one token. On anything it does
// not understand it stops quietly: that text is not valid TOML, and toml++ will
// report it at or before that point, before it reaches anything deeper.
class TomlScanner {
public:
    struct Problem {
        std::size_t offset;
        std::string message;
    };
    struct Entry {  // a top-level `key = value`
        std::string key;
        std::size_t value_begin = 0;
        std::size_t value_end = 0;
    };

    explicit TomlScanner(std::string_view text, std::size_t stop_after = std::string_view::npos)
        : t_(text), stop_after_(stop_after) {}

    void scan() {
        while (!problem_) {
            skip_space_newlines_comments();
            if (p_ >= t_.size() || p_ > stop_after_) return;
            if (t_[p_] == '[') {
                if (!scan_header()) return;
                continue;
            }
            if (!scan_key_value()) return;
        }
    }

    const std::optional<Problem>& problem() const { return problem_; }
    const std::vector<Entry>& entries() const { return entries_; }

private:
    bool more() const { return p_ < t_.size(); }
    char peek(std::size_t ahead = 0) const { return p_ + ahead < t_.size() ? t_[p_ + ahead] : '\0'; }
    bool starts(std::string_view s) const { return t_.substr(p_, s.size()) == s; }

    void fail(std::size_t offset, std::string message) {
        if (!problem_) problem_ = Problem{offset, std::move(message)};
    }

    void skip_blank() {
        while (more() && (t_[p_] == ' ' || t_[p_] == '\t')) ++p_;
    }
    void skip_comment() {
        if (peek() != '#') return;
        while (more() && t_[p_] != '\n') ++p_;
    }
    void skip_space_newlines_comments() {
        for (;;) {
            skip_blank();
            if (peek() == '#') {
                skip_comment();
                continue;
            }
            if (peek() == '\n' || peek() == '\r') {
                ++p_;
                continue;
            }
            return;
        }
    }

    // At '"': a basic or multi-line basic string. False when unterminated.
    bool scan_basic_string() {
        if (starts("\"\"\"")) {
            p_ += 3;
            while (more()) {
                if (t_[p_] == '\\') {
                    p_ += 2;
                    continue;
                }
                if (starts("\"\"\"")) {
                    p_ += 3;
                    for (int extra = 0; extra < 2 && peek() == '"'; ++extra) ++p_;  // """a""""" ends in quotes
                    return true;
                }
                ++p_;
            }
            return false;
        }
        ++p_;
        while (more() && t_[p_] != '\n') {
            if (t_[p_] == '\\') {
                p_ += 2;
                continue;
            }
            if (t_[p_++] == '"') return true;
        }
        return false;
    }

    // At '\'': a literal or multi-line literal string.
    bool scan_literal_string() {
        if (starts("'''")) {
            p_ += 3;
            while (more()) {
                if (starts("'''")) {
                    p_ += 3;
                    for (int extra = 0; extra < 2 && peek() == '\''; ++extra) ++p_;
                    return true;
                }
                ++p_;
            }
            return false;
        }
        ++p_;
        while (more() && t_[p_] != '\n') {
            if (t_[p_++] == '\'') return true;
        }
        return false;
    }

    static bool is_bare_key_char(char c) {
        return std::string_view(" \t\r\n.=[]{},#\"'").find(c) == std::string_view::npos;
    }

    // A (dotted) key; nullopt on a problem or on text that is not a key.
    std::optional<std::vector<std::string>> scan_key() {
        std::vector<std::string> parts;
        const std::size_t key_start = p_;
        for (;;) {
            skip_blank();
            const std::size_t start = p_;
            if (peek() == '"') {
                if (!scan_basic_string()) return std::nullopt;
                parts.emplace_back(t_.substr(start, p_ - start));
            } else if (peek() == '\'') {
                if (!scan_literal_string()) return std::nullopt;
                parts.emplace_back(t_.substr(start, p_ - start));
            } else {
                while (more() && is_bare_key_char(t_[p_])) ++p_;
                if (p_ == start) return std::nullopt;
                parts.emplace_back(t_.substr(start, p_ - start));
            }
            if (parts.size() > InputLimits::kTomlKeyParts) {
                fail(key_start, "a key with more than " + std::to_string(InputLimits::kTomlKeyParts) +
                                    " dotted parts (the limit on keys and table headers)");
                return std::nullopt;
            }
            skip_blank();
            if (peek() != '.') return parts;
            ++p_;
        }
    }

    bool check_depth(std::size_t depth, std::size_t at) {
        if (depth <= InputLimits::kTomlDepth) return true;
        fail(at, "tables, arrays and inline tables nested more than " + std::to_string(InputLimits::kTomlDepth) +
                     " deep (the limit on nesting)");
        return false;
    }

    // A value placed in a container `depth` levels deep.
    bool scan_value(std::size_t depth) {
        skip_blank();
        const char c = peek();
        if (c == '"') return scan_basic_string();
        if (c == '\'') return scan_literal_string();
        if (c == '[') {
            if (!check_depth(depth + 1, p_)) return false;
            ++p_;
            for (;;) {
                skip_space_newlines_comments();
                if (!more()) return false;
                if (peek() == ']') {
                    ++p_;
                    return true;
                }
                if (!scan_value(depth + 1)) return false;
                skip_space_newlines_comments();
                if (peek() == ',') {
                    ++p_;
                    continue;
                }
                if (peek() == ']') {
                    ++p_;
                    return true;
                }
                return false;
            }
        }
        if (c == '{') {
            if (!check_depth(depth + 1, p_)) return false;
            ++p_;
            for (;;) {
                skip_space_newlines_comments();
                if (!more()) return false;
                if (peek() == '}') {
                    ++p_;
                    return true;
                }
                const std::size_t key_at = p_;
                const auto key = scan_key();
                if (!key) return false;
                // `a.b.c = v` inside the table makes a and a.b tables one level deeper each.
                const std::size_t value_depth = depth + key->size();
                if (!check_depth(value_depth, key_at)) return false;
                skip_blank();
                if (peek() != '=') return false;
                ++p_;
                if (!scan_value(value_depth)) return false;
                skip_space_newlines_comments();
                if (peek() == ',') {
                    ++p_;
                    continue;
                }
                if (peek() == '}') {
                    ++p_;
                    return true;
                }
                return false;
            }
        }
        // Numbers, booleans, dates, times (which may contain one space): one token.
        const std::size_t start = p_;
        while (more() && std::string_view(",]}#\r\n").find(t_[p_]) == std::string_view::npos) ++p_;
        return p_ > start;
    }

    bool scan_header() {
        const bool array_of_tables = peek(1) == '[';
        p_ += array_of_tables ? 2 : 1;
        const auto key = scan_key();
        if (!key) return false;
        if (!check_depth(key->size(), p_)) return false;
        skip_blank();
        if (peek() != ']') return false;
        ++p_;
        if (array_of_tables) {
            if (peek() != ']') return false;
            ++p_;
        }
        // Arrays of tables are named by their 1-based index, as roster diagnostics
        // name them: [[state]] [[state.addressee]] -> "state[1].addressee[1]".
        std::string path;
        header_.clear();
        for (std::size_t i = 0; i < key->size(); ++i) {
            path += (i ? "." : "") + (*key)[i];
            std::string shown = (*key)[i];
            if (array_of_tables && i + 1 == key->size()) {
                const int index = ++table_arrays_[path];
                for (auto it = table_arrays_.lower_bound(path + "."); it != table_arrays_.end() &&
                                                                        it->first.rfind(path + ".", 0) == 0;)
                    it = table_arrays_.erase(it);
                shown += "[" + std::to_string(index) + "]";
            } else if (const auto found = table_arrays_.find(path); found != table_arrays_.end()) {
                shown += "[" + std::to_string(found->second) + "]";
            }
            header_.push_back(shown);
        }
        return true;
    }

    bool scan_key_value() {
        const std::size_t key_at = p_;
        const auto key = scan_key();
        if (!key) return false;
        const std::size_t depth = header_.size() + key->size() - 1;  // the table the value lands in
        if (!check_depth(depth, key_at)) return false;
        skip_blank();
        if (peek() != '=') return false;
        ++p_;
        skip_blank();
        Entry entry;
        for (const auto& part : header_) entry.key += (entry.key.empty() ? "" : ".") + part;
        for (const auto& part : *key) entry.key += (entry.key.empty() ? "" : ".") + part;
        entry.value_begin = p_;
        entries_.push_back(entry);
        const bool ok = scan_value(depth);
        entries_.back().value_end = p_;
        if (!ok) return false;
        skip_blank();
        skip_comment();
        return !more() || peek() == '\n' || peek() == '\r';
    }

    std::string_view t_;
    std::size_t stop_after_;
    std::size_t p_ = 0;
    std::vector<std::string> header_;                 // parts as shown, "state[2]"
    std::map<std::string, int> table_arrays_;          // [[path]] -> instances so far
    std::optional<Problem> problem_;
    std::vector<Entry> entries_;
};

std::size_t offset_of_line(std::string_view text, int line) {
    std::size_t offset = 0;
    for (int l = 1; l < line && offset < text.size(); ++l) {
        const auto end = text.find('\n', offset);
        if (end == std::string_view::npos) return text.size();
        offset = end + 1;
    }
    return offset;
}

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};

std::string iso_date(int year, int month, int day) {
    std::array<char, 16> text{};
    std::snprintf(text.data(), text.size(), "%04d-%02d-%02d", year, month, day);
    return text.data();
}

std::string spoken_date(int year, int month, int day) {
    return std::to_string(day) + " " + kMonths[month - 1] + " " + std::to_string(year);
}

// What the operator probably meant by a value toml++ could not parse.
std::string hint_for(const std::string& raw) {
    static const std::regex day_month_year(R"(^([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})$)");
    static const std::regex year_month_day(R"(^([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})$)");
    std::smatch m;
    if (std::regex_match(raw, m, day_month_year)) {
        const int a = std::stoi(m[1].str()), b = std::stoi(m[2].str()), year = std::stoi(m[3].str());
        std::vector<std::string> readings;
        if (a >= 1 && a <= 12 && b >= 1 && b <= 31) readings.push_back(iso_date(year, a, b) + " (" + spoken_date(year, a, b) + ")");
        if (b >= 1 && b <= 12 && a >= 1 && a <= 31 && a != b)
            readings.push_back(iso_date(year, b, a) + " (" + spoken_date(year, b, a) + ")");
        if (readings.empty()) return "; write dates as YYYY-MM-DD, without quotes";
        return "; write dates as YYYY-MM-DD, without quotes: " + readings.front() +
               (readings.size() > 1 ? " or " + readings.back() : std::string());
    }
    if (std::regex_match(raw, m, year_month_day)) {
        const int year = std::stoi(m[1].str()), month = std::stoi(m[2].str()), day = std::stoi(m[3].str());
        if (month >= 1 && month <= 12) return "; write dates as YYYY-MM-DD, without quotes: " + iso_date(year, month, day);
    }
    if (!raw.empty() && ((raw[0] >= 'A' && raw[0] <= 'Z') || (raw[0] >= 'a' && raw[0] <= 'z')))
        return "; text must be in double quotes: \"" + raw + "\"";
    return "";
}

}  // namespace

std::optional<std::string> read_bounded_file(const fs::path& file, std::uintmax_t limit, std::string_view what,
                                             Diagnostics& out) {
    const auto refuse = [&](std::string message) {
        out.push_back(Diagnostic{file, 0, 0, "", std::move(message)});
        return std::nullopt;
    };
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ENOENT) return refuse(std::string(what) + " not found");
        return refuse("cannot open " + std::string(what) + ": " + std::strerror(error));
    }
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) return refuse("cannot inspect " + std::string(what) + ": " + std::strerror(errno));
    if (!S_ISREG(status.st_mode)) return refuse(std::string(what) + " is not a regular file");
    const auto too_big = [&](std::uintmax_t size) {
        return refuse(std::string(what) + " is " + std::to_string(size) + " bytes, more than the limit of " +
                      size_text(limit) + " (docs/security.md)");
    };
    if (static_cast<std::uintmax_t>(status.st_size) > limit) return too_big(static_cast<std::uintmax_t>(status.st_size));

    std::string bytes;
    bytes.reserve(static_cast<std::size_t>(status.st_size));
    std::array<char, 65536> buffer{};
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) continue;
            return refuse("cannot read " + std::string(what) + ": " + std::strerror(errno));
        }
        if (got == 0) break;
        bytes.append(buffer.data(), static_cast<std::size_t>(got));
        if (bytes.size() > limit) return too_big(bytes.size());  // it grew while being read
    }
    return bytes;
}

bool check_toml_shape(std::string_view text, const fs::path& file, Diagnostics& out) {
    TomlScanner scanner(text);
    scanner.scan();
    if (!scanner.problem()) return true;
    const auto [line, column] = line_column_at(text, scanner.problem()->offset);
    out.push_back(Diagnostic{file, line, column, "", scanner.problem()->message + "; not parsed"});
    return false;
}

std::optional<TomlValueAt> toml_value_at(std::string_view text, int line, int column) {
    if (line <= 0) return std::nullopt;
    const std::size_t line_begin = offset_of_line(text, line);
    std::size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string_view::npos) line_end = text.size();
    TomlScanner scanner(text, line_end);
    scanner.scan();
    for (auto it = scanner.entries().rbegin(); it != scanner.entries().rend(); ++it) {
        if (it->value_begin > line_end) continue;
        // The value starts on or before this line and had not ended before it.
        if (it->value_end < line_begin) return std::nullopt;
        TomlValueAt at;
        at.key = it->key;
        std::tie(at.line, at.column) = line_column_at(text, it->value_begin);
        // A position before the value (the key itself, e.g. a redefined key) is not the value's fault.
        if (at.line == line && column < at.column) return std::nullopt;
        std::size_t raw_end = text.find_first_of("\n#", it->value_begin);
        if (raw_end == std::string_view::npos) raw_end = text.size();
        at.raw = std::string(text.substr(it->value_begin, raw_end - it->value_begin));
        while (!at.raw.empty() && (at.raw.back() == ' ' || at.raw.back() == '\t' || at.raw.back() == '\r'))
            at.raw.pop_back();
        return at;
    }
    return std::nullopt;
}

std::optional<toml::table> parse_toml_file(const fs::path& file, std::uintmax_t limit, std::string_view what,
                                           Diagnostics& out) {
    const std::optional<std::string> text = read_bounded_file(file, limit, what, out);
    if (!text) return std::nullopt;
    if (!check_toml_shape(*text, file, out)) return std::nullopt;
    try {
        return toml::parse(*text, file.string());
    } catch (const toml::parse_error& error) {
        const int line = static_cast<int>(error.source().begin.line);
        const int column = static_cast<int>(error.source().begin.column);
        const std::string description(error.description());
        if (const auto value = toml_value_at(*text, line, column); value && !value->key.empty()) {
            // toml++'s position, the key's name, and for the usual mistakes what to write instead.
            const std::string hint = hint_for(value->raw);
            out.push_back(Diagnostic{file, line, column, value->key,
                                     hint.empty() ? description : "not a valid TOML value '" + value->raw + "'" + hint});
        } else {
            out.push_back(Diagnostic{file, line, column, "", description});
        }
        return std::nullopt;
    }
}

std::int32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
        ++i;
        return c;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
        code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        code = c & 0x07;
    } else {
        ++i;
        return -1;
    }
    if (i + length > text.size()) {
        ++i;
        return -1;
    }
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) {
            ++i;
            return -1;
        }
        code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
        (code >= 0xD800 && code <= 0xDFFF)) {
        ++i;
        return -1;
    }
    i += length;
    return static_cast<std::int32_t>(code);
}

bool is_valid_utf8(std::string_view text, std::size_t* bad_offset) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        if (next_code_point(text, i) < 0) {
            if (bad_offset) *bad_offset = start;
            return false;
        }
    }
    return true;
}

bool check_utf8(std::string_view text, const fs::path& file, std::string_view what, Diagnostics& out,
                const std::string& field) {
    std::size_t bad = 0;
    if (is_valid_utf8(text, &bad)) return true;
    const auto [line, column] = line_column_at(text, bad);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    out.push_back(Diagnostic{file, line, column, field,
                             std::string("not valid UTF-8 (byte ") + byte + "): save the " + std::string(what) +
                                 " as UTF-8"});
    return false;
}

std::pair<int, int> line_column_at(std::string_view text, std::size_t offset) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

}  // namespace outreach
