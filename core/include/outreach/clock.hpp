#pragma once
// The scheduler reads time only through a Clock: real in the daemon and `run`,
// virtual in `simulate` and tests, so whole seasons replay deterministically.
#include "outreach/calendar.hpp"

namespace outreach {

class OUTREACH_EXPORT Clock {
public:
    virtual ~Clock();
    virtual Instant now() const = 0;
};

class OUTREACH_EXPORT SystemClock final : public Clock {
public:
    Instant now() const override;
};

class OUTREACH_EXPORT VirtualClock final : public Clock {
public:
    explicit VirtualClock(Instant start) : now_(start) {}
    Instant now() const override { return now_; }
    void set(Instant t) { now_ = t; }
    void advance(std::chrono::seconds d) { now_ += d; }

private:
    Instant now_;
};

}  // namespace outreach
