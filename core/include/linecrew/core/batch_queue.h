// Group commit for concurrent callers: each caller queues its item; one
// caller at a time (the leader) takes every item queued so far and handles
// them in one go (one transaction and fsync in the ticket store, one hold of
// the planner at intake); every caller returns once the batch holding its
// item is done. Used by SqliteStore::create and Planning::place_new.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace linecrew {

template <class Item>
class BatchQueue {
 public:
  struct Entry {
    Item item;
    std::exception_ptr error;  // set by the batch function for this item alone
    bool done = false;
  };
  using Batch = std::vector<std::shared_ptr<Entry>>;

  // Queues `item` and waits until a batch holding it is done, leading that
  // batch when no other caller leads: `run(batch)` then handles every entry
  // (setting an entry's `error` fails that caller only; an exception out of
  // `run` fails the whole batch). Rethrows this item's error, else returns
  // the item as `run` left it.
  template <class Run>
  Item submit(Item item, Run&& run) {
    auto mine = std::make_shared<Entry>();
    mine->item = std::move(item);
    Batch batch;
    {
      std::unique_lock lock(mu_);
      queue_.push_back(mine);
      cv_.wait(lock, [&] { return mine->done || !leading_; });
      if (!mine->done) {
        leading_ = true;
        batch.swap(queue_);
      }
    }
    if (!batch.empty()) {
      std::exception_ptr failed;
      try {
        run(batch);
      } catch (...) {
        failed = std::current_exception();
      }
      std::lock_guard lock(mu_);
      for (auto& e : batch) {
        if (failed) e->error = failed;
        e->done = true;
      }
      leading_ = false;
      cv_.notify_all();
    }
    if (mine->error) std::rethrow_exception(mine->error);
    return std::move(mine->item);
  }

  // Items queued and not yet taken by a leader.
  std::size_t waiting() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Batch queue_;
  bool leading_ = false;
};

}  // namespace linecrew
