#pragma once
// Jobs run by background threads and, while it waits for them, by the thread that
// queued them. The Maildir channel builds and writes its letters here: building a
// MIME message (GMime) is a third of the cost of a letter, and on a machine with
// two cores it then runs beside the scheduler, which composes the next letters.
//
// A job must not throw (it reports through what it captured) and must not touch
// anything the queuing thread uses until wait() has returned.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace outreach {

class WorkQueue {
public:
    // `workers` background threads, started with every signal blocked (signals
    // belong to the daemon's signalfd, on the main thread).
    explicit WorkQueue(unsigned workers);
    ~WorkQueue();  // runs what is queued, then stops the threads
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    void submit(std::function<void()> job);
    // Returns when every job submitted so far has run; runs queued jobs meanwhile.
    void wait();
    // Returns once `done()` holds, running queued jobs (oldest first) meanwhile;
    // `done` is checked with the queue locked, after each job.
    void wait_until(const std::function<bool()>& done);

    // One per core beside the caller's, at least one, at most three.
    static unsigned default_workers();

private:
    void work();
    void stop();  // the threads finish what they run, take nothing more, and end
    bool run_one(std::unique_lock<std::mutex>& lock);

    std::mutex mutex_;
    std::condition_variable job_ready_;
    std::condition_variable job_done_;
    std::deque<std::function<void()>> jobs_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace outreach
