#pragma once
// The one scheduler for all campaigns. Each pass (run_due) decides every
// occurrence that has fallen due since the campaign was enrolled, exactly once:
// fire it, coalesce it into a later one, or skip it (deadline passed, too late
// for its misfire policy, stop response recorded). Deliveries are keyed by
// idempotency key in the journal, so a repeated pass after a crash sends nothing
// twice. What is due comes from the Planner (expanded once per configuration
// load), so a pass costs what it fires, not the size of the configuration.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "delivery/channel.hpp"
#include "journal/journal.hpp"
#include "outreach/clock.hpp"
#include "runtime.hpp"
#include "control/approval.hpp"
#include "schedule/decision_rules.hpp"
#include "schedule/occurrences.hpp"
#include "schedule/planner.hpp"

namespace outreach {

struct FiringReport {
    PlannedOccurrence occurrence;
    OccurrenceStatus status = OccurrenceStatus::Fired;
    std::string reason;             // why skipped/coalesced, or "late by ..."
    Instant decided_at;
    std::vector<Letter> delivered;  // delivered in this pass
    int already_delivered = 0;      // keys found in the journal or the outbox
    int failed = 0;                 // temporary (will retry) or permanent failures
    int will_retry = 0;             // of `failed`, the temporary ones
    std::optional<Instant> first_retry = {};  // when the earliest of those is attempted again
};

class SchedulerObserver {
public:
    virtual ~SchedulerObserver() = default;
    virtual void occurrence_decided(const FiringReport& report) = 0;
    virtual void delivery_retried(const DeliveryRecord&) {}
    // A proof went to staff for a step that requires approval.
    virtual void proof_sent(const PlannedOccurrence&, const Letter&) {}
    // A due occurrence waits for `outreach approve` (reported once per wait).
    virtual void awaiting_approval(const PlannedOccurrence&, const std::string& /*reason*/) {}
};

class OUTREACH_EXPORT Scheduler {
public:
    Scheduler(const Runtime& runtime, Journal& journal, const Clock& clock, Channel& channel);
    ~Scheduler();  // flushes an open batch
    void set_observer(SchedulerObserver* observer) { observer_ = observer; }
    // simulate: let one batch of letters span passes (published and committed
    // every channel.batch_limit() letters and at flush()). The daemon and `run`
    // publish and commit at the end of every pass.
    void set_batch_across_passes(bool on) { across_passes_ = on; }

    // Campaigns count from when the scheduler first sees them (the daemon enrols
    // at load, so a campaign loaded now but first passed over late misses nothing
    // that fell due between). run_due() enrols too.
    void enrol_new_campaigns(Instant now) { planner_.enrol_new_campaigns(now); }
    // The earliest instant at which run_due() has something to do, if any.
    std::optional<Instant> next_due();
    // The first undecided occurrence of the index (retries aside; for a step
    // that requires approval it may be its proof that is next).
    std::optional<PlannedOccurrence> next_occurrence();
    // Decide and fire everything due by clock.now(); returns what was decided.
    // Throws JournalError when the journal cannot record (nothing more is sent).
    std::vector<FiringReport> run_due();
    // Publishes staged letters and commits the journal batch.
    void flush();

    const Planner& planner() const { return planner_; }

    // simulate --approve: when set, an occurrence that waits for approval is
    // approved on the spot (recorded as approved by `approver`) if it returns true.
    void set_auto_approve(std::function<bool(const PlannedOccurrence&)> decide, std::string approver) {
        auto_approve_ = std::move(decide);
        auto_approver_ = std::move(approver);
    }

    // Backoff before attempt `attempt` + 1 of a temporary failure: exponential
    // from 1 minute, capped at 6 hours, with +-20% jitter derived from the key.
    static std::chrono::seconds retry_delay(int attempt, const std::string& key);

private:
    void decide_due(const PlannedOccurrence& occurrence, Instant now, std::vector<FiringReport>& reports);
    // Pauses and approvals recorded by other processes (`pause`, `resume`,
    // `approve`, `reject`): held occurrences of resumed campaigns go back into
    // the index; occurrences awaiting approval are judged again.
    void refresh_controls(Instant now);
    bool paused(const Campaign& campaign, Instant now) const;
    // Proof phase: the approval lead of an occurrence not due yet has come.
    void prepare_approval(const PlannedOccurrence& occurrence, Instant now);
    void await_approval(const PlannedOccurrence& occurrence, const std::string& reason, Instant now);
    // Sends the scheduled proof for the current content unless the journal has it; false when it could not be sent.
    bool ensure_proof(const PlannedOccurrence& occurrence, const std::string& content_hash, Instant now);
    void decide(const PlannedOccurrence& occurrence, OccurrenceStatus status, std::string reason, Instant now,
                std::vector<FiringReport>& reports);
    // nullopt when the occurrence was not decided after all (its approval lapsed
    // while the letters were composed).
    std::optional<FiringReport> fire(const PlannedOccurrence& occurrence, Instant now);
    void deliver(const Letter& letter, FiringReport& report, Instant now);
    void retry_failed_deliveries(Instant now);
    void open_batch();
    std::string occurrence_key(const PlannedOccurrence& o) const;

    const Runtime& runtime_;
    Journal& journal_;
    const Clock& clock_;
    Channel& channel_;
    Planner planner_;
    SchedulerObserver* observer_ = nullptr;
    bool across_passes_ = false;
    // The journal transaction of the current batch and the letters staged in
    // the channel for it (recorded as delivered; as temporary failures instead
    // when the channel cannot publish them).
    std::optional<Journal::Batch> batch_;
    std::vector<DeliveryRecord> staged_;
    // Occurrences whose firing threw (e.g. a template broken after validation):
    // left undecided so a later load retries them, but not due again in this
    // process, so a simulation cannot spin on them.
    std::set<std::string> broken_;

    ApprovalBook approvals_;
    DecisionRules rules_;
    std::map<std::string, PauseRecord> pauses_;  // by campaign, as last read
    // Taken from the index while their campaign is paused: back in at resume.
    std::map<std::string, std::vector<const PlannedOccurrence*>> held_;
    // Due, waiting for approval (with the reason last reported): judged again every pass.
    std::map<const PlannedOccurrence*, std::string> awaiting_;
    std::function<bool(const PlannedOccurrence&)> auto_approve_;
    std::string auto_approver_;
};

}  // namespace outreach
