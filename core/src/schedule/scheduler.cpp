#include "schedule/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_set>

#include "control/operator_identity.hpp"
#include "control/proof.hpp"
#include "delivery/letter_composer.hpp"
#include "schedule/audience.hpp"
#include "time/timezone.hpp"

namespace outreach {

Scheduler::Scheduler(const Runtime& runtime, Journal& journal, const Clock& clock, Channel& channel)
    : runtime_(runtime),
      journal_(journal),
      clock_(clock),
      channel_(channel),
      planner_(runtime, journal),
      approvals_(journal),
      rules_(planner_, approvals_) {
    approvals_.reload();
    for (auto& pause : journal_.pauses()) pauses_.emplace(pause.campaign, std::move(pause));
}

Scheduler::~Scheduler() {
    try {
        flush();
    } catch (const std::exception& e) {
        spdlog::error("cannot commit the last batch: {}", e.what());
    }
}

std::string Scheduler::occurrence_key(const PlannedOccurrence& o) const {
    return o.campaign->id() + "/" + o.step->id + "/" + o.id;
}

std::chrono::seconds Scheduler::retry_delay(int attempt, const std::string& key) {
    using namespace std::chrono;
    const seconds base = minutes(1) * (1LL << std::min(attempt - 1, 10));
    const seconds capped = std::min<seconds>(base, hours(6));
    // Deterministic jitter: spreads retries of one batch without making
    // simulations irreproducible.
    const auto h = std::hash<std::string>{}(key + "#" + std::to_string(attempt));
    const double factor = 0.8 + 0.4 * static_cast<double>(h % 1000) / 999.0;
    return seconds(static_cast<long long>(static_cast<double>(capped.count()) * factor));
}

std::optional<PlannedOccurrence> Scheduler::next_occurrence() {
    if (const PlannedOccurrence* next = planner_.next()) return *next;
    return std::nullopt;
}

std::optional<Instant> Scheduler::next_due() {
    planner_.refresh();
    std::optional<Instant> best = journal_.next_retry();
    if (const auto at = planner_.next_instant(); at && (!best || *at < *best)) best = *at;
    // A pause that ends by itself (`pause --until`) releases what it held then.
    for (const auto& [campaign, held] : held_) {
        const auto pause = pauses_.find(campaign);
        if (held.empty() || pause == pauses_.end() || !pause->second.until) continue;
        if (!best || *pause->second.until < *best) best = *pause->second.until;
    }
    return best;
}

void Scheduler::open_batch() {
    if (!batch_) batch_.emplace(journal_);
}

void Scheduler::flush() {
    if (!batch_) return;
    if (!staged_.empty()) {
        if (auto error = channel_.publish()) {
            // The staged letters did not go out: they stay in the journal as
            // temporary failures, retried with backoff like any other.
            spdlog::error("{} channel: {}; {} letter(s) will be retried", channel_.name(), *error, staged_.size());
            for (auto& record : staged_) {
                record.status = DeliveryStatus::TemporaryFailure;
                record.detail = *error;
                record.next_attempt = record.updated_at + retry_delay(1, record.letter.idempotency_key);
                journal_.record_delivery(record);
            }
        }
    }
    batch_->commit();
    batch_.reset();
    staged_.clear();
}

std::vector<FiringReport> Scheduler::run_due() {
    const Instant now = clock_.now();
    planner_.refresh();
    planner_.enrol_new_campaigns(now);
    refresh_controls(now);
    const auto taken = planner_.take_due(now);

    std::vector<const PlannedOccurrence*> due;
    for (const PlannedOccurrence* o : taken) {
        if (paused(*o->campaign, now)) {
            awaiting_.erase(o);
            held_[o->campaign->id()].push_back(o);  // undecided: decided by its own rules at resume
        } else if (o->due > now) {
            prepare_approval(*o, now);
        } else {
            due.push_back(o);
        }
    }

    std::vector<FiringReport> reports;
    const auto coalesced_into = coalesce_targets(due);
    for (std::size_t i = 0; i < due.size(); ++i) {
        if (const PlannedOccurrence* into = coalesced_into[i]) {
            awaiting_.erase(due[i]);
            decide(*due[i], OccurrenceStatus::Coalesced, "coalesced into " + into->id, now, reports);
            continue;
        }
        decide_due(*due[i], now, reports);
    }
    retry_failed_deliveries(now);
    if (!across_passes_) flush();
    return reports;
}

bool Scheduler::paused(const Campaign& campaign, Instant now) const {
    const auto it = pauses_.find(campaign.id());
    return it != pauses_.end() && it->second.active_at(now);
}

void Scheduler::refresh_controls(Instant now) {
    pauses_.clear();
    for (auto& pause : journal_.pauses()) pauses_.emplace(pause.campaign, std::move(pause));
    for (auto it = held_.begin(); it != held_.end();) {
        const Campaign* campaign = it->second.empty() ? nullptr : it->second.front()->campaign;
        if (campaign && paused(*campaign, now)) {
            ++it;
            continue;
        }
        for (const PlannedOccurrence* o : it->second) planner_.put_back(o);
        it = held_.erase(it);
    }
    // Approvals may have been given or withdrawn, templates edited: every
    // occurrence awaiting approval is judged again in this pass.
    approvals_.reload();
    approvals_.forget_hashes();
    for (const auto& [o, reason] : awaiting_) planner_.put_back_at(o, o->due);
}

void Scheduler::prepare_approval(const PlannedOccurrence& o, Instant now) {
    const ApprovalStatus status = approvals_.status(o);
    if (status.state == ApprovalState::Pending || status.state == ApprovalState::Lapsed) {
        if (!ensure_proof(o, status.content_hash, now)) {
            planner_.put_back_at(&o, std::min(o.due, now + retry_delay(1, scheduled_proof_key(o, status.content_hash))));
            return;
        }
    }
    planner_.put_back_at(&o, o.due);  // judged when due (the approval may lapse by then)
}

bool Scheduler::ensure_proof(const PlannedOccurrence& o, const std::string& content_hash, Instant now) {
    const std::string key = scheduled_proof_key(o, content_hash);
    if (journal_.proof(key)) return true;
    const Campaign& campaign = *o.campaign;
    Letter letter;
    try {
        letter = compose_proof(o, now, planner_.responses(campaign),
                               ProofRequest{ProofKind::Scheduled, key, campaign.config.sender.staff_email, content_hash, {}});
    } catch (const JournalError&) {
        throw;
    } catch (const std::exception& e) {
        campaign.log->error("{} {} {}: cannot compose the proof (plugin {}): {}", campaign.id(), o.step->id, o.id,
                            campaign.plugin_name, e.what());
        open_batch();
        journal_.audit(now, campaign.id(), "proof_error", key + ": " + e.what());
        return false;
    }
    flush();  // no journal write transaction across the channel's I/O
    const DeliveryResult result = channel_.deliver(letter);
    if (result.status != DeliveryResult::Status::Delivered && result.status != DeliveryResult::Status::AlreadyDelivered) {
        campaign.log->error("{} {} {}: the proof to {} was not delivered: {}", campaign.id(), o.step->id, o.id,
                            letter.to_email, result.detail);
        open_batch();
        journal_.audit(now, campaign.id(), "proof_error", key + ": " + result.detail);
        return false;
    }
    open_batch();
    journal_.record_proof(
        ProofRecord{key, campaign.id(), o.step->id, o.id, "scheduled", content_hash, letter.to_email, {}, now});
    journal_.audit(now, campaign.id(), "proof",
                   o.step->id + " " + o.id + ": proof of content " + short_hash(content_hash) + " sent to " +
                       letter.to_email);
    flush();
    if (observer_) observer_->proof_sent(o, letter);
    return true;
}

void Scheduler::await_approval(const PlannedOccurrence& o, const std::string& reason, Instant now) {
    const ApprovalStatus status = approvals_.status(o);
    const bool sent = ensure_proof(o, status.content_hash, now);
    const auto [it, fresh] = awaiting_.try_emplace(&o, reason);
    if ((fresh || it->second != reason) && observer_) observer_->awaiting_approval(o, reason);
    it->second = reason;
    // Judged again at the next pass (any wake-up: `approve` touches the wake
    // file), when a proof that could not go out is retried, and when its deadline
    // or misfire grace ends, so that it is then decided as skipped.
    std::optional<Instant> recheck;
    if (!sent) recheck = now + retry_delay(1, scheduled_proof_key(o, status.content_hash));
    if (o.valid_until && (!recheck || *o.valid_until < *recheck)) recheck = *o.valid_until;
    if (o.step->misfire.kind == MisfirePolicy::Kind::SkipWhenLate) {
        const Instant too_late = o.due + o.step->misfire.grace + std::chrono::seconds(1);
        if (!recheck || too_late < *recheck) recheck = too_late;
    }
    if (recheck) planner_.put_back_at(&o, std::max(*recheck, now + std::chrono::seconds(1)));
}

void Scheduler::decide(const PlannedOccurrence& o, OccurrenceStatus status, std::string reason, Instant now,
                       std::vector<FiringReport>& reports) {
    open_batch();
    journal_.decide({o.campaign->id(), o.step->id, o.id, o.due, status, reason, now});
    planner_.record_decision(o, status);
    FiringReport report{o, status, std::move(reason), now, {}, 0, 0};
    if (observer_) observer_->occurrence_decided(report);
    reports.push_back(std::move(report));
}

void Scheduler::decide_due(const PlannedOccurrence& o, Instant now, std::vector<FiringReport>& reports) {
    const Campaign& campaign = *o.campaign;
    const auto decided = [&](const Campaign& c, const std::string& step, const std::string& id) {
        return planner_.decision(c, step, id);
    };
    Judgement judgement = rules_.judge(o, now, decided);
    if (judgement.kind == Judgement::Kind::AwaitApproval && auto_approve_ && auto_approve_(o)) {
        const ApprovalRecord approval{campaign.id(), o.step->id, o.id, ApprovalRecord::Decision::Approved,
                                      approvals_.content_hash(campaign, *o.step), auto_approver_, now,
                                      "approved by the simulation"};
        open_batch();
        journal_.record_approval(approval);
        journal_.audit(now, campaign.id(), "approve", o.step->id + " " + o.id + " (simulation)", auto_approver_);
        approvals_.remember(approval);
        judgement = Judgement{Judgement::Kind::Fire, {}};
    }
    switch (judgement.kind) {
        case Judgement::Kind::Wait: {
            const auto& after = std::get<AfterTrigger>(o.step->trigger);
            if (!broken_.count(campaign.id() + "/" + after.step + "/" + o.depends_on))
                planner_.put_back(&o);  // its predecessor is decided later in this pass or the next
            return;                     // (a broken predecessor holds it until the next load)
        }
        case Judgement::Kind::Skip:
            awaiting_.erase(&o);
            decide(o, OccurrenceStatus::Skipped, judgement.reason, now, reports);
            return;
        case Judgement::Kind::AwaitApproval: await_approval(o, judgement.reason, now); return;
        case Judgement::Kind::Fire: break;
    }
    awaiting_.erase(&o);
    // A pause recorded while this pass runs (e.g. during a batch) stops what has
    // not started yet: the occurrence stays undecided.
    if (const auto pause = journal_.pause_of(campaign.id()); pause && pause->active_at(now)) {
        pauses_.insert_or_assign(campaign.id(), *pause);
        awaiting_.erase(&o);
        held_[campaign.id()].push_back(&o);
        return;
    }
    const std::string key = occurrence_key(o);
    try {
        auto report = fire(o, now);
        broken_.erase(key);
        if (report) {
            if (observer_) observer_->occurrence_decided(*report);
            reports.push_back(std::move(*report));
        }
    } catch (const JournalError&) {
        throw;  // nothing may be sent without the journal
    } catch (const std::exception& e) {
        broken_.insert(key);
        campaign.log->error("{} {} {}: cannot fire (plugin {}): {}", campaign.id(), o.step->id, o.id,
                            campaign.plugin_name, e.what());
        open_batch();
        journal_.audit(now, campaign.id(), "fire_error", key + ": " + e.what());
    }
}

std::optional<FiringReport> Scheduler::fire(const PlannedOccurrence& o, Instant now) {
    const Campaign& campaign = *o.campaign;
    FiringReport report{o, OccurrenceStatus::Fired, {}, now, {}, 0, 0};
    const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - o.due);
    if (late > std::chrono::minutes(1)) report.reason = "late by " + format_duration(late);

    const auto known = responses_until(planner_.responses(campaign), now);
    const CampaignContext context = campaign.context();
    const Occurrence occurrence = o.sdk_view();
    const FiringContext firing{context, campaign.workflow, occurrence, now};
    OccurrenceValues shared(o, firing, known);  // per letter language, on first use
    const auto audience = resolve_audience(o, known, now);

    // Every letter is composed before any is handed over: a template or plugin
    // error fails the occurrence with nothing sent.
    const auto recorded = journal_.delivery_keys(campaign.id(), o.step->id, o.id);
    const std::unordered_set<std::string> done(recorded.begin(), recorded.end());
    // Letters are prepared (not handed over) as they are composed, so the channel's
    // work overlaps the composing; what is left unstaged is dropped on the way out.
    struct DropPrepared {
        Channel& channel;
        ~DropPrepared() { channel.drop_prepared(); }
    } drop_prepared{channel_};
    std::vector<Letter> letters;
    if (std::holds_alternative<TaskAction>(o.step->action)) {
        if (done.count(idempotency_key(o, "staff")))
            ++report.already_delivered;
        else
            letters.push_back(compose_task(o, shared.in(std::string(kDefaultLanguage)), known, audience));
    } else {
        const auto& action = std::get<LetterAction>(o.step->action);
        const auto& roles = action.roles.empty() ? campaign.config.addressees : action.roles;
        const auto by_state = responses_by_state(known);
        static const std::vector<Response> none;
        for (const State* state : audience) {
            const auto own = by_state.find(state->code);
            std::optional<TemplateData> state_data;
            for (const auto& role : roles) {
                const Addressee* addressee = state->addressee(role);
                if (!addressee) {
                    campaign.log->warn("{} {}: {} has no {} in the roster; not written to", campaign.id(), o.step->id,
                                       state->code, role);
                    continue;
                }
                if (done.count(idempotency_key(o, state->code + "/" + role))) {
                    ++report.already_delivered;
                    continue;
                }
                if (!state_data)
                    state_data = state_values(shared, *state, own == by_state.end() ? none : own->second);
                letters.push_back(compose_letter(o, *state_data, *state, *addressee));
                channel_.prepare(letters.back());
            }
        }
    }
    // The approval holds for the content approved: if a template changed while
    // the letters were being composed, nothing goes out and a new proof does.
    if (campaign.approval_lead(*o.step)) {
        const ApprovalStatus approval = approvals_.status(o);
        if (approval.state != ApprovalState::Approved ||
            approval.content_hash != approval_content_hash(campaign, *o.step)) {
            approvals_.forget_hashes();
            await_approval(o, "approval lapsed: the content changed while the letters were composed", now);
            return std::nullopt;  // not decided
        }
    }
    for (const auto& letter : letters) deliver(letter, report, now);
    open_batch();
    journal_.decide({campaign.id(), o.step->id, o.id, o.due, OccurrenceStatus::Fired, report.reason, now});
    planner_.record_decision(o, OccurrenceStatus::Fired);
    return report;
}

void Scheduler::deliver(const Letter& letter, FiringReport& report, Instant now) {
    const bool one_by_one = channel_.batch_limit() <= 1;
    if (one_by_one) flush();  // never hold a journal write transaction across network I/O
    const DeliveryResult result = channel_.stage(letter);
    DeliveryRecord record{letter, channel_.name(), DeliveryStatus::Delivered, result.message_id, result.detail, 1,
                          std::nullopt, now};
    switch (result.status) {
        case DeliveryResult::Status::Delivered: report.delivered.push_back(letter); break;
        case DeliveryResult::Status::AlreadyDelivered: ++report.already_delivered; break;
        case DeliveryResult::Status::TemporaryFailure:
            record.status = DeliveryStatus::TemporaryFailure;
            record.next_attempt = now + retry_delay(1, letter.idempotency_key);
            ++report.failed;
            ++report.will_retry;
            report.first_retry = std::min(report.first_retry.value_or(*record.next_attempt), *record.next_attempt);
            break;
        case DeliveryResult::Status::PermanentFailure:
            record.status = DeliveryStatus::Failed;
            ++report.failed;
            break;
    }
    open_batch();
    journal_.record_delivery(record);
    if (result.status == DeliveryResult::Status::Delivered && !one_by_one) staged_.push_back(std::move(record));
    // One by one: recorded durably before the next letter goes out.
    if (one_by_one || staged_.size() >= channel_.batch_limit()) flush();
}

void Scheduler::retry_failed_deliveries(Instant now) {
    for (auto record : journal_.pending_retries(now)) {
        const Campaign* campaign = runtime_.campaign(record.letter.campaign);
        const Step* step = campaign ? campaign->step(record.letter.step) : nullptr;
        if (campaign && step) {
            const auto deadline = deadline_instant(*campaign, *step, record.letter.state);
            if (deadline && now >= *deadline) {
                record.status = DeliveryStatus::Failed;
                record.detail = "deadline passed before it could be delivered; last error: " + record.detail;
                record.next_attempt.reset();
                record.updated_at = now;
                open_batch();
                journal_.record_delivery(record);
                if (observer_) observer_->delivery_retried(record);
                continue;
            }
        }
        flush();  // a retry is delivered and recorded on its own
        const DeliveryResult result = channel_.deliver(record.letter);
        ++record.attempts;
        record.updated_at = now;
        record.detail = result.detail;
        record.next_attempt.reset();
        switch (result.status) {
            case DeliveryResult::Status::Delivered:
            case DeliveryResult::Status::AlreadyDelivered:
                record.status = DeliveryStatus::Delivered;
                record.message_id = result.message_id;
                break;
            case DeliveryResult::Status::TemporaryFailure:
                record.next_attempt = now + retry_delay(record.attempts, record.letter.idempotency_key);
                break;
            case DeliveryResult::Status::PermanentFailure: record.status = DeliveryStatus::Failed; break;
        }
        open_batch();
        journal_.record_delivery(record);
        flush();
        if (observer_) observer_->delivery_retried(record);
    }
}

}  // namespace outreach
