#pragma once
// Aligned plain-text tables for operators (UTF-8 aware column widths).
#include <ostream>
#include <string>
#include <vector>

namespace outreach::cli {

class Table {
public:
    explicit Table(std::vector<std::string> header, std::string indent = "")
        : header_(std::move(header)), indent_(std::move(indent)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out) const;

private:
    std::vector<std::string> header_;
    std::string indent_;
    std::vector<std::vector<std::string>> rows_;
};

// Display width of a UTF-8 string (code points; good enough for Latin scripts).
std::size_t display_width(const std::string& text);

}  // namespace outreach::cli
