#include "universality_tally.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <date/tz.h>

namespace outreach::protocol_universality {
namespace {

std::string local_day(Instant at, const std::string& zone) {
    const auto local = date::make_zoned(zone, at).get_local_time();
    return format_date_long(Date{std::chrono::floor<Days>(local).time_since_epoch()});
}

std::string describe(const Roster& roster, const std::string& code) {
    const State* state = roster.find(code);
    return (state ? state->name : code) + " (" + code + ")";
}

}  // namespace

bool is_bound(const CampaignStateLists& lists, const std::string& code, const std::vector<Response>& responses) {
    if (lists.bound.contains(code)) return true;
    return std::any_of(responses.begin(), responses.end(),
                       [&](const Response& r) { return r.state == code && r.kind == kind::consented; });
}

UniversalityTally tally(const CampaignStateLists& lists, const Roster& roster, const std::vector<Response>& responses,
                        const std::string& zone) {
    UniversalityTally t;
    t.bound_at_start = lists.bound.size();

    // The journal lists responses in the order they were recorded, which need not
    // be the order they were given in.
    std::vector<Response> in_time_order = responses;
    std::stable_sort(in_time_order.begin(), in_time_order.end(),
                     [](const Response& a, const Response& b) { return a.at < b.at; });
    std::set<std::string> consented;
    std::map<std::string, const Response*> latest_other;  // state -> its latest in_progress/declined
    for (const auto& r : in_time_order) {
        if (r.kind == kind::consented) {
            if (lists.bound.contains(r.state) || !consented.insert(r.state).second) continue;
            t.new_parties.push_back(describe(roster, r.state) + ", " + local_day(r.at, zone));
        } else if (r.kind == kind::in_progress || r.kind == kind::declined) {
            const Response*& slot = latest_other[r.state];
            slot = &r;  // in time order: the last one wins
        }
    }
    t.consented_since = consented.size();
    t.bound_now = t.bound_at_start + t.consented_since;

    for (const auto& [code, response] : latest_other) {
        if (lists.bound.contains(code) || consented.count(code)) continue;
        std::string line = describe(roster, code);
        if (!response->payload.empty()) line += ": " + response->payload;
        (response->kind == kind::declined ? t.declined : t.in_progress).push_back(line);
    }
    for (const auto& state : roster.states()) {
        if (lists.bound.contains(state.code) || consented.count(state.code)) continue;
        ++t.not_bound;
        if (lists.in_priority_group(state.code)) ++t.priority_not_bound;
    }
    return t;
}

}  // namespace outreach::protocol_universality
