// One fault, many callers (rules §7): follows the change feed and brings the
// tickets linked to a fault in line with their lead (Dispatch::follow_faults)
// whenever the lead changes — its crew, its progress, its arrival, its
// cancellation — on its own thread, as the notifier follows the same feed.
// At start it reconciles every open linked ticket once (a restart may have
// come between a lead's change and its callers').
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "linecrew/server/app/dispatch.h"
#include "linecrew/server/storage/crew_store.h"

namespace linecrew::app {

class FaultFollower {
 public:
  FaultFollower(Dispatch& dispatch, storage::ChangeFeed& feed);
  ~FaultFollower();
  FaultFollower(const FaultFollower&) = delete;
  FaultFollower& operator=(const FaultFollower&) = delete;
  // Reconciles, then follows from the feed's head.
  void start();
  void stop();

 private:
  void run();
  // Follows the feed once from the cursor to its head; false when it was at the head already.
  bool step();

  Dispatch& dispatch_;
  storage::ChangeFeed& feed_;
  std::uint64_t cursor_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace linecrew::app
