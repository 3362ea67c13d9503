#include "linecrew/core/batch_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace linecrew {
namespace {

struct Job {
  int in = 0;
  int out = 0;
};

TEST(BatchQueue, EveryCallerGetsItsOwnItemBackAndConcurrentCallersShareBatches) {
  BatchQueue<Job> q;
  std::atomic<int> batches{0}, handled{0};
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const int in = t * kEach + i;
        const Job done = q.submit({in, 0}, [&](BatchQueue<Job>::Batch& batch) {
          ++batches;
          for (auto& e : batch) e->item.out = e->item.in * 2;
          handled += static_cast<int>(batch.size());
          std::this_thread::yield();
        });
        if (done.out != in * 2) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(handled, kThreads * kEach);  // each item handled exactly once
  EXPECT_LE(batches, kThreads * kEach);
}

TEST(BatchQueue, CallersArrivingWhileABatchRunsAreHandledTogetherInTheNext) {
  BatchQueue<Job> q;
  std::vector<std::size_t> sizes;  // written by leaders only, one at a time
  std::atomic<bool> first_running{false};
  std::thread a([&] {
    q.submit({1, 0}, [&](BatchQueue<Job>::Batch& batch) {
      sizes.push_back(batch.size());
      first_running = true;
      // Hold the lead until both others are queued (at most 10 s).
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (q.waiting() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    });
  });
  while (!first_running) std::this_thread::yield();
  const auto one = [&](int in) {
    return [&q, &sizes, in] { q.submit({in, 0}, [&](BatchQueue<Job>::Batch& b) { sizes.push_back(b.size()); }); };
  };
  std::thread b(one(2)), c(one(3));
  a.join();
  b.join();
  c.join();
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0], 1u);
  EXPECT_EQ(sizes[1], 2u);  // one leader, one transaction for both
}

TEST(BatchQueue, AnEntrysErrorFailsOnlyItsCallerAndAnEscapingErrorFailsTheBatch) {
  BatchQueue<Job> q;
  const auto fail_odd = [](BatchQueue<Job>::Batch& batch) {
    for (auto& e : batch)
      if (e->item.in % 2) e->error = std::make_exception_ptr(std::runtime_error("odd"));
  };
  EXPECT_THROW(q.submit({3, 0}, fail_odd), std::runtime_error);
  EXPECT_NO_THROW(q.submit({4, 0}, fail_odd));
  EXPECT_THROW(q.submit({4, 0}, [](BatchQueue<Job>::Batch&) { throw std::logic_error("commit failed"); }),
               std::logic_error);
  // The queue still works after a failed batch.
  EXPECT_EQ(q.submit({5, 0}, [](BatchQueue<Job>::Batch& b) { b[0]->item.out = 1; }).out, 1);
}

}  // namespace
}  // namespace linecrew
