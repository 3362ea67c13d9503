// One simulated crew with its real handheld code in process: a LocalStore and
// a SyncAgent (crew-device token) on the crew's own clock. The crew drives the
// route its handheld holds (the server plan's order, then by deadline: the
// delay watcher's), slowed by traffic; records accept, en route, arrival and
// the close-out with the device's actions; calls the customer when the delay
// watcher prompts (scripted answer); syncs when it has a link and something to
// send, a push from the server, or its keep-alive interval has passed.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "linecrew/core/clock.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/travel.h"
#include "linecrew/device/app/watch.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/sync/sync_agent.h"
#include "report.h"
#include "scenario.h"

namespace linecrew::sim {

// What all crews of a run share, read-only while crews step.
struct World {
  const Scenario& scenario;
  const TravelModel& road;      // how fast crews really drive (before traffic)
  const TravelModel& handheld;  // the handheld's own travel model (the delay watcher's)
  const std::unordered_map<std::string, const ScenarioTicket*>& specs;  // server ticket id -> scenario ticket
};

// What one crew did, merged into the run's report at the end.
struct CrewLog {
  std::vector<std::pair<std::string, TimePoint>> arrivals;   // ticket, time (as recorded on the handheld)
  std::vector<std::pair<std::string, ContactRecord>> calls;  // ticket, every delay-call attempt
  std::uint32_t prompts = 0, yes = 0, refused = 0, unreachable = 0;
  Samples sync_ms;
  std::uint64_t syncs = 0, sync_failures = 0;
  std::size_t max_offline_outbox = 0;
  std::uint32_t uploaded_after_gap = 0;
  std::uint32_t arrivals_not_applied = 0;  // superseded / rejected by the server: not counted
  std::vector<std::string> errors;         // unexpected failures (first few)
};

class SimCrew {
 public:
  // `store_path`: a file, or ":memory:".
  SimCrew(const ScenarioCrew& spec, const std::string& store_path, const std::shared_ptr<grpc::Channel>& channel,
          const std::string& token, TimePoint start, std::vector<ConnectivityGap> gaps);

  // At `t` (the servers' clock): syncs when online and due (never synced,
  // actions queued, pushed, or `keepalive` since the last sync), then lives
  // through [t, t + dt): drives, arrives, works, calls.
  void step(TimePoint t, Duration dt, const World& w, Duration keepalive);
  // The server has news for this handheld (a push): it syncs at its next step with a link.
  void push() { pushed_ = true; }
  // What the push channel compares with the server's board (call only between steps):
  // the handheld does not hold this ticket at `version` or later,
  bool holds_older(const std::string& ticket_id, std::uint64_t version);
  // holds it as an open ticket of its own (not removed, not closed).
  bool holds_open(const std::string& ticket_id);
  // The link is back for everybody at the end: one last sync.
  void final_sync(TimePoint t);

  const ScenarioCrew& spec() const { return spec_; }
  GeoPoint position() const { return pos_; }
  bool online(TimePoint t) const;
  // Tickets this crew closed whose actions the server has acknowledged.
  const std::set<std::string>& closed_on_server() const { return closed_on_server_; }
  const CrewLog& log() const { return log_; }

 private:
  enum class Phase { kIdle, kDriving, kWorking };
  void sync(TimePoint t);
  void advance(TimePoint from, TimePoint to, const World& w);
  std::optional<RouteStop> choose_target(TimePoint t, const World& w);
  void call_customer(const DelayDecision& d, TimePoint t, double slowdown, const World& w);
  void act(const std::string& action, const TicketId& id, TimePoint t, const std::string& text = "");
  void error(const std::string& what);

  ScenarioCrew spec_;
  DeviceId device_id_;
  std::string staff_;
  device::LocalStore store_;
  ManualClock clock_;
  std::unique_ptr<device::SyncAgent> agent_;
  std::vector<ConnectivityGap> gaps_;
  GeoPoint pos_;
  Phase phase_ = Phase::kIdle;
  TicketId target_;
  GeoPoint target_loc_{0, 0};
  TimePoint work_until_;
  TimePoint last_sync_;
  bool synced_once_ = false;
  bool was_offline_ = false;
  bool moved_ = true;
  bool pushed_ = false;
  bool queued_ = false;  // actions in the outbox (tracked here: no COUNT query per step)
  bool quiet_ = false;
  std::string stored_lat_,
      stored_lon_;  // the position in the store's meta  // idle with nothing to do until a sync brings changes
  std::set<std::string> closed_on_server_;
  std::vector<std::string> closed_local_;
  CrewLog log_;
};

}  // namespace linecrew::sim
