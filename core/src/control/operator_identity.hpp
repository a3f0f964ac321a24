#pragma once
// Who is acting: the audit trail of pauses, approvals, rejections and proofs
// names the operating-system user, not a name the operator types.
#include <string>

#include "outreach/version.hpp"

namespace outreach {

// The effective user's login name (getpwuid(geteuid())), or "uid <n>" when the
// user database has no entry for it.
OUTREACH_EXPORT std::string operator_identity();

}  // namespace outreach
