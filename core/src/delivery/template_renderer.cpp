// Letter templates: "Subject: ..." line, blank line, mustache body; values are
// inserted as plain text.
#include "delivery/template_renderer.hpp"

#include <kainjow/mustache.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "config/input_limits.hpp"
#include "config/param_validation.hpp"

namespace outreach {

namespace {

namespace fs = std::filesystem;
using Mustache = kainjow::mustache::mustache;

constexpr std::string_view subject_prefix = "Subject:";
constexpr int body_first_line = 3;  // line 1: Subject, line 2: blank

// A tag that needs a value, where it is in the file.
struct TemplateTag {
    enum class Kind { Variable, Section, Inverted };
    Kind kind = Kind::Variable;
    std::string name;
    int line = 0;
    int column = 0;
};

// A template file split and compiled once; reused while the file is unchanged.
// What says a template file changed: one stat() (a letter is rendered per State,
// and on ext4 each stat of the path costs about 16 µs).
struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    timespec changed{};
    bool operator==(const FileIdentity& other) const {
        return device == other.device && inode == other.inode && size == other.size &&
               modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec &&
               changed.tv_sec == other.changed.tv_sec && changed.tv_nsec == other.changed.tv_nsec;
    }
};

struct ParsedTemplate {
    FileIdentity identity;
    std::unique_ptr<Mustache> subject;
    std::unique_ptr<Mustache> body;
    std::vector<TemplateTag> tags;  // subject's and body's, in file order
};

// One template is rendered for every State of a roster (195+ times in a row), so
// parsed templates are kept per path. The cache is process-wide and checks the
// file's time and size, so an operator's edit is picked up by a running daemon.
// Rendering happens under the lock too: kainjow's render() is not const.
struct TemplateCache {
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<ParsedTemplate>> by_path;
};

TemplateCache& template_cache() {
    static TemplateCache cache;
    return cache;
}

[[noreturn]] void fail(const fs::path& file, int line, int column, const std::string& field, std::string message) {
    throw InputError({Diagnostic{file, line, column, field, std::move(message)}});
}

std::string read_template_file(const fs::path& path, const std::string& field) {
    Diagnostics problems;
    std::optional<std::string> raw = read_bounded_file(path, InputLimits::kTemplateBytes, "template", problems);
    if (!raw) {
        for (auto& problem : problems) problem.field = field;
        throw InputError(std::move(problems));
    }
    // Letters are sent as charset=utf-8: bytes in another encoding would arrive as garbage.
    if (!check_utf8(*raw, path, "template", problems, field)) throw InputError(std::move(problems));

    // Editors on other systems add CRLF line ends and a byte-order mark; neither belongs in a letter.
    std::string text = std::move(*raw);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    std::string normalized;
    normalized.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        normalized += text[i];
    }
    return normalized;
}

// kainjow reports errors as "<what> at <offset>"; turn the offset into line:column.
void fail_syntax(const fs::path& file, const std::string& field, const std::string& source, int first_line,
                 int first_column, const std::string& error) {
    static const std::regex at_offset(R"(^(.*) at ([0-9]+)$)");
    std::smatch match;
    if (!std::regex_match(error, match, at_offset)) fail(file, first_line, 0, field, "mustache syntax error: " + error);
    const std::size_t offset = std::min<std::size_t>(std::stoul(match[2].str()), source.size());
    int line = first_line;
    int column = first_column;
    for (std::size_t i = 0; i < offset; ++i) {
        if (source[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) {  // count characters, not UTF-8 bytes
            ++column;
        }
    }
    fail(file, line, column, field, "mustache syntax error: " + match[1].str());
}

// file line:column of byte `offset` of `source`, which starts at first_line:first_column.
std::pair<int, int> position_in(const std::string& source, std::size_t offset, int first_line, int first_column) {
    const auto [line, column] = line_column_at(source, offset);
    return {first_line + line - 1, line == 1 ? first_column + column - 1 : column};
}

std::string trim_space(const std::string& text) {
    std::size_t begin = 0, end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    return text.substr(begin, end - begin);
}

// The tags of a template, found the way kainjow's parser finds them (same
// delimiter rules, triple braces, set-delimiter tags), before kainjow sees the
// text: kainjow copies each section's text into the section, so nesting costs
// memory quadratic in the depth, and its walk recurses once per level. Also
// refuses partials, which Outreach never provides (they would render empty).
// Stops quietly at a syntax error: compile() reports it with kainjow's words.
std::vector<TemplateTag> scan_tags(const fs::path& file, const std::string& field, const std::string& source,
                                   int first_line, int first_column) {
    std::vector<TemplateTag> tags;
    std::string begin = "{{", end = "}}";
    std::size_t depth = 0;
    std::size_t pos = 0;
    const std::size_t n = source.size();
    while (pos < n) {
        if (source.compare(pos, begin.size(), begin) != 0) {
            ++pos;
            continue;
        }
        const std::size_t tag_start = pos;
        std::size_t contents = pos + begin.size();
        const bool braces = begin == "{{" && end == "}}";
        const bool unescaped = braces && contents < n && source[contents] == '{';
        const std::string& closing = unescaped ? std::string("}}}") : end;
        if (unescaped) ++contents;
        const std::size_t tag_end = source.find(closing, contents);
        if (tag_end == std::string::npos) break;
        const std::string text = trim_space(source.substr(contents, tag_end - contents));
        pos = tag_end + closing.size();
        const auto [line, column] = position_in(source, tag_start, first_line, first_column);

        if (!unescaped && !text.empty() && text.front() == '=') {
            // {{=<% %>=}}: the same checks as kainjow's parse_set_delimiter_tag.
            if (text.size() < 5 || text.back() != '=') break;
            const std::string inner = trim_space(text.substr(1, text.size() - 2));
            const auto space = inner.find(' ');
            if (space == std::string::npos) break;
            const auto next = inner.find_first_not_of(' ', space + 1);
            if (next == std::string::npos) break;
            const std::string new_begin = inner.substr(0, space), new_end = inner.substr(next);
            const auto valid = [](const std::string& d) {
                return std::none_of(d.begin(), d.end(),
                                    [](char c) { return c == '=' || std::isspace(static_cast<unsigned char>(c)); });
            };
            if (!valid(new_begin) || !valid(new_end)) break;
            begin = new_begin;
            end = new_end;
            continue;
        }
        TemplateTag tag;
        tag.line = line;
        tag.column = column;
        char sigil = unescaped || text.empty() ? '\0' : text.front();
        switch (sigil) {
            case '#': tag.kind = TemplateTag::Kind::Section; break;
            case '^': tag.kind = TemplateTag::Kind::Inverted; break;
            case '/':
                if (depth == 0) return tags;  // kainjow: "Unopened section"
                --depth;
                continue;
            case '!': continue;  // comment
            case '>':
                fail(file, line, column, field,
                     "partials ({{>" + trim_space(text.substr(1)) + "}}) are not supported: templates are self-contained");
            case '&': break;
            default: sigil = '\0'; break;
        }
        tag.name = sigil == '\0' ? text : trim_space(text.substr(1));
        if (tag.name.empty()) fail(file, line, column, field, "an empty tag names no value");
        if (tag.kind != TemplateTag::Kind::Variable && ++depth > InputLimits::kTemplateSectionDepth)
            fail(file, line, column, field,
                 "sections nested more than " + std::to_string(InputLimits::kTemplateSectionDepth) +
                     " deep (the limit on nesting)");
        tags.push_back(std::move(tag));
    }
    return tags;
}

// `source` starts at first_line:first_column of the file, for error positions.
std::unique_ptr<Mustache> compile(const fs::path& file, const std::string& field, const std::string& source,
                                  int first_line, int first_column) {
    auto compiled = std::make_unique<Mustache>(source);
    if (!compiled->is_valid()) fail_syntax(file, field, source, first_line, first_column, compiled->error_message());
    // Letters are plain text: "Côte d'Ivoire" and "Bosnia & Herzegovina" must not become HTML entities.
    compiled->set_custom_escape([](const std::string& text) { return text; });
    return compiled;
}

std::shared_ptr<ParsedTemplate> parse_template(const fs::path& path, const std::string& field) {
    const std::string text = read_template_file(path, field);

    const auto first_end = text.find('\n');
    const std::string first_line = text.substr(0, first_end);
    if (first_line.rfind(subject_prefix, 0) != 0)
        fail(path, 1, 1, field, "the first line must be \"Subject: ...\" followed by a blank line");
    const auto subject_start = first_line.find_first_not_of(" \t", subject_prefix.size());
    if (subject_start == std::string::npos)
        fail(path, 1, static_cast<int>(subject_prefix.size()) + 1, field, "the Subject line is empty");

    if (first_end == std::string::npos)
        fail(path, 2, 1, field, "expected a blank line after the Subject line, found the end of the file");
    const auto second_end = text.find('\n', first_end + 1);
    const std::string second_line = text.substr(first_end + 1, second_end == std::string::npos
                                                                   ? std::string::npos
                                                                   : second_end - first_end - 1);
    if (second_line.find_first_not_of(" \t") != std::string::npos)
        fail(path, 2, 1, field, "expected a blank line after the Subject line");

    auto parsed = std::make_shared<ParsedTemplate>();
    const std::string subject = first_line.substr(subject_start);
    const std::string body = second_end == std::string::npos ? std::string() : text.substr(second_end + 1);
    parsed->tags = scan_tags(path, field, subject, 1, static_cast<int>(subject_start) + 1);
    auto body_tags = scan_tags(path, field, body, body_first_line, 1);
    parsed->tags.insert(parsed->tags.end(), std::make_move_iterator(body_tags.begin()),
                        std::make_move_iterator(body_tags.end()));
    parsed->subject = compile(path, field, subject, 1, static_cast<int>(subject_start) + 1);
    parsed->body = compile(path, field, body, body_first_line, 1);
    return parsed;
}

// The cached parse of `path`, reparsed when the file changed since.
std::shared_ptr<ParsedTemplate> load(const fs::path& path, const std::string& field) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        fail(path, 0, 0, field, "cannot read template: " + std::string(std::strerror(errno)));
    const FileIdentity identity{status.st_dev, status.st_ino, status.st_size, status.st_mtim, status.st_ctim};

    auto& cache = template_cache();
    const std::string key = path.lexically_normal().string();
    if (auto found = cache.by_path.find(key); found != cache.by_path.end() && found->second->identity == identity)
        return found->second;

    auto parsed = parse_template(path, field);
    parsed->identity = identity;
    cache.by_path[key] = parsed;
    return parsed;
}

// Plural forms: every value named "..._count" also gives the flags
// "..._count_one" (exactly 1) and "..._count_zero" (0), so templates write
// "{{n_count}} signature{{^n_count_one}}s{{/n_count_one}}" (English, Spanish) or
// test both (French: 0 and 1 are singular).
constexpr std::string_view kCountSuffix = "_count";
constexpr std::array<std::string_view, 2> kCountFormSuffixes{"_one", "_zero"};

// The "..._count" value a count-form flag stands for; empty when `name` is none.
std::string counted_value_of(const std::string& name) {
    for (const auto suffix : kCountFormSuffixes) {
        const std::string full = std::string(kCountSuffix) + std::string(suffix);
        if (name.size() > full.size() && name.compare(name.size() - full.size(), full.size(), full) == 0)
            return name.substr(0, name.size() - suffix.size());
    }
    return "";
}

void add_count_forms(const std::string& name, const std::string& value, kainjow::mustache::data& data) {
    if (name.size() <= kCountSuffix.size() ||
        name.compare(name.size() - kCountSuffix.size(), kCountSuffix.size(), kCountSuffix) != 0)
        return;
    if (value.empty() || value.size() > 18 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return;
    const long long n = std::stoll(value);
    data.set(name + "_one", kainjow::mustache::data(n == 1));
    data.set(name + "_zero", kainjow::mustache::data(n == 0));
}

// Plugins set "has_..." flags only when they are true (mustache cannot test a
// list for emptiness): an absent flag is false, not a missing value.
bool is_optional_flag(const TemplateTag& tag) {
    return tag.kind != TemplateTag::Kind::Variable && tag.name.rfind("has_", 0) == 0;
}

// Why `tag` cannot be filled from values with these names; empty when it can.
std::string missing_value(const TemplateTag& tag, const std::set<std::string>& scalars,
                          const std::set<std::string>& lists) {
    if (tag.name == ".") return "";  // the current item of a list section
    if (tag.kind == TemplateTag::Kind::Variable) {
        if (scalars.count(tag.name)) return "";
        if (lists.count(tag.name))
            return "{{" + tag.name + "}} names a list: write {{#" + tag.name + "}}{{.}}{{/" + tag.name + "}}";
    } else if (scalars.count(tag.name) || lists.count(tag.name) || is_optional_flag(tag)) {
        return "";
    } else if (const std::string counted = counted_value_of(tag.name); !counted.empty() && scalars.count(counted)) {
        return "";
    }
    std::vector<std::string> known(scalars.begin(), scalars.end());
    known.insert(known.end(), lists.begin(), lists.end());
    const std::string hint = closest_match(tag.name, known);
    const std::string written = tag.kind == TemplateTag::Kind::Variable ? "{{" + tag.name + "}}"
                                : tag.kind == TemplateTag::Kind::Section ? "{{#" + tag.name + "}}"
                                                                          : "{{^" + tag.name + "}}";
    return written + ": no value named '" + tag.name + "' for this letter" +
           (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
}

std::vector<Diagnostic> missing_values(const ParsedTemplate& parsed, const fs::path& file, const std::string& field,
                                       const std::set<std::string>& scalars, const std::set<std::string>& lists) {
    std::vector<Diagnostic> problems;
    for (const auto& tag : parsed.tags)
        if (std::string why = missing_value(tag, scalars, lists); !why.empty())
            problems.push_back(Diagnostic{file, tag.line, tag.column, field, std::move(why)});
    return problems;
}

kainjow::mustache::data to_mustache(const TemplateData& values) {
    kainjow::mustache::data data;
    for (const auto& [name, value] : values.scalars) {
        // An empty value is false in a section ({{#x}}...{{/x}}), as an absent one
        // is: optional text around a value nobody gave is left out ("the {{x}}"
        // would otherwise read "the  during"). {{x}} itself renders nothing either way.
        data.set(name, value.empty() ? kainjow::mustache::data(false) : kainjow::mustache::data(value));
        add_count_forms(name, value, data);
    }
    for (const auto& [name, items] : values.lists) {
        kainjow::mustache::list list;
        list.reserve(items.size());
        for (const auto& item : items) list.emplace_back(item);
        data.set(name, kainjow::mustache::data(list));
    }
    return data;
}

std::string render_checked(Mustache& compiled, const kainjow::mustache::data& data, const fs::path& file,
                           const std::string& field) {
    std::string out = compiled.render(data);
    if (!compiled.is_valid()) fail(file, 0, 0, field, "cannot render template: " + compiled.error_message());
    return out;
}

// A subject is one header line: whatever line breaks the values brought in become spaces.
std::string one_line(const std::string& text) {
    std::string out;
    bool pending_space = false;
    for (const char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

}  // namespace

fs::path TemplateRenderer::find(const std::string& type, const std::string& name) const {
    const std::string key = type + '/' + name;
    std::lock_guard lock(found_mutex_);
    if (const auto it = found_.find(key); it != found_.end()) return it->second;
    fs::path found;
    for (const auto& dir : dirs_) {
        const fs::path candidate = dir / type / (name + ".mustache");
        std::error_code error;
        if (fs::is_regular_file(candidate, error)) {
            found = candidate;
            break;
        }
    }
    found_.emplace(key, found);
    return found;
}

namespace {

[[noreturn]] void fail_missing(const std::vector<fs::path>& dirs, const std::string& type, const std::string& name) {
    const fs::path relative = fs::path(type) / (name + ".mustache");
    std::string searched;
    for (const auto& dir : dirs) searched += (searched.empty() ? "" : ", ") + (dir / relative).string();
    const fs::path file = dirs.empty() ? relative : dirs.front() / relative;
    fail(file, 0, 0, name,
         "template \"" + type + "/" + name + "\" not found; searched: " + (searched.empty() ? "(no directories)" : searched));
}

}  // namespace

std::string TemplateRenderer::name_for_language(const std::string& type, const std::string& name,
                                                const std::string& language) const {
    const std::string variant = name + "." + language;
    return find(type, variant).empty() ? name : variant;
}

RenderedTemplate TemplateRenderer::render(const std::string& type, const std::string& name,
                                          const TemplateData& data) const {
    // A letter in French is rendered from invitation.fr.mustache where it exists.
    const fs::path path = find(type, name_for_language(type, name, data.language));
    if (path.empty()) fail_missing(dirs_, type, name);

    const auto values = to_mustache(data);
    auto& cache = template_cache();
    std::lock_guard lock(cache.mutex);
    const auto parsed = load(path, name);
    // A misspelt name must never become a blank in a letter to a Head of State.
    std::set<std::string> scalars, lists;
    for (const auto& [key, value] : data.scalars) scalars.insert(key);
    for (const auto& [key, value] : data.lists) lists.insert(key);
    if (auto problems = missing_values(*parsed, path, name, scalars, lists); !problems.empty())
        throw InputError(std::move(problems));
    return RenderedTemplate{one_line(render_checked(*parsed->subject, values, path, name)),
                            render_checked(*parsed->body, values, path, name)};
}

void TemplateRenderer::check(const std::string& type, const std::string& name, Diagnostics& out) const {
    try {
        const fs::path path = find(type, name);
        if (path.empty()) fail_missing(dirs_, type, name);
        std::lock_guard lock(template_cache().mutex);
        load(path, name);
    } catch (const InputError& error) {
        out.insert(out.end(), error.diagnostics().begin(), error.diagnostics().end());
    }
}

void TemplateRenderer::check_values(const std::string& type, const std::string& name,
                                    const std::set<std::string>& scalars, const std::set<std::string>& lists,
                                    Diagnostics& out) const {
    try {
        const fs::path path = find(type, name);
        if (path.empty()) fail_missing(dirs_, type, name);
        std::lock_guard lock(template_cache().mutex);
        const auto parsed = load(path, name);
        for (auto& problem : missing_values(*parsed, path, name, scalars, lists)) {
            // At validate time a has_... flag must at least name something that exists:
            // has_signing_slots goes with signing_slots.
            out.push_back(std::move(problem));
        }
        for (const auto& tag : parsed->tags) {
            if (!is_optional_flag(tag) || scalars.count(tag.name) || lists.count(tag.name)) continue;
            const std::string guarded = tag.name.substr(4);
            const auto names_it = [&](const std::set<std::string>& names) {
                return std::any_of(names.begin(), names.end(),
                                   [&](const std::string& n) { return !guarded.empty() && n.rfind(guarded, 0) == 0; });
            };
            if (names_it(scalars) || names_it(lists)) continue;
            out.push_back(Diagnostic{path, tag.line, tag.column, name,
                                     "{{" + std::string(tag.kind == TemplateTag::Kind::Section ? "#" : "^") + tag.name +
                                         "}}: no flag named '" + tag.name + "' and no value named '" + guarded +
                                         "...' that it could stand for"});
        }
    } catch (const InputError& error) {
        out.insert(out.end(), error.diagnostics().begin(), error.diagnostics().end());
    }
}

}  // namespace outreach
