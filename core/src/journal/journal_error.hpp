#pragma once
// Anything the journal's database refused or could not do (disk full, read-only,
// corrupt, locked too long). The scheduler contains plugin and template errors
// per occurrence but lets this one through: without the journal nothing may be sent.
#include <stdexcept>

namespace outreach {

class JournalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace outreach
