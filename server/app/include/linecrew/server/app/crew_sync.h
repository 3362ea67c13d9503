// The handheld sync use cases, free of gRPC: a session start (Hello), the
// outbox upload with per-device dedup and the conflict rules, and the crew's
// change feed (Pull). The RPC layer converts to and from these.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/clock.h"
#include "linecrew/core/crew_action.h"
#include "linecrew/server/app/dispatch.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/storage/sync_store.h"

namespace linecrew::app {

// A position fix from the handheld.
struct PositionReport {
  GeoPoint point{0, 0};
  float accuracy_m = 0;
  TimePoint fix_time;
};

// One uploaded outbox entry, validated by the RPC layer.
struct DeviceAction {
  std::string op_id;
  std::string fingerprint;  // of the entry's content
  TimePoint device_time;
  TicketId ticket;                         // empty for a position fix
  std::optional<CrewAction> action;        // set for ticket actions (crew and event_time filled here)
  std::optional<PositionReport> position;  // set for a position fix
};

struct PullItem {
  std::uint64_t sequence = 0;
  std::optional<Ticket> ticket;               // the ticket as it is now
  std::optional<storage::FeedEntry> removal;  // or: taken from the crew
};

struct PullResult {
  std::vector<PullItem> items;
  std::uint64_t next_cursor = 0;
  bool has_more = false;
  bool reset = false;
  std::vector<planner::Stop> plan;  // the crew's route now (empty without a planner)
  TimePoint server_time;
};

struct SyncLag {
  CrewId crew;
  Duration since_last_pull;
};

class CrewSync {
 public:
  CrewSync(const Clock& clock, Dispatch& dispatch, storage::SyncStore& store);

  // The crew the device's token is bound to (Error kNotFound if it was deleted).
  Crew hello(const CrewId& crew, const DeviceId& device_id);
  // Applies the actions in order, durably, and tells the planner and the board.
  std::vector<storage::SyncAck> upload(const CrewId& crew, const DeviceId& device_id, TimePoint device_send_time,
                                       std::vector<DeviceAction> actions);
  // Feed entries after `cursor` (a full resync when 0 or unknown), at most `max_changes`.
  PullResult pull(const CrewId& crew, const DeviceId& device_id, std::uint64_t cursor, std::size_t max_changes);
  // Time since each crew's last pull, for the metrics.
  std::vector<SyncLag> sync_lag();

 private:
  void after_commit(const std::vector<storage::SyncAck>& acks);
  void note_pull(const CrewId& crew);

  const Clock& clock_;
  Dispatch& dispatch_;
  storage::SyncStore& store_;
  std::mutex lag_mu_;
  std::map<CrewId, TimePoint> last_pull_;
};

}  // namespace linecrew::app
