#include "delivery/work_queue.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>

namespace outreach {

WorkQueue::WorkQueue(unsigned workers) {
    // Threads inherit the creating thread's signal mask: block everything while
    // they start, so that a SIGTERM is never delivered to a worker.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    try {
        for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        stop();
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

WorkQueue::~WorkQueue() {
    wait();
    stop();
}

void WorkQueue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    job_ready_.notify_all();
    for (auto& thread : threads_) thread.join();
}

unsigned WorkQueue::default_workers() {
    const unsigned cores = std::thread::hardware_concurrency();
    return std::clamp(cores > 1 ? cores - 1 : 1U, 1U, 3U);
}

void WorkQueue::submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    job_ready_.notify_one();
}

bool WorkQueue::run_one(std::unique_lock<std::mutex>& lock) {
    if (jobs_.empty()) return false;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++running_;
    lock.unlock();
    job();
    lock.lock();
    --running_;
    job_done_.notify_all();
    return true;
}

void WorkQueue::wait() {
    wait_until([this] { return jobs_.empty() && running_ == 0; });
}

void WorkQueue::wait_until(const std::function<bool()>& done) {
    std::unique_lock lock(mutex_);
    while (!done()) {
        if (!run_one(lock)) job_done_.wait(lock);
    }
}

void WorkQueue::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        job_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, with nothing left
        run_one(lock);
    }
}

}  // namespace outreach
