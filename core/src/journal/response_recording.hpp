#pragma once
// Checks what an operator (or a response script) says a State answered before it
// goes into the journal: the State, the kind and its payload must make sense for
// the campaign. Shared by `outreach respond` and `simulate --responses`.
//
// Stored form of the payload (Response::payload):
//   Payload::Treaty  the treaty's title ("Convention on the Rights of Persons with
//                    Disabilities"); the highlighted spelling when it matches one
//                    of the campaign's `treaties` up to case;
//   Payload::Pillar  a Roman numeral "I", "II", "III" or "IV" (given as 1-4 or I-IV);
//   Payload::Note    the note text (may be empty);
//   Payload::None    empty.
// A note given with a kind whose payload is not a Note is an operator's remark,
// kept beside the response (ResponseRecord::note), never in the payload.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"

namespace outreach {

// What came with the response; an empty string means "not given".
struct ResponsePayload {
    std::string treaty;
    std::string pillar;  // "2" or "II"
    std::string note;
};

// One reason a response is refused. `field` names the input it concerns:
// "state", "kind", "treaty", "pillar", "note" or "at".
struct ResponseProblem {
    std::string field;
    std::string message;
};

// Every reason at once; what() is "field: message" lines.
class OUTREACH_EXPORT ResponseRefused : public std::invalid_argument {
public:
    explicit ResponseRefused(std::vector<ResponseProblem> problems);
    const std::vector<ResponseProblem>& problems() const { return problems_; }

private:
    std::vector<ResponseProblem> problems_;
};

struct ValidatedResponse {
    Response response;                  // state = alpha-3 code of the roster
    std::string note;                   // remark stored beside it (see above)
    std::vector<std::string> warnings;  // accepted, but worth a look
};

// Throws ResponseRefused listing every problem: an unknown State (with the closest
// name), a State outside the campaign's roster, an unknown kind (listing the
// campaign type's kinds), a payload the kind does not take or a required one
// missing, a pillar outside 1-4, and `at` more than a minute after `now` (no
// check when `now` is nullopt, as for scripted responses of a future season).
OUTREACH_EXPORT ValidatedResponse validate_response(const Campaign& campaign, const std::string& state_code_or_name,
                                                    const std::string& kind, const ResponsePayload& payload,
                                                    Instant at, std::optional<Instant> now);

// "YYYY-MM-DD" (09:00 local) or "YYYY-MM-DDTHH:MM[:SS]" in `zone`; nullopt when malformed.
OUTREACH_EXPORT std::optional<Instant> parse_response_time(std::string_view text, const std::string& zone);

// 1..4 or I..IV (any case) -> 1..4; nullopt otherwise.
OUTREACH_EXPORT std::optional<int> parse_pillar(std::string_view text);
OUTREACH_EXPORT std::string pillar_numeral(int pillar);  // 2 -> "II"

// True when `record` holds the same campaign, State, kind, payload and instant,
// i.e. the response was recorded already (re-running a script).
OUTREACH_EXPORT bool same_response(const ResponseRecord& record, const std::string& campaign, const Response& response);

// "intends_to_sign (Convention X)", "will_speak (pillar II)", "declined".
OUTREACH_EXPORT std::string describe_response(const Campaign* campaign, const Response& response);

}  // namespace outreach
