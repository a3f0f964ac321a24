#pragma once
// The one scheduler for all campaigns. Each pass (run_due) decides every
// occurrence that has fallen due since the campaign was enrolled, exactly once:
// fire it, coalesce it into a later one, or skip it (deadline passed, too late
// for its misfire policy). Deliveries are keyed by idempotency key in the
// journal, so a repeated pass after a crash sends nothing twice.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "schedule/occurrences.hpp"
#include "outreach/clock.hpp"
#include "runtime.hpp"

namespace outreach {

struct FiringReport {
    PlannedOccurrence occurrence;
    OccurrenceStatus status = OccurrenceStatus::Fired;
    std::string reason;             // why skipped/coalesced, or "late by ..."
    Instant decided_at;
    std::vector<Letter> delivered;  // delivered in this pass
    int already_delivered = 0;      // keys found in the journal or the outbox
    int failed = 0;                 // temporary (will retry) or permanent failures
};

class SchedulerObserver {
public:
    virtual ~SchedulerObserver() = default;
    virtual void occurrence_decided(const FiringReport& report) = 0;
    virtual void delivery_retried(const DeliveryRecord&) {}
};

class OUTREACH_EXPORT Scheduler {
public:
    Scheduler(const Runtime& runtime, Journal& journal, const Clock& clock, Channel& channel);
    void set_observer(SchedulerObserver* observer) { observer_ = observer; }

    // The earliest instant at which run_due() has something to do, if any.
    std::optional<Instant> next_due();
    // The earliest undecided occurrence that will fire (retries aside).
    std::optional<PlannedOccurrence> next_occurrence();
    // Decide and fire everything due by clock.now(); returns what was decided.
    std::vector<FiringReport> run_due();

    // Backoff before attempt `attempt` + 1 of a temporary failure: exponential
    // from 1 minute, capped at 6 hours, with +-20% jitter derived from the key.
    static std::chrono::seconds retry_delay(int attempt, const std::string& key);

private:
    std::vector<FiringReport> run_campaign(const Campaign& campaign, Instant now);
    FiringReport fire(const PlannedOccurrence& occurrence, const std::vector<ResponseRecord>& responses, Instant now);
    void deliver(const Letter& letter, FiringReport& report, Instant now);
    void retry_failed_deliveries(Instant now);
    std::string occurrence_key(const PlannedOccurrence& o) const;

    const Runtime& runtime_;
    Journal& journal_;
    const Clock& clock_;
    Channel& channel_;
    SchedulerObserver* observer_ = nullptr;
    // Occurrences whose firing threw (e.g. a template broken after validation):
    // left undecided so a later pass retries them, but not reported as due again
    // by this process, so a simulation cannot spin on them.
    std::set<std::string> broken_;
};

}  // namespace outreach
