#pragma once
// One error (or warning) found in an operator's input, with its position.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "outreach/version.hpp"

namespace outreach {

struct Diagnostic {
    std::filesystem::path file;
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;  // 1-based; 0 = unknown
    std::string field;    // dotted key path, e.g. "params.reminder_offsets"; may be empty
    std::string message;
    // A warning is worth a look but does not stop the campaign (Runtime::warnings);
    // everything in a Diagnostics list that callers count as errors is an Error.
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;

    // "config/campaigns/focus2007.toml:12:1: params.letter_date: not a date ..."
    OUTREACH_EXPORT std::string format() const;
};

using Diagnostics = std::vector<Diagnostic>;

// Thrown when an input cannot be used at all; carries every problem found.
class OUTREACH_EXPORT InputError : public std::runtime_error {
public:
    explicit InputError(Diagnostics diagnostics);
    const Diagnostics& diagnostics() const { return diagnostics_; }

private:
    Diagnostics diagnostics_;
};

}  // namespace outreach
