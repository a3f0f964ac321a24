#include "schedule/occurrences.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "schedule/recurrence.hpp"
#include "time/business_calendar.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

std::string local_id(Date date, LocalTime time) { return format_date(date) + "T" + format_local_time(time); }

const Milestone& milestone_or_throw(const Campaign& campaign, const std::string& id, const Step& step) {
    if (const Milestone* m = campaign.workflow.milestone(id)) return *m;
    throw std::runtime_error("step '" + step.id + "' refers to unknown milestone '" + id + "'");
}

std::string signed_offset(const Offset& offset) {
    std::string text;
    auto part = [&](long long n, const char* unit) {
        if (n == 0) return;
        text += (n > 0 ? " + " : " - ") + std::to_string(n > 0 ? n : -n) + " " + unit + (n == 1 || n == -1 ? "" : "s");
    };
    part(offset.months, "month");
    part(offset.days.count(), "day");
    return text;
}

// The States a per-State milestone names that the campaign writes to, with their dates.
std::vector<std::pair<const State*, Date>> per_state_dates(const Campaign& campaign, const Milestone& m) {
    std::vector<std::pair<const State*, Date>> out;
    for (const auto& [code, date] : m.per_state)
        if (const State* s = campaign.roster.find(code)) out.emplace_back(s, date);
    return out;
}

struct Expander {
    const Campaign& campaign;
    const std::vector<ResponseRecord>& responses;
    bool responses_only = false;  // expand_response: at/every produce nothing
    std::map<std::string, std::vector<PlannedOccurrence>> by_step = {};
    std::vector<std::string> in_progress = {};  // cycle detection for `after`
    // The first campaign-wide milestone: rolls never move a letter before it.
    std::optional<Date> campaign_start = [this]() -> std::optional<Date> {
        std::optional<Date> first;
        for (const auto& m : campaign.workflow.milestones)
            if (!m.is_per_state() && (!first || m.date < *first)) first = m.date;
        return first;
    }();

    const std::vector<PlannedOccurrence>& of(const Step& step) {
        if (auto it = by_step.find(step.id); it != by_step.end()) return it->second;
        if (std::find(in_progress.begin(), in_progress.end(), step.id) != in_progress.end())
            throw std::runtime_error("step '" + step.id + "' is part of an `after` cycle");
        in_progress.push_back(step.id);
        auto list = step.enabled ? expand(step) : std::vector<PlannedOccurrence>{};
        in_progress.pop_back();
        std::optional<Instant> step_deadline;
        const bool per_state_deadline = [&] {
            const Milestone* m = step.valid_until.empty() ? nullptr : campaign.workflow.milestone(step.valid_until);
            return m && m->is_per_state();
        }();
        if (!per_state_deadline) step_deadline = deadline_instant(campaign, step);
        for (auto& o : list)
            o.valid_until = per_state_deadline && !o.only_state.empty()
                                ? deadline_instant(campaign, step, o.only_state)
                                : step_deadline;
        std::erase_if(list, [&](const PlannedOccurrence& o) { return o.valid_until && o.due >= *o.valid_until; });
        return by_step.emplace(step.id, std::move(list)).first->second;
    }

    PlannedOccurrence make(const Step& step, std::string id, Instant due, std::string state = {}) {
        PlannedOccurrence o;
        o.campaign = &campaign;
        o.step = &step;
        o.id = std::move(id);
        o.due = due;
        o.nominal_due = due;
        o.only_state = std::move(state);
        return o;
    }

    static RollDirection direction_of(const Step& step) {
        switch (step.roll) {
            case Roll::Forward: return RollDirection::Forward;
            case Roll::Back: return RollDirection::Back;
            case Roll::None: return RollDirection::None;
            case Roll::Auto: break;
        }
        return step.valid_until.empty() ? RollDirection::Forward : RollDirection::Back;
    }

    // The date of the step's deadline for `state` (per-State deadlines: that State's own).
    std::optional<Date> deadline_date(const Step& step, const std::string& state) const {
        if (step.valid_until.empty()) return std::nullopt;
        const Milestone* m = campaign.workflow.milestone(step.valid_until);
        if (!m) return std::nullopt;
        if (!m->is_per_state()) return m->date;
        const auto it = m->per_state.find(state);
        if (it == m->per_state.end()) return std::nullopt;
        return it->second;
    }

    // Moves `o` (planned for `day` at `time`, local) off a day the campaign's
    // calendar closes, keeping `time`. What it must precede bounds the roll: the
    // step's deadline (never reached), `must_precede` (a series' `until`), and
    // `anchor`, the milestone the trigger counts from: an occurrence planned
    // before it stays before it, one planned after it stays after it. Without a
    // working day in range the occurrence keeps its date and says why (roll_note).
    void roll(PlannedOccurrence& o, Date day, LocalTime time, std::optional<Date> anchor,
              std::optional<Date> must_precede = std::nullopt) {
        const BusinessCalendar& calendar = *campaign.calendar;
        const RollDirection direction = direction_of(*o.step);
        if (direction == RollDirection::None || calendar.is_working_day(day)) return;
        const std::optional<Date> deadline = deadline_date(*o.step, o.only_state);
        if (deadline && day >= *deadline) return;  // never sent at all (dropped in of())
        std::optional<Date> earliest, latest;
        const auto before = [&](Date limit) {
            if (!latest || limit - Days{1} < *latest) latest = limit - Days{1};
        };
        if (deadline) before(*deadline);
        if (must_precede) before(*must_precede);
        if (anchor && day < *anchor) before(*anchor);
        if (anchor && day > *anchor) earliest = *anchor + Days{1};
        // Never before the campaign begins (its first campaign-wide milestone):
        // a letter rolled back past it would never be sent.
        if (campaign_start && day >= *campaign_start && (!earliest || *earliest < *campaign_start))
            earliest = campaign_start;
        // The rule's direction first; when the bounds leave no working day that
        // way, the other way within the same bounds.
        const RollDirection other = direction == RollDirection::Forward ? RollDirection::Back : RollDirection::Forward;
        for (const RollDirection way : {direction, other}) {
            if (const auto rolled = roll_to_working_day(calendar, day, way, earliest, latest)) {
                o.due = to_instant(*rolled, time, campaign.timezone());
                return;
            }
        }
        o.roll_note = format_day_short(day) + " " + std::to_string(static_cast<int>(std::chrono::year_month_day{day}.year())) +
                      " is closed (" + calendar.closed_because(day) + ") and no working day lies between " +
                      (earliest ? format_date(*earliest) : std::string("the start")) + " and " +
                      (latest ? format_date(*latest) : std::string("the end")) + ": it stays on its date";
    }

    // `anchor`: the `from` milestone's date (for this State, if per-State).
    void expand_series(const Step& step, const EveryTrigger& every, Date anchor, std::optional<Date> until,
                       const std::string& state, std::vector<PlannedOccurrence>& out) {
        const Date start = apply_offset(anchor, every.from_offset);
        const std::string& zone = campaign.timezone();
        // No `until`: the rule's own COUNT/UNTIL ends it, within the expansion cap.
        const Date end = until.value_or(Date::max());
        std::size_t index = 0;
        std::optional<Date> last_day;  // of the previous occurrence kept, once rolled
        for (const auto& local : expand_rrule(every.rrule, start, every.time, end)) {
            const std::string id = local_id(local.date, local.time);
            auto o = make(step, state.empty() ? id : state + "@" + id, to_instant(local.date, local.time, zone), state);
            roll(o, local.date, local.time, anchor, until);
            // A daily or weekly rule can roll two occurrences onto one working
            // day (Saturday and Sunday onto Monday): the State gets one letter.
            const Date day = local_date(o.due, zone);
            if (last_day && day == *last_day) continue;
            last_day = day;
            o.index = index++;
            out.push_back(std::move(o));
        }
    }

    std::vector<PlannedOccurrence> expand(const Step& step) {
        const std::string& zone = campaign.timezone();
        std::vector<PlannedOccurrence> out;
        if (const auto* at = std::get_if<AtTrigger>(&step.trigger)) {
            if (responses_only) return out;
            const Milestone& m = milestone_or_throw(campaign, at->milestone, step);
            if (!m.is_per_state()) {
                const Date day = apply_offset(m.date, at->offset);
                auto o = make(step, local_id(day, at->time), to_instant(day, at->time, zone));
                roll(o, day, at->time, m.date);
                out.push_back(std::move(o));
            } else {
                for (const auto& [state, date] : per_state_dates(campaign, m)) {
                    const Date day = apply_offset(date, at->offset);
                    auto o = make(step, state->code + "@" + local_id(day, at->time), to_instant(day, at->time, zone),
                                  state->code);
                    roll(o, day, at->time, date);
                    out.push_back(std::move(o));
                }
            }
        } else if (const auto* every = std::get_if<EveryTrigger>(&step.trigger)) {
            if (responses_only) return out;
            const Milestone& from = milestone_or_throw(campaign, every->from_milestone, step);
            const Milestone* until =
                every->until_milestone.empty() ? nullptr : &milestone_or_throw(campaign, every->until_milestone, step);
            auto until_for = [&](const std::string& code) -> std::optional<Date> {
                if (!until) return std::nullopt;
                if (!until->is_per_state()) return until->date;
                const auto it = until->per_state.find(code);
                if (it == until->per_state.end()) return std::nullopt;
                return it->second;
            };
            if (!from.is_per_state()) {
                if (until && until->is_per_state())
                    throw std::runtime_error("step '" + step.id + "': a campaign-wide series cannot end at the per-State "
                                             "milestone '" + until->id + "'");
                expand_series(step, *every, from.date, until_for({}), {}, out);
            } else {
                for (const auto& [state, date] : per_state_dates(campaign, from))
                    expand_series(step, *every, date, until_for(state->code), state->code, out);
            }
        } else if (const auto* after = std::get_if<AfterTrigger>(&step.trigger)) {
            const Step* referenced = campaign.step(after->step);
            if (!referenced)
                throw std::runtime_error("step '" + step.id + "' runs after unknown step '" + after->step + "'");
            for (const auto& ref : of(*referenced)) {
                // Counted from when the referenced occurrence goes out (rolled),
                // then rolled itself if that lands on a closed day.
                const Instant at = ref.due + after->delay;
                auto o = make(step, ref.id, at, ref.only_state);
                o.nominal_due = ref.nominal_due + after->delay;
                roll(o, local_date(at, zone), local_time_of(at, zone), std::nullopt);
                o.index = ref.index;
                o.depends_on = ref.id;
                o.response = ref.response;
                out.push_back(std::move(o));
            }
        } else if (const auto* on = std::get_if<OnResponseTrigger>(&step.trigger)) {
            for (const auto& r : responses) {
                if (r.response.kind != on->kind) continue;
                const Date day = local_date(r.response.at, zone) + on->delay;
                auto o = make(step, "response-" + std::to_string(r.id), to_instant(day, on->time, zone),
                              r.response.state);
                // A reply stays after the day of the response it answers.
                roll(o, day, on->time, local_date(r.response.at, zone));
                o.response = r;
                out.push_back(std::move(o));
            }
        }
        return out;
    }

    std::vector<PlannedOccurrence> all() {
        std::vector<PlannedOccurrence> result;
        for (const auto& step : campaign.workflow.steps) {
            const auto& list = of(step);
            result.insert(result.end(), list.begin(), list.end());
        }
        std::map<const Step*, std::size_t> order;
        for (std::size_t i = 0; i < campaign.workflow.steps.size(); ++i) order[&campaign.workflow.steps[i]] = i;
        std::stable_sort(result.begin(), result.end(), [&](const PlannedOccurrence& a, const PlannedOccurrence& b) {
            if (a.due != b.due) return a.due < b.due;
            return order[a.step] < order[b.step];
        });
        return result;
    }
};

}  // namespace

Occurrence PlannedOccurrence::sdk_view() const {
    return Occurrence{step, id, index, due, only_state, response ? &response->response : nullptr};
}

std::optional<Instant> deadline_instant(const Campaign& campaign, const Step& step, const std::string& state) {
    if (step.valid_until.empty()) return std::nullopt;
    const Milestone& m = milestone_or_throw(campaign, step.valid_until, step);
    if (!m.is_per_state()) return start_of_day(m.date, campaign.timezone());
    if (state.empty()) return std::nullopt;
    const auto it = m.per_state.find(state);
    if (it == m.per_state.end()) return std::nullopt;
    return start_of_day(it->second, campaign.timezone());
}

std::vector<PlannedOccurrence> expand_occurrences(const Campaign& campaign, const std::vector<ResponseRecord>& responses) {
    return Expander{campaign, responses}.all();
}

std::vector<PlannedOccurrence> expand_response(const Campaign& campaign, const ResponseRecord& response) {
    const std::vector<ResponseRecord> one{response};
    return Expander{campaign, one, true}.all();
}

std::string describe_roll(const PlannedOccurrence& o) {
    if (!o.rolled()) return {};
    const std::string& zone = o.campaign->timezone();
    return format_day_short(local_date(o.nominal_due, zone)) + " \u2192 " + format_day_short(local_date(o.due, zone));
}

std::string describe_trigger(const Campaign& campaign, const Step& step) {
    auto per_state = [&](const std::string& milestone) {
        const Milestone* m = campaign.workflow.milestone(milestone);
        return m && m->is_per_state() ? " (each State's own date)" : "";
    };
    if (const auto* at = std::get_if<AtTrigger>(&step.trigger))
        return "at " + at->milestone + per_state(at->milestone) + signed_offset(at->offset) + ", " +
               format_local_time(at->time);
    if (const auto* every = std::get_if<EveryTrigger>(&step.trigger))
        return "every " + every->rrule + " from " + every->from_milestone + per_state(every->from_milestone) +
               signed_offset(every->from_offset) +
               (every->until_milestone.empty() ? std::string() : " until " + every->until_milestone) + ", " +
               format_local_time(every->time);
    if (const auto* after = std::get_if<AfterTrigger>(&step.trigger))
        return "after " + after->step + " + " + std::to_string(after->delay.count()) + " min";
    if (const auto* on = std::get_if<OnResponseTrigger>(&step.trigger))
        return "on response " + on->kind + signed_offset(on->delay) + ", " + format_local_time(on->time);
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
        case Audience::Kind::Predicate:
            return audience.description.empty() ? "States matching " + audience.predicate : audience.description;
        case Audience::Kind::Staff: return "staff";
        case Audience::Kind::States: {
            std::string list;
            for (const auto& code : audience.states) list += (list.empty() ? "" : ", ") + code;
            return "the States " + list;
        }
    }
    return "?";
}

}  // namespace outreach
