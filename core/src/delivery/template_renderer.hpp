#pragma once
// Letters live as mustache files operators edit: templates/<type>/<name>.mustache.
// A template starts with a "Subject: ..." line and a blank line; the rest is the body.
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/diagnostics.hpp"

namespace outreach {

struct TemplateData {
    std::map<std::string, std::string> scalars;
    std::map<std::string, std::vector<std::string>> lists;  // {{#name}}{{.}}{{/name}}
    std::string language = "en";  // the letter's language: picks the template variant
};

struct RenderedTemplate {
    std::string subject;
    std::string body;
};

class OUTREACH_EXPORT TemplateRenderer {
public:
    // Search order: each directory's <type>/<name>.mustache, first hit wins.
    explicit TemplateRenderer(std::vector<std::filesystem::path> dirs) : dirs_(std::move(dirs)) {}
    std::filesystem::path find(const std::string& type, const std::string& name) const;  // "" if none
    // The template a letter in `language` is rendered with: "<name>.<language>"
    // (invitation.fr.mustache) where such a file exists in the search path, else `name`.
    std::string name_for_language(const std::string& type, const std::string& name, const std::string& language) const;
    // Throws InputError (file:line:column, field = template name) for a missing
    // file, a missing Subject line, a mustache syntax error, a file that is not
    // UTF-8, too large (InputLimits::kTemplateBytes) or nested too deep, a partial
    // ({{>x}}), and for every tag that `data` has no value for: {{x}} needs a
    // scalar x, {{#x}}/{{^x}} a scalar or list x, except "has_..." flags, which
    // plugins set only when true (absent means false).
    // Renders "<name>.<data.language>" where that file exists (name_for_language).
    RenderedTemplate render(const std::string& type, const std::string& name, const TemplateData& data) const;
    // Syntax check only (for `validate`).
    void check(const std::string& type, const std::string& name, Diagnostics& out) const;
    // Syntax check, and every tag checked against the value names a firing will
    // provide (the rule of render()); a has_X flag absent from the names must at
    // least guard something that exists (a name starting with X). For `validate`.
    void check_values(const std::string& type, const std::string& name, const std::set<std::string>& scalars,
                      const std::set<std::string>& lists, Diagnostics& out) const;

private:
    std::vector<std::filesystem::path> dirs_;
    // Where find() found each "<type>/<name>": a renderer lives for one
    // configuration load (a reload makes a new one), and validating 10,000
    // campaigns would otherwise stat the same files hundreds of thousands of
    // times. The files' contents are still re-read when they change (load()).
    mutable std::mutex found_mutex_;
    mutable std::unordered_map<std::string, std::filesystem::path> found_;
};

}  // namespace outreach
