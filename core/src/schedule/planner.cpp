#include "schedule/planner.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace outreach {
namespace {
// The order responses are kept in (and seen by audiences and hooks): when the
// State answered, then the order they were recorded.
bool answered_before(const ResponseRecord& a, const ResponseRecord& b) {
    return a.response.at != b.response.at ? a.response.at < b.response.at : a.id < b.id;
}
}  // namespace

Planner::Planner(const Runtime& runtime, Journal& journal) : journal_(journal) {
    plans_.reserve(runtime.campaigns.size());
    for (const auto& campaign : runtime.campaigns) {
        if (!campaign.config.enabled) continue;
        CampaignPlan plan;
        plan.campaign = &campaign;
        plan.number = static_cast<std::uint32_t>(plans_.size());
        for (std::size_t i = 0; i < campaign.workflow.steps.size(); ++i)
            plan.step_order[&campaign.workflow.steps[i]] = static_cast<std::uint32_t>(i);
        by_id_[campaign.id()] = plans_.size();
        plans_.push_back(std::move(plan));
    }
    // One query each for what the journal already knows.
    for (auto& [id, at] : journal_.enrolments())
        if (CampaignPlan* plan = plan_of(id)) plan->enrolled = at;
    for (auto& d : journal_.decisions())
        if (CampaignPlan* plan = plan_of(d.campaign)) plan->decisions[key(d.step, d.occurrence)] = d.status;
    for (auto& r : journal_.responses_since(0)) {
        last_response_id_ = std::max(last_response_id_, r.id);
        if (CampaignPlan* plan = plan_of(r.campaign)) plan->responses.push_back(std::move(r));
    }
    for (auto& plan : plans_) {
        std::stable_sort(plan.responses.begin(), plan.responses.end(), answered_before);
        try {
            for (auto& o : expand_occurrences(*plan.campaign, plan.responses)) add(plan, std::move(o));
        } catch (const std::exception& e) {
            plan.usable = false;
            plan.campaign->log->error("campaign {} (plugin {}): cannot plan its steps: {}", plan.campaign->id(),
                                      plan.campaign->plugin_name, e.what());
        }
    }
}

Planner::CampaignPlan* Planner::plan_of(const std::string& campaign_id) {
    const auto it = by_id_.find(campaign_id);
    return it == by_id_.end() ? nullptr : &plans_[it->second];
}

const Planner::CampaignPlan& Planner::plan_of(const Campaign& campaign) const {
    const auto it = by_id_.find(campaign.id());
    if (it == by_id_.end()) throw std::logic_error("campaign " + campaign.id() + " is not planned");
    return plans_[it->second];
}

void Planner::add(CampaignPlan& plan, PlannedOccurrence occurrence) {
    const std::string k = key(occurrence.step->id, occurrence.id);
    if (plan.by_key.count(k)) return;  // planned already (a response seen twice)
    plan.occurrences.push_back(std::move(occurrence));
    const PlannedOccurrence& o = plan.occurrences.back();
    plan.by_key.emplace(k, &o);
    if (plan.decisions.count(k)) return;
    if (plan.enrolled && o.due < *plan.enrolled) return;  // before enrolment: never sent
    index(plan, o, index_instant(o));
}

Instant Planner::index_instant(const PlannedOccurrence& o) {
    if (const auto lead = o.campaign->approval_lead(*o.step)) return o.due - *lead;
    return o.due;
}

void Planner::index(CampaignPlan& plan, const PlannedOccurrence& o, Instant at) {
    if (entry_of_.count(&o)) return;
    const auto it = index_.insert(Entry{at, plan.number, plan.step_order.at(o.step), sequence_++, &o}).first;
    entry_of_.emplace(&o, it);
}

std::size_t Planner::refresh() {
    auto fresh = journal_.responses_since(last_response_id_);
    for (auto& r : fresh) {
        last_response_id_ = std::max(last_response_id_, r.id);
        if (CampaignPlan* plan = plan_of(r.campaign)) add_response(*plan, std::move(r));
    }
    return fresh.size();
}

void Planner::add_response(CampaignPlan& plan, ResponseRecord response) {
    const auto position = std::upper_bound(plan.responses.begin(), plan.responses.end(), response, answered_before);
    const auto inserted = plan.responses.insert(position, std::move(response));
    if (!plan.usable) return;
    try {
        for (auto& o : expand_response(*plan.campaign, *inserted)) add(plan, std::move(o));
    } catch (const std::exception& e) {
        plan.campaign->log->error("campaign {}: cannot plan the steps of response {}: {}", plan.campaign->id(),
                                  inserted->id, e.what());
    }
}

void Planner::enrol_new_campaigns(Instant now) {
    std::vector<CampaignPlan*> fresh;
    for (auto& plan : plans_)
        if (!plan.enrolled) fresh.push_back(&plan);
    if (fresh.empty()) return;
    {
        Journal::Batch batch(journal_);
        for (CampaignPlan* plan : fresh) plan->enrolled = journal_.enrol(plan->campaign->id(), now);
        batch.commit();
    }
    for (CampaignPlan* plan : fresh)
        for (const auto& o : plan->occurrences)
            if (o.due < *plan->enrolled)
                if (auto it = entry_of_.find(&o); it != entry_of_.end()) {
                    index_.erase(it->second);
                    entry_of_.erase(it);
                }
}

const PlannedOccurrence* Planner::next() const { return index_.empty() ? nullptr : index_.begin()->occurrence; }

std::optional<Instant> Planner::next_instant() const {
    if (index_.empty()) return std::nullopt;
    return index_.begin()->due;
}

std::vector<const PlannedOccurrence*> Planner::take_due(Instant now) {
    std::vector<const PlannedOccurrence*> due;
    while (!index_.empty() && index_.begin()->due <= now) {
        due.push_back(index_.begin()->occurrence);
        entry_of_.erase(index_.begin()->occurrence);
        index_.erase(index_.begin());
    }
    return due;
}

void Planner::put_back(const PlannedOccurrence* occurrence) { put_back_at(occurrence, index_instant(*occurrence)); }

void Planner::put_back_at(const PlannedOccurrence* occurrence, Instant at) {
    if (auto it = entry_of_.find(occurrence); it != entry_of_.end()) {
        index_.erase(it->second);
        entry_of_.erase(it);
    }
    index(plans_[by_id_.at(occurrence->campaign->id())], *occurrence, at);
}

void Planner::record_decision(const PlannedOccurrence& o, OccurrenceStatus status) {
    plans_[by_id_.at(o.campaign->id())].decisions[key(o.step->id, o.id)] = status;
}

std::optional<OccurrenceStatus> Planner::decision(const Campaign& campaign, const std::string& step,
                                                  const std::string& occurrence) const {
    const auto& plan = plan_of(campaign);
    const auto it = plan.decisions.find(key(step, occurrence));
    if (it == plan.decisions.end()) return std::nullopt;
    return it->second;
}

const PlannedOccurrence* Planner::find(const Campaign& campaign, const std::string& step,
                                       const std::string& occurrence) const {
    const auto& plan = plan_of(campaign);
    const auto it = plan.by_key.find(key(step, occurrence));
    return it == plan.by_key.end() ? nullptr : it->second;
}

std::optional<Instant> Planner::enrolled_at(const Campaign& campaign) const { return plan_of(campaign).enrolled; }

const std::vector<ResponseRecord>& Planner::responses(const Campaign& campaign) const {
    return plan_of(campaign).responses;
}

std::size_t Planner::planned() const {
    std::size_t n = 0;
    for (const auto& plan : plans_) n += plan.occurrences.size();
    return n;
}

}  // namespace outreach
