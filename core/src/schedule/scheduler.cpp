#include "schedule/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>

#include "schedule/audience.hpp"
#include "delivery/letter_composer.hpp"
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

}  // namespace

Scheduler::Scheduler(const Runtime& runtime, Journal& journal, const Clock& clock, Channel& channel)
    : runtime_(runtime), journal_(journal), clock_(clock), channel_(channel) {}

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
    std::optional<PlannedOccurrence> best;
    const Instant now = clock_.now();
    for (const auto& campaign : runtime_.campaigns) {
        if (!campaign.config.enabled) continue;
        const Instant enrolled = journal_.enrolled_at(campaign.id()).value_or(now);
        std::vector<PlannedOccurrence> occurrences;
        try {
            occurrences = expand_occurrences(campaign, journal_.responses(campaign.id()));
        } catch (const std::exception&) {
            continue;  // reported by run_due
        }
        for (const auto& o : occurrences) {
            if (o.due < enrolled || broken_.count(occurrence_key(o))) continue;
            // An `after` step waits for its predecessor; if that one could not
            // fire, neither can this one yet.
            if (const auto* after = std::get_if<AfterTrigger>(&o.step->trigger);
                after && broken_.count(campaign.id() + "/" + after->step + "/" + o.depends_on))
                continue;
            if (journal_.occurrence(campaign.id(), o.step->id, o.id)) continue;
            if (!best || o.due < best->due) best = o;
            break;  // sorted: the first undecided one is this campaign's earliest
        }
    }
    return best;
}

std::optional<Instant> Scheduler::next_due() {
    std::optional<Instant> best = journal_.next_retry();
    if (const auto next = next_occurrence(); next && (!best || next->due < *best)) best = next->due;
    return best;
}

std::vector<FiringReport> Scheduler::run_due() {
    const Instant now = clock_.now();
    std::vector<FiringReport> reports;
    for (const auto& campaign : runtime_.campaigns) {
        if (!campaign.config.enabled) continue;
        try {
            auto r = run_campaign(campaign, now);
            reports.insert(reports.end(), std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
        } catch (const std::exception& e) {
            campaign.log->error("campaign {} (plugin {}): {}", campaign.id(), campaign.plugin_name, e.what());
        }
    }
    retry_failed_deliveries(now);
    return reports;
}

std::vector<FiringReport> Scheduler::run_campaign(const Campaign& campaign, Instant now) {
    const Instant enrolled = journal_.enrol(campaign.id(), now);
    const auto responses = journal_.responses(campaign.id());
    const auto occurrences = expand_occurrences(campaign, responses);

    // Due and undecided, grouped per step for coalescing.
    std::map<const Step*, std::vector<PlannedOccurrence>> due;
    for (const auto& o : occurrences) {
        if (o.due > now || o.due < enrolled) continue;
        if (journal_.occurrence(campaign.id(), o.step->id, o.id)) continue;
        due[o.step].push_back(o);
    }

    std::vector<FiringReport> reports;
    auto decide = [&](const PlannedOccurrence& o, OccurrenceStatus status, std::string reason) {
        journal_.decide({campaign.id(), o.step->id, o.id, o.due, status, reason, now});
        FiringReport report{o, status, std::move(reason), now, {}, 0, 0};
        if (observer_) observer_->occurrence_decided(report);
        reports.push_back(std::move(report));
    };

    std::vector<PlannedOccurrence> candidates;
    for (auto& [step, list] : due) {
        if (coalesces(*step) && list.size() > 1) {
            // Missed occurrences of one recurring step collapse into the latest.
            for (std::size_t i = 0; i + 1 < list.size(); ++i)
                decide(list[i], OccurrenceStatus::Coalesced, "coalesced into " + list.back().id);
            candidates.push_back(list.back());
        } else {
            candidates.insert(candidates.end(), list.begin(), list.end());
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const PlannedOccurrence& a, const PlannedOccurrence& b) { return a.due < b.due; });

    for (const auto& o : candidates) {
        if (const auto* after = std::get_if<AfterTrigger>(&o.step->trigger)) {
            const auto ref = journal_.occurrence(campaign.id(), after->step, o.depends_on);
            if (!ref) {
                const Step* ref_step = campaign.step(after->step);
                const bool before_enrolment = std::any_of(occurrences.begin(), occurrences.end(), [&](const auto& r) {
                    return r.step == ref_step && r.id == o.depends_on && r.due < enrolled;
                });
                if (before_enrolment)
                    decide(o, OccurrenceStatus::Skipped, after->step + " fell before the campaign was enrolled");
                continue;  // otherwise decided later in this or the next pass
            }
            if (ref->status != OccurrenceStatus::Fired) {
                decide(o, OccurrenceStatus::Skipped, after->step + " " + o.depends_on + " did not fire");
                continue;
            }
        }
        if (o.valid_until && now >= *o.valid_until) {
            decide(o, OccurrenceStatus::Skipped,
                   "deadline " + format_date(local_date(*o.valid_until, campaign.timezone())) + " has passed");
            continue;
        }
        const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - o.due);
        if (o.step->misfire.kind == MisfirePolicy::Kind::SkipWhenLate && late > o.step->misfire.grace) {
            decide(o, OccurrenceStatus::Skipped,
                   "missed by " + format_duration(late) + " (grace " + format_duration(o.step->misfire.grace) + ")");
            continue;
        }
        const std::string key = occurrence_key(o);
        try {
            auto report = fire(o, responses, now);
            broken_.erase(key);
            if (observer_) observer_->occurrence_decided(report);
            reports.push_back(std::move(report));
        } catch (const std::exception& e) {
            broken_.insert(key);
            campaign.log->error("{} {} {}: cannot fire: {}", campaign.id(), o.step->id, o.id, e.what());
            journal_.audit(now, campaign.id(), "fire_error", key + ": " + e.what());
        }
    }
    return reports;
}

FiringReport Scheduler::fire(const PlannedOccurrence& o, const std::vector<ResponseRecord>& responses, Instant now) {
    const Campaign& campaign = *o.campaign;
    FiringReport report{o, OccurrenceStatus::Fired, {}, now, {}, 0, 0};
    const auto late = std::chrono::duration_cast<std::chrono::seconds>(now - o.due);
    if (late > std::chrono::minutes(1)) report.reason = "late by " + format_duration(late);

    const auto known = responses_until(responses, now);
    const TemplateData shared = occurrence_values(o, known);
    // One transaction per occurrence: a crash mid-way leaves no rows, and the
    // next pass finds the letters already in the outbox by their file names.
    Journal::Batch batch(journal_);
    auto already = [&](const std::string& key) {
        if (!journal_.delivery(key)) return false;
        ++report.already_delivered;
        return true;
    };
    if (std::holds_alternative<TaskAction>(o.step->action)) {
        if (!already(idempotency_key(o, "staff"))) deliver(compose_task(o, shared, known), report, now);
    } else {
        const auto& action = std::get<LetterAction>(o.step->action);
        const auto& roles = action.roles.empty() ? campaign.config.addressees : action.roles;
        for (const State* state : resolve_audience(campaign, o.step->audience, known, o.only_state)) {
            for (const auto& role : roles) {
                const Addressee* addressee = state->addressee(role);
                if (!addressee) {
                    campaign.log->warn("{} {}: {} has no {} in the roster; not written to", campaign.id(), o.step->id,
                                       state->code, role);
                    continue;
                }
                if (already(idempotency_key(o, state->code + "/" + role))) continue;
                deliver(compose_letter(o, shared, *state, *addressee), report, now);
            }
        }
    }
    journal_.decide({campaign.id(), o.step->id, o.id, o.due, OccurrenceStatus::Fired, report.reason, now});
    batch.commit();
    return report;
}

void Scheduler::deliver(const Letter& letter, FiringReport& report, Instant now) {
    const DeliveryResult result = channel_.deliver(letter);
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
    journal_.record_delivery(record);
}

void Scheduler::retry_failed_deliveries(Instant now) {
    for (auto record : journal_.pending_retries(now)) {
        const Campaign* campaign = runtime_.campaign(record.letter.campaign);
        const Step* step = campaign ? campaign->step(record.letter.step) : nullptr;
        if (campaign && step) {
            const auto deadline = deadline_instant(*campaign, *step);
            if (deadline && now >= *deadline) {
                record.status = DeliveryStatus::Failed;
                record.detail = "deadline passed before it could be delivered; last error: " + record.detail;
                record.next_attempt.reset();
                record.updated_at = now;
                journal_.record_delivery(record);
                if (observer_) observer_->delivery_retried(record);
                continue;
            }
        }
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
        journal_.record_delivery(record);
        if (observer_) observer_->delivery_retried(record);
    }
}

}  // namespace outreach
