#pragma once
// Wording shared by every reader of operator TOML files (config, params,
// rosters, response scripts), so their errors read the same.
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "outreach/version.hpp"

namespace outreach {

// "a string", "an integer", ... for "expected X, found Y" messages.
OUTREACH_EXPORT std::string describe_toml_type(toml::node_type type);
// "params" + "letter_date" -> "params.letter_date"; "" + "id" -> "id".
OUTREACH_EXPORT std::string dotted_field(const std::string& prefix, std::string_view key);
// "addressees" + 1 -> "addressees[1]".
OUTREACH_EXPORT std::string indexed_field(const std::string& field, std::size_t index);

}  // namespace outreach
