#pragma once
// Letters live as mustache files operators edit: templates/<type>/<name>.mustache.
// A template starts with a "Subject: ..." line and a blank line; the rest is the body.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"

namespace outreach {

struct TemplateData {
    std::map<std::string, std::string> scalars;
    std::map<std::string, std::vector<std::string>> lists;  // {{#name}}{{.}}{{/name}}
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
    // Throws InputError (file:line, field = template name) for a missing file, a
    // missing Subject line, or a mustache syntax error.
    RenderedTemplate render(const std::string& type, const std::string& name, const TemplateData& data) const;
    // Syntax check only (for `validate`).
    void check(const std::string& type, const std::string& name, Diagnostics& out) const;

private:
    std::vector<std::filesystem::path> dirs_;
};

}  // namespace outreach
