#include <catch2/catch.hpp>

#include "schedule/recurrence.hpp"
#include "time/timezone.hpp"

using namespace outreach;

namespace {
const std::string kNewYork = "America/New_York";
}

TEST_CASE("09:00 local stays 09:00 across DST in New York", "[timezone]") {
    // EST (UTC-5) before 11 March 2007, EDT (UTC-4) after.
    CHECK(format_instant_utc(to_instant(make_date(2007, 3, 10), {9, 0}, kNewYork)) == "2007-03-10T14:00:00Z");
    CHECK(format_instant_utc(to_instant(make_date(2007, 3, 12), {9, 0}, kNewYork)) == "2007-03-12T13:00:00Z");
    CHECK(format_local(to_instant(make_date(2007, 3, 12), {9, 0}, kNewYork), kNewYork) == "2007-03-12 09:00 EDT");
}

TEST_CASE("a local time in the spring-forward gap moves forward by the gap", "[timezone]") {
    // 2007-03-11 02:30 does not exist in New York; it becomes 03:30 EDT.
    const Instant t = to_instant(make_date(2007, 3, 11), {2, 30}, kNewYork);
    CHECK(format_instant_utc(t) == "2007-03-11T07:30:00Z");
    CHECK(format_local(t, kNewYork) == "2007-03-11 03:30 EDT");
}

TEST_CASE("an ambiguous fall-back local time is its first occurrence", "[timezone]") {
    // 2007-11-04 01:30 happens twice; the EDT one (05:30Z) is chosen, so it fires once.
    const Instant t = to_instant(make_date(2007, 11, 4), {1, 30}, kNewYork);
    CHECK(format_instant_utc(t) == "2007-11-04T05:30:00Z");
    CHECK(format_local(t, kNewYork) == "2007-11-04 01:30 EDT");
}

TEST_CASE("deadline instants are the start of the local day", "[timezone]") {
    CHECK(format_instant_utc(start_of_day(make_date(2007, 9, 1), kNewYork)) == "2007-09-01T04:00:00Z");
    CHECK(local_date(start_of_day(make_date(2007, 9, 1), kNewYork), kNewYork) == make_date(2007, 9, 1));
    CHECK_THROWS_WITH(to_instant(make_date(2007, 1, 1), {9, 0}, "Mars/Olympus"), Catch::Contains("Mars/Olympus"));
}

TEST_CASE("RRULE expansion is bounded by the until date", "[recurrence]") {
    const auto six_monthly = expand_rrule("FREQ=MONTHLY;INTERVAL=6", make_date(2006, 7, 24), {9, 0}, make_date(2008, 1, 1));
    REQUIRE(six_monthly.size() == 3);
    CHECK(six_monthly[0].date == make_date(2006, 7, 24));
    CHECK(six_monthly[1].date == make_date(2007, 1, 24));
    CHECK(six_monthly[2].date == make_date(2007, 7, 24));
    CHECK(six_monthly[2].time == LocalTime{9, 0});

    const auto weekly = expand_rrule("FREQ=WEEKLY;BYDAY=MO", make_date(2007, 8, 6), {10, 0}, make_date(2007, 9, 1));
    REQUIRE(weekly.size() == 4);  // 6, 13, 20, 27 August; 3 September is past the bound
    CHECK(weekly.back().date == make_date(2007, 8, 27));

    const auto capped = expand_rrule("FREQ=DAILY", make_date(2007, 1, 1), {9, 0}, make_date(2100, 1, 1), 10);
    CHECK(capped.size() == 10);
}

TEST_CASE("malformed RRULEs are refused with a reason", "[recurrence]") {
    CHECK_THROWS_AS(expand_rrule("FREQ=SOMETIMES", make_date(2007, 1, 1), {9, 0}, make_date(2008, 1, 1)),
                    std::invalid_argument);
    CHECK_FALSE(check_rrule("INTERVAL=2").empty());
    CHECK(check_rrule("FREQ=MONTHLY;INTERVAL=6").empty());
}
