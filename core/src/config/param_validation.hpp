#pragma once
// Checks a campaign's [params] table against the plugin's option declarations:
// unknown keys (with a "did you mean" hint), wrong types, missing required options,
// malformed dates/times; fills in defaults.
#include <filesystem>
#include <vector>

#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "outreach/options.hpp"

namespace outreach {

// `field_prefix` is prepended to key names in diagnostics ("params").
OUTREACH_EXPORT Params validate_params(const toml::table& params, const std::vector<OptionSpec>& specs,
                                       const std::filesystem::path& file, Diagnostics& out,
                                       const std::string& field_prefix = "params");

// Closest of `candidates` to `word` within a small edit distance, or "".
OUTREACH_EXPORT std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace outreach
