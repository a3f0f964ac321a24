// Letter templates: "Subject: ..." line, blank line, mustache body; values are
// inserted as plain text.
#include "delivery/template_renderer.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <system_error>
#include <unordered_map>

namespace outreach {

namespace {

namespace fs = std::filesystem;
using Mustache = kainjow::mustache::mustache;

constexpr std::string_view subject_prefix = "Subject:";
constexpr int body_first_line = 3;  // line 1: Subject, line 2: blank

// A template file split and compiled once; reused while the file is unchanged.
struct ParsedTemplate {
    fs::file_time_type modified;
    std::uintmax_t size = 0;
    std::unique_ptr<Mustache> subject;
    std::unique_ptr<Mustache> body;
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
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, 0, 0, field, std::string("cannot open template: ") + std::strerror(errno));
    std::ostringstream raw;
    raw << in.rdbuf();
    if (in.bad()) fail(path, 0, 0, field, std::string("cannot read template: ") + std::strerror(errno));

    // Editors on other systems add CRLF line ends and a byte-order mark; neither belongs in a letter.
    std::string text = raw.str();
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
    parsed->subject = compile(path, field, first_line.substr(subject_start), 1, static_cast<int>(subject_start) + 1);
    parsed->body = compile(path, field, second_end == std::string::npos ? std::string() : text.substr(second_end + 1),
                           body_first_line, 1);
    return parsed;
}

// The cached parse of `path`, reparsed when the file changed since.
std::shared_ptr<ParsedTemplate> load(const fs::path& path, const std::string& field) {
    std::error_code error;
    const auto modified = fs::last_write_time(path, error);
    const auto size = error ? 0 : fs::file_size(path, error);
    if (error) fail(path, 0, 0, field, "cannot read template: " + error.message());

    auto& cache = template_cache();
    const std::string key = path.lexically_normal().string();
    if (auto found = cache.by_path.find(key);
        found != cache.by_path.end() && found->second->modified == modified && found->second->size == size)
        return found->second;

    auto parsed = parse_template(path, field);
    parsed->modified = modified;
    parsed->size = size;
    cache.by_path[key] = parsed;
    return parsed;
}

kainjow::mustache::data to_mustache(const TemplateData& values) {
    kainjow::mustache::data data;
    for (const auto& [name, value] : values.scalars) data.set(name, kainjow::mustache::data(value));
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
    for (const auto& dir : dirs_) {
        const fs::path candidate = dir / type / (name + ".mustache");
        std::error_code error;
        if (fs::is_regular_file(candidate, error)) return candidate;
    }
    return {};
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

RenderedTemplate TemplateRenderer::render(const std::string& type, const std::string& name,
                                          const TemplateData& data) const {
    const fs::path path = find(type, name);
    if (path.empty()) fail_missing(dirs_, type, name);

    const auto values = to_mustache(data);
    auto& cache = template_cache();
    std::lock_guard lock(cache.mutex);
    const auto parsed = load(path, name);
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

}  // namespace outreach
