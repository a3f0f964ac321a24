#pragma once
// Prints what the scheduler decides, in order: the timeline operators read
// after `simulate` and `run`.
#include <map>
#include <ostream>
#include <string>

#include "schedule/scheduler.hpp"

namespace outreach::cli {

// The fixed columns every timeline line starts with: when, campaign, what.
std::string timeline_head(const std::string& when, const std::string& campaign, const std::string& what);

class TimelinePrinter final : public SchedulerObserver {
public:
    // `zone`: set by `run` and the daemon, which print every time with its zone
    // ("2007-08-02 09:00 EDT (America/New_York)"), retries in this zone (the
    // configuration's default); empty (simulate): the abbreviation alone, and
    // retries in their campaign's zone as it was last seen.
    TimelinePrinter(std::ostream& out, bool summary_only, std::string zone = {})
        : out_(out), summary_only_(summary_only), zone_(std::move(zone)) {}
    void occurrence_decided(const FiringReport& report) override;
    void delivery_retried(const DeliveryRecord& record) override;
    void proof_sent(const PlannedOccurrence& occurrence, const Letter& proof) override;
    void awaiting_approval(const PlannedOccurrence& occurrence, const std::string& reason) override;

    // Delivered, retries that succeeded included.
    std::size_t letters() const { return letters_; }
    std::size_t tasks() const { return tasks_; }
    std::size_t delivered_on_retry() const { return delivered_on_retry_; }
    std::size_t skipped() const { return skipped_; }
    std::size_t failed() const { return failed_; }
    std::size_t already() const { return already_; }

private:
    std::string when(Instant instant, const std::string& zone) const;

    std::ostream& out_;
    bool summary_only_;
    std::string zone_;
    std::map<std::string, std::string> campaign_zones_;  // campaign id -> zone, from decided occurrences
    std::size_t letters_ = 0, tasks_ = 0, skipped_ = 0, failed_ = 0, already_ = 0, delivered_on_retry_ = 0;
};

}  // namespace outreach::cli
