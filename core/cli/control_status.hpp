#pragma once
// What `status` and `plan` add about human control (issue 12), kept apart from
// their own output: a campaign's pause and what resuming would do, and the
// occurrences waiting for approval.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

namespace outreach::cli {

struct ControlStatus {
    std::vector<std::pair<std::string, std::string>> lines;  // (label, text) for the details table
    nlohmann::json json = nlohmann::json::object();
};

// Reads the journal only (writes nothing). `now`: the status instant.
ControlStatus control_status(const Runtime& runtime, Journal& journal, const Campaign& campaign, Instant now);

// For `plan`: "paused; on resume: skipped: deadline ... has passed", or
// "needs approval" for an undecided occurrence of a step requiring approval;
// empty when there is nothing to add.
class PlanControlNotes {
public:
    PlanControlNotes(const Runtime& runtime, Journal& journal, const Campaign& campaign, Instant now);
    std::string note(const PlannedOccurrence& occurrence) const;

private:
    const Campaign& campaign_;
    bool paused_ = false;
    std::map<std::string, std::string> on_resume_;  // step '\n' occurrence -> what resume would do
};

}  // namespace outreach::cli
