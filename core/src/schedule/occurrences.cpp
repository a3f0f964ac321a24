#include "schedule/occurrences.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "schedule/recurrence.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

std::string local_id(Date date, LocalTime time) { return format_date(date) + "T" + format_local_time(time); }

const Milestone& milestone_or_throw(const Campaign& campaign, const std::string& id, const Step& step) {
    if (const Milestone* m = campaign.workflow.milestone(id)) return *m;
    throw std::runtime_error("step '" + step.id + "' refers to unknown milestone '" + id + "'");
}

std::string signed_days(Days d) {
    const auto n = d.count();
    if (n == 0) return "";
    return (n > 0 ? " + " : " - ") + std::to_string(n > 0 ? n : -n) + (n == 1 || n == -1 ? " day" : " days");
}

struct Expander {
    const Campaign& campaign;
    const std::vector<ResponseRecord>& responses;
    std::map<std::string, std::vector<PlannedOccurrence>> by_step;
    std::vector<std::string> in_progress;  // cycle detection for `after`

    const std::vector<PlannedOccurrence>& of(const Step& step) {
        if (auto it = by_step.find(step.id); it != by_step.end()) return it->second;
        if (std::find(in_progress.begin(), in_progress.end(), step.id) != in_progress.end())
            throw std::runtime_error("step '" + step.id + "' is part of an `after` cycle");
        in_progress.push_back(step.id);
        auto list = expand(step);
        in_progress.pop_back();
        const auto deadline = deadline_instant(campaign, step);
        std::erase_if(list, [&](const PlannedOccurrence& o) { return deadline && o.due >= *deadline; });
        for (auto& o : list) o.valid_until = deadline;
        return by_step.emplace(step.id, std::move(list)).first->second;
    }

    PlannedOccurrence make(const Step& step, std::string id, Instant due) {
        PlannedOccurrence o;
        o.campaign = &campaign;
        o.step = &step;
        o.id = std::move(id);
        o.due = due;
        return o;
    }

    std::vector<PlannedOccurrence> expand(const Step& step) {
        const std::string& zone = campaign.timezone();
        std::vector<PlannedOccurrence> out;
        if (const auto* at = std::get_if<AtTrigger>(&step.trigger)) {
            const Date day = milestone_or_throw(campaign, at->milestone, step).date + at->offset;
            out.push_back(make(step, local_id(day, at->time), to_instant(day, at->time, zone)));
        } else if (const auto* every = std::get_if<EveryTrigger>(&step.trigger)) {
            const Date start = milestone_or_throw(campaign, every->from_milestone, step).date + every->from_offset;
            const Date until = milestone_or_throw(campaign, every->until_milestone, step).date;
            for (const auto& local : expand_rrule(every->rrule, start, every->time, until))
                out.push_back(make(step, local_id(local.date, local.time), to_instant(local.date, local.time, zone)));
        } else if (const auto* after = std::get_if<AfterTrigger>(&step.trigger)) {
            const Step* referenced = campaign.step(after->step);
            if (!referenced)
                throw std::runtime_error("step '" + step.id + "' runs after unknown step '" + after->step + "'");
            for (const auto& ref : of(*referenced)) {
                auto o = make(step, ref.id, ref.due + after->delay);
                o.depends_on = ref.id;
                o.only_state = ref.only_state;
                o.response = ref.response;
                out.push_back(std::move(o));
            }
        } else if (const auto* on = std::get_if<OnResponseTrigger>(&step.trigger)) {
            for (const auto& r : responses) {
                if (r.response.kind != on->kind) continue;
                const Date day = local_date(r.response.at, zone) + on->delay;
                auto o = make(step, "response-" + std::to_string(r.id), to_instant(day, on->time, zone));
                o.only_state = r.response.state;
                o.response = r;
                out.push_back(std::move(o));
            }
        }
        return out;
    }
};

}  // namespace

std::optional<Instant> deadline_instant(const Campaign& campaign, const Step& step) {
    if (step.valid_until.empty()) return std::nullopt;
    const Milestone& m = milestone_or_throw(campaign, step.valid_until, step);
    return start_of_day(m.date, campaign.timezone());
}

std::vector<PlannedOccurrence> expand_occurrences(const Campaign& campaign, const std::vector<ResponseRecord>& responses) {
    Expander expander{campaign, responses, {}, {}};
    std::vector<PlannedOccurrence> all;
    for (const auto& step : campaign.workflow.steps) {
        const auto& list = expander.of(step);
        all.insert(all.end(), list.begin(), list.end());
    }
    std::map<const Step*, std::size_t> order;
    for (std::size_t i = 0; i < campaign.workflow.steps.size(); ++i) order[&campaign.workflow.steps[i]] = i;
    std::stable_sort(all.begin(), all.end(), [&](const PlannedOccurrence& a, const PlannedOccurrence& b) {
        if (a.due != b.due) return a.due < b.due;
        return order[a.step] < order[b.step];
    });
    return all;
}

std::string describe_trigger(const Campaign& campaign, const Step& step) {
    (void)campaign;
    if (const auto* at = std::get_if<AtTrigger>(&step.trigger))
        return "at " + at->milestone + signed_days(at->offset) + ", " + format_local_time(at->time);
    if (const auto* every = std::get_if<EveryTrigger>(&step.trigger))
        return "every " + every->rrule + " from " + every->from_milestone + signed_days(every->from_offset) +
               " until " + every->until_milestone + ", " + format_local_time(every->time);
    if (const auto* after = std::get_if<AfterTrigger>(&step.trigger))
        return "after " + after->step + " + " + std::to_string(after->delay.count()) + " min";
    if (const auto* on = std::get_if<OnResponseTrigger>(&step.trigger))
        return "on response " + on->kind + signed_days(on->delay) + ", " + format_local_time(on->time);
    return "?";
}

std::string describe_audience(const Audience& audience) {
    switch (audience.kind) {
        case Audience::Kind::All: return "all States";
        case Audience::Kind::WithResponse:
            return audience.response_kind.empty() ? "States that responded" : "States that answered " + audience.response_kind;
        case Audience::Kind::WithoutResponse:
            return audience.response_kind.empty() ? "States that have not responded"
                                                  : "States that have not answered " + audience.response_kind;
        case Audience::Kind::Predicate: return "States matching " + audience.predicate;
        case Audience::Kind::Staff: return "staff";
    }
    return "?";
}

}  // namespace outreach
