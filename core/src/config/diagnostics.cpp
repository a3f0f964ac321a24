#include "config/diagnostics.hpp"

namespace outreach {

std::string Diagnostic::format() const {
    std::string out = file.string();
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    out += ": ";
    if (!field.empty()) out += field + ": ";
    return out + message;
}

namespace {
std::string summarize(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) {
        if (!out.empty()) out += "\n";
        out += d.format();
    }
    return out;
}
}  // namespace

InputError::InputError(Diagnostics diagnostics)
    : std::runtime_error(summarize(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace outreach
