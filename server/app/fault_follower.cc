#include "linecrew/server/app/fault_follower.h"

#include <chrono>
#include <exception>
#include <iostream>
#include <set>

namespace linecrew::app {

FaultFollower::FaultFollower(Dispatch& dispatch, storage::ChangeFeed& feed) : dispatch_(dispatch), feed_(feed) {}

FaultFollower::~FaultFollower() {
  stop();
}

void FaultFollower::start() {
  cursor_ = feed_.last_sequence();
  dispatch_.follow_all_faults();
  thread_ = std::thread([this] { run(); });
}

void FaultFollower::stop() {
  stop_ = true;
  dispatch_.changes().notify();  // wakes run()
  if (thread_.joinable()) thread_.join();
}

bool FaultFollower::step() {
  constexpr std::size_t kPage = 1000;
  const auto changes = feed_.changes_since(cursor_, kPage);
  if (changes.empty()) return false;
  std::set<TicketId> tickets;
  for (const auto& c : changes)
    if (c.kind == storage::Change::Kind::kTicket) tickets.insert(TicketId(c.id));
  dispatch_.follow_faults({tickets.begin(), tickets.end()});
  cursor_ = changes.back().sequence;
  return true;
}

void FaultFollower::run() {
  while (!stop_) {
    const std::uint64_t seen = dispatch_.changes().generation();
    bool more = false;
    try {
      more = step();
    } catch (const std::exception& e) {  // the next change (or the timeout) tries again
      std::cerr << "linecrew-server: fault follower: " << e.what() << "\n";
    }
    if (!more && !stop_) dispatch_.changes().wait_past(seen, std::chrono::seconds(1));
  }
}

}  // namespace linecrew::app
