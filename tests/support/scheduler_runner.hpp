#pragma once
// Drives a Scheduler on a virtual clock the way `simulate` does, for the tests
// that check the scheduler's promises in-process.
#include <algorithm>
#include <string>
#include <vector>

#include "outreach/clock.hpp"
#include "schedule/scheduler.hpp"
#include "time/timezone.hpp"

namespace outreach::test {

// An instant in New York local time (the campaigns' zone in these tests).
inline Instant new_york(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
    return to_instant(make_date(y, m, d), LocalTime{hh, mm}, "America/New_York");
}

// Every pass from the clock's instant until the next due instant reaches `to`.
inline std::vector<FiringReport> run_until(Scheduler& scheduler, VirtualClock& clock, Instant to) {
    std::vector<FiringReport> all;
    auto add = [&](std::vector<FiringReport> r) { all.insert(all.end(), r.begin(), r.end()); };
    add(scheduler.run_due());
    while (auto next = scheduler.next_due()) {
        if (*next >= to) break;
        clock.set(std::max(clock.now(), *next));
        add(scheduler.run_due());
    }
    return all;
}

}  // namespace outreach::test
