#pragma once
// Four-eyes control of a step: what an approval is bound to (the content hash)
// and the approvals the journal holds. A step that requires approval
// (Campaign::approval_leads) fires only when the latest decision on its
// occurrence is an approval given for the content that would be sent now: a
// changed template, params or roster makes the approval lapse.
#include <map>
#include <optional>
#include <string>

#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

// SHA-256 (hex) over everything that makes the step's letters what they are:
// the campaign type and plugin, the time zone, params, sender, addressee roles,
// the step's template text (read from disk now: templates are re-read when they
// change) and every roster row of the campaign (States and their addressees).
// Responses are not part of it: they change who is written to, not what.
OUTREACH_EXPORT std::string approval_content_hash(const Campaign& campaign, const Step& step);

// The first 16 hex digits: what messages and keys show.
inline std::string short_hash(const std::string& hash) { return hash.substr(0, 16); }

enum class ApprovalState {
    NotRequired,  // the step does not wait for approval
    Pending,      // no decision yet
    Lapsed,       // approved, but for other content
    Approved,     // approved for the current content
    Rejected,     // cancelled by `outreach reject` (any step, approval required or not)
};

struct ApprovalStatus {
    ApprovalState state = ApprovalState::NotRequired;
    std::optional<ApprovalRecord> record;  // the latest decision, if any
    std::string content_hash;              // the current content's (empty when not required)
};

// The journal's approvals, read in one query, and the current content hashes
// (computed at most once per step between forget_hashes() calls).
class OUTREACH_EXPORT ApprovalBook {
public:
    explicit ApprovalBook(Journal& journal) : journal_(journal) {}
    // Re-reads the approvals; true when they differ from the last reading.
    bool reload();
    // Hashes are recomputed after this (templates may have been edited).
    void forget_hashes() { hashes_.clear(); }
    const std::string& content_hash(const Campaign& campaign, const Step& step);
    ApprovalStatus status(const PlannedOccurrence& occurrence);
    void remember(const ApprovalRecord& record);

private:
    static std::string key(const std::string& campaign, const std::string& step, const std::string& occurrence) {
        return campaign + '\n' + step + '\n' + occurrence;
    }
    Journal& journal_;
    std::map<std::string, ApprovalRecord> by_key_;
    std::string signature_;
    std::map<std::string, std::string> hashes_;
};

}  // namespace outreach
