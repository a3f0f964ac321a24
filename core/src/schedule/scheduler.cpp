#include "schedule/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_set>

#include "delivery/letter_composer.hpp"
#include "schedule/audience.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

std::string format_duration(std::chrono::seconds d) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
    if (minutes < 120) return std::to_string(minutes) + " min";
    const auto hours = minutes / 60;
    if (hours < 72) return std::to_string(hours) + " h";
    return std::to_string(hours / 24) + " days";
}

bool coalesces(const Step& step) { return std::holds_alternative<EveryTrigger>(step.trigger); }

bool answered(const std::vector<Response>& responses, const std::string& state, const std::string& kind) {
    return std::any_of(responses.begin(), responses.end(),
                       [&](const Response& r) { return r.state == state && r.kind == kind; });
}

}  // namespace

Scheduler::Scheduler(const Runtime& runtime, Journal& journal, const Clock& clock, Channel& channel)
    : runtime_(runtime), journal_(journal), clock_(clock), channel_(channel), planner_(runtime, journal) {}

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
    if (const PlannedOccurrence* next = planner_.next(); next && (!best || next->due < *best)) best = next->due;
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
    const auto due = planner_.take_due(now);

    // Missed occurrences of one recurring series collapse into its latest.
    std::map<std::pair<const Campaign*, std::string>, const PlannedOccurrence*> latest;
    for (const PlannedOccurrence* o : due)
        if (coalesces(*o->step)) latest[{o->campaign, o->series()}] = o;

    std::vector<FiringReport> reports;
    for (const PlannedOccurrence* o : due) {
        if (coalesces(*o->step)) {
            const PlannedOccurrence* last = latest.at({o->campaign, o->series()});
            if (last != o) {
                decide(*o, OccurrenceStatus::Coalesced, "coalesced into " + last->id, now, reports);
                continue;
            }
        }
        decide_due(*o, now, reports);
    }
    retry_failed_deliveries(now);
    if (!across_passes_) flush();
    return reports;
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
    if (const auto* after = std::get_if<AfterTrigger>(&o.step->trigger)) {
        const auto ref = planner_.decision(campaign, after->step, o.depends_on);
        if (!ref) {
            const PlannedOccurrence* ref_occurrence = planner_.find(campaign, after->step, o.depends_on);
            const auto enrolled = planner_.enrolled_at(campaign);
            if (!ref_occurrence || (enrolled && ref_occurrence->due < *enrolled))
                decide(o, OccurrenceStatus::Skipped, after->step + " fell before the campaign was enrolled", now,
                       reports);
            else if (!broken_.count(campaign.id() + "/" + after->step + "/" + o.depends_on))
                planner_.put_back(&o);  // its predecessor is decided later in this pass or the next
            return;                     // (a broken predecessor holds it until the next load)
        }
        if (*ref != OccurrenceStatus::Fired) {
            decide(o, OccurrenceStatus::Skipped, after->step + " " + o.depends_on + " did not fire", now, reports);
            return;
        }
    }
    if (o.valid_until && now >= *o.valid_until) {
        decide(o, OccurrenceStatus::Skipped,
               "deadline " + format_date(local_date(*o.valid_until, campaign.timezone())) + " has passed", now, reports);
        return;
    }
    const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - o.due);
    if (o.step->misfire.kind == MisfirePolicy::Kind::SkipWhenLate && late > o.step->misfire.grace) {
        decide(o, OccurrenceStatus::Skipped,
               "missed by " + format_duration(late) + " (grace " + format_duration(o.step->misfire.grace) + ")", now,
               reports);
        return;
    }
    if (!o.step->until_response.empty() && !o.only_state.empty() &&
        answered(responses_until(planner_.responses(campaign), now), o.only_state, o.step->until_response)) {
        decide(o, OccurrenceStatus::Skipped, o.only_state + " has answered " + o.step->until_response, now, reports);
        return;
    }
    const std::string key = occurrence_key(o);
    try {
        auto report = fire(o, now);
        broken_.erase(key);
        if (observer_) observer_->occurrence_decided(report);
        reports.push_back(std::move(report));
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

FiringReport Scheduler::fire(const PlannedOccurrence& o, Instant now) {
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
            }
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
