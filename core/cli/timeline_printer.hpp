#pragma once
// Prints what the scheduler decides, in order: the timeline operators read
// after `simulate` and `run`.
#include <ostream>

#include "schedule/scheduler.hpp"

namespace outreach::cli {

// The fixed columns every timeline line starts with: when, campaign, what.
std::string timeline_head(const std::string& when, const std::string& campaign, const std::string& what);

class TimelinePrinter final : public SchedulerObserver {
public:
    TimelinePrinter(std::ostream& out, bool summary_only) : out_(out), summary_only_(summary_only) {}
    void occurrence_decided(const FiringReport& report) override;
    void delivery_retried(const DeliveryRecord& record) override;
    void proof_sent(const PlannedOccurrence& occurrence, const Letter& proof) override;
    void awaiting_approval(const PlannedOccurrence& occurrence, const std::string& reason) override;

    std::size_t letters() const { return letters_; }
    std::size_t tasks() const { return tasks_; }
    std::size_t skipped() const { return skipped_; }
    std::size_t failed() const { return failed_; }
    std::size_t already() const { return already_; }

private:
    std::ostream& out_;
    bool summary_only_;
    std::size_t letters_ = 0, tasks_ = 0, skipped_ = 0, failed_ = 0, already_ = 0;
};

}  // namespace outreach::cli
