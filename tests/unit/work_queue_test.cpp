#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "delivery/work_queue.hpp"

using outreach::WorkQueue;

TEST_CASE("work queue: every job runs once, wait() returns after the last", "[work_queue]") {
    WorkQueue queue(2);
    std::vector<std::atomic<int>> runs(500);
    for (auto& r : runs) r = 0;
    for (std::size_t i = 0; i < runs.size(); ++i) queue.submit([&runs, i] { ++runs[i]; });
    queue.wait();
    for (const auto& r : runs) CHECK(r.load() == 1);
}

TEST_CASE("work queue: wait_until runs queued jobs on the waiting thread", "[work_queue]") {
    WorkQueue queue(1);
    std::atomic<bool> release{false};
    std::atomic<bool> second_done{false};
    // The one worker is held by the first job; the second can only run on the waiter.
    queue.submit([&] {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    queue.submit([&] { second_done = true; });
    queue.wait_until([&] { return second_done.load(); });
    CHECK(second_done);
    release = true;
    queue.wait();
}

TEST_CASE("work queue: destroying it runs what is queued", "[work_queue]") {
    std::atomic<int> runs{0};
    {
        WorkQueue queue(1);
        for (int i = 0; i < 100; ++i) queue.submit([&] { ++runs; });
    }
    CHECK(runs == 100);
}
