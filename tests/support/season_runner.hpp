#pragma once
// Runs a season on a virtual clock, recording scripted responses when the clock
// reaches them, as an operator would — what `simulate --responses` does, for
// tests that drive the scheduler in-process.
#include <algorithm>
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "outreach/clock.hpp"
#include "schedule/scheduler.hpp"

namespace outreach::test {

struct ScriptedResponse {
    std::string state, kind, payload;
    Instant at;
};

inline void run_season(Scheduler& scheduler, Journal& journal, VirtualClock& clock, const std::string& campaign,
                       std::vector<ScriptedResponse> responses, Instant to) {
    std::stable_sort(responses.begin(), responses.end(),
                     [](const ScriptedResponse& a, const ScriptedResponse& b) { return a.at < b.at; });
    std::size_t next_response = 0;
    scheduler.run_due();
    for (;;) {
        const auto due = scheduler.next_due();
        const bool response_first = next_response < responses.size() && (!due || responses[next_response].at <= *due);
        const Instant next = response_first ? responses[next_response].at : due.value_or(to);
        if (next >= to) break;
        clock.set(std::max(clock.now(), next));
        if (response_first) {
            const auto& r = responses[next_response++];
            journal.add_response(campaign, Response{r.state, r.kind, r.payload, r.at}, "", clock.now());
        }
        scheduler.run_due();
    }
}

}  // namespace outreach::test
