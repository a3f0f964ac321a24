#pragma once
// Response scripts for previews (`simulate --responses FILE`): what States are
// supposed to answer, and when, so a whole season with replies can be replayed.
//
//   campaign = "focus2007"            # default campaign of the entries (optional)
//   [[response]]
//   campaign = "focus2007"            # optional when set above
//   state    = "FRA"                  # alpha-3 code (any case) or exact name
//   kind     = "intends_to_sign"
//   treaty   = "Convention on ..."    # when the kind takes a treaty
//   pillar   = 2                      # when the kind takes a pillar (1-4 or "I".."IV")
//   note     = "text"                 # optional
//   date     = 2007-06-15             # 09:00 local, or 2007-06-15T10:30:00 local to the
//                                     # campaign's zone, or with an offset (exact instant)
//
// Entries are checked like `outreach respond` (validate_response), except that a
// date in the future is fine: previews are usually of a season still to come.
#include <filesystem>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "journal/response_recording.hpp"
#include "runtime.hpp"

namespace outreach {

struct ScriptedResponse {
    std::string campaign;
    ValidatedResponse validated;
    std::string field;  // "response[3]" (1-based), for messages
    int line = 0;       // of the [[response]] table
};

struct ResponseScript {
    std::filesystem::path file;
    std::vector<ScriptedResponse> responses;  // by instant, then file order
    Diagnostics warnings;                     // accepted entries worth a look
    std::size_t skipped = 0;                  // entries for campaigns configured but not loaded (filtered out, disabled)
};

// Every problem goes to `out` with file:line:column and field (response[3].kind);
// entries with a problem are left out. A campaign that is configured but not in
// `runtime` (e.g. `--campaign` chose another) is skipped, not an error.
OUTREACH_EXPORT ResponseScript load_response_script(const std::filesystem::path& file, const Runtime& runtime,
                                                    Diagnostics& out);

}  // namespace outreach
