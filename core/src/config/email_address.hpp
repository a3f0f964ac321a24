#pragma once
// E-mail addresses as Outreach accepts them in rosters and [sender]: exactly one
// RFC 5322 addr-spec in its dot-atom form, local@domain, and nothing else.
// Anything that a header or an SMTP command could read as more than one address
// ("x,evil@attacker.test", "fm@example.org>,<evil"), or as a display name, is
// refused: commas, angle brackets, spaces, CR/LF, quotes, parentheses.
// Quoted local parts ("john doe"@example.org) and address literals
// (user@[192.0.2.1]) are valid RFC 5322 but not accepted: no roster needs them
// and both are easy to mangle on the way into a header.
#include <string>
#include <string_view>

#include "outreach/version.hpp"

namespace outreach {

// Empty when `address` is acceptable, else why not ("the domain 'localhost' has
// no dot", "',' is not allowed in an address"), for "not an e-mail address: ...".
OUTREACH_EXPORT std::string email_address_problem(std::string_view address);

inline bool is_email_address(std::string_view address) { return email_address_problem(address).empty(); }

}  // namespace outreach
