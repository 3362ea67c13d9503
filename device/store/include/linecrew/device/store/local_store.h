// The handheld's local store: the crew's tickets, its route, the sync cursor,
// the outbox of crew actions, the delay-prompt log and the call log, in one
// SQLite file (WAL, synchronous=FULL). A crew action changes the local ticket
// and adds its outbox row in one transaction, so it is never half-recorded,
// with or without a network; a pulled page and its cursor are stored in one
// transaction too, so a crash never applies a change twice or skips one.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/delay_watch.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/ticket_status.h"
#include "linecrew/core/time.h"
#include "linecrew/storage/sqlite.h"

namespace linecrew::device {

// The crew's copy of one ticket: what the handheld needs offline.
struct LocalTicket {
  TicketId id;
  std::string customer_name;
  std::string customer_phone;
  std::string language;
  GeoPoint location{0, 0};
  std::string address;
  std::string zone_class = "urban";
  std::uint32_t priority = 0;
  Duration service{minutes(30)};
  TimePoint deadline;
  TimePoint effective_deadline;
  std::optional<TimePoint> earliest_start;
  TicketKind kind = TicketKind::kFaultRepair;  // a disconnection may not start before earliest_start (rules §4)
  std::optional<TimePoint> appointment;        // a scheduled visit's agreed arrival (confirmation call, rules §4)
  bool confirmed = false;                      // its confirmation call reached the customer
  std::optional<TimePoint> arrival;
  std::optional<TimePoint> eta;  // the server plan's
  TicketStatus status = TicketStatus::kAssigned;
  std::uint64_t version = 0;  // the server's version; never goes backwards
  bool cause_found = false;
  bool explained = false;
  std::string removed;  // "", "reassigned", "unassigned", "cancelled": taken from the crew
  std::string removed_detail;
};

// One crew action waiting for upload. op_id is generated on the device and
// makes the upload idempotent; body is the serialized v1.CrewAction.
struct OutboxEntry {
  std::int64_t seq = 0;  // local order of recording
  std::string op_id;
  TicketId ticket;     // empty for a position fix
  std::string action;  // "accept", "en_route", ..., "position"
  std::string body;    // the upload as recorded
  TimePoint device_time;
};

struct PlanStop {
  TicketId ticket;
  TimePoint eta;
  TimePoint departure;
};

// A pulled page in the store's terms (device/sync validates the server's data).
struct PulledChange {
  std::uint64_t sequence = 0;
  std::optional<LocalTicket> ticket;
  TicketId removed;  // set for a removal
  std::string removal_reason;
  std::string removal_detail;
};
struct PulledPage {
  bool reset = false;
  bool last = true;  // has_more was false
  std::uint64_t next_cursor = 0;
  std::vector<PulledChange> changes;
  std::optional<std::vector<PlanStop>> plan;
};

// What the crew should see: removals, rejected uploads, sync errors.
struct Notice {
  TimePoint time;
  std::string ticket;
  std::string text;
};

struct CallLogEntry {
  TimePoint time;
  TicketId ticket;
  std::string outcome;  // "yes", "refused", "unreachable", "dropped", "dialled"
  std::string detail;
};

class LocalStore {
 public:
  explicit LocalStore(const std::string& path);

  // Inserts or replaces the crew's copy unless the stored one is newer.
  // Returns false when it ignored an older version.
  bool upsert(const LocalTicket& t);
  std::optional<LocalTicket> get(const TicketId& id);
  // The crew's tickets, soonest effective deadline first (removed ones too;
  // the UI shows them struck through until the next reset).
  std::vector<LocalTicket> tickets();

  // Records a crew action: the new local status (validated by the ticket
  // state machine for the crew), the close-out facts, and its outbox row,
  // atomically. Throws Error(kNotFound) for an unknown ticket,
  // Error(kFailedPrecondition) for an illegal transition or a removed
  // ticket; nothing is written then. `confirms`: a confirmation call that
  // reached the customer (the visit is confirmed).
  OutboxEntry record_action(const TicketId& id, const std::string& action, TicketStatus new_status,
                            const std::string& op_id, const std::string& body, TimePoint device_time,
                            std::optional<TimePoint> new_effective_deadline = std::nullopt, bool confirms = false);
  // A position fix for upload (no ticket).
  OutboxEntry record_position(const std::string& op_id, const std::string& body, TimePoint device_time);
  std::vector<OutboxEntry> outbox(std::size_t limit = 1000);
  std::size_t outbox_size();
  // Removes acknowledged entries by op_id.
  void acknowledge(const std::vector<std::string>& op_ids);

  // Applies a pulled page and stores its cursor in one transaction. On a
  // reset page, tickets not re-sent are dropped unless actions on them are
  // still waiting for upload. A ticket with actions waiting keeps its local
  // status (the server has not seen them yet).
  void apply_pull(const PulledPage& page);
  std::vector<PlanStop> plan();

  std::uint64_t cursor();
  void set_cursor(std::uint64_t cursor);
  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  DelayPromptLog prompt_log();
  void save_prompt_log(const DelayPromptLog& log);
  void log_call(const CallLogEntry& entry);
  std::vector<CallLogEntry> calls(const TicketId& id);
  void add_notice(const Notice& n);
  std::vector<Notice> notices(std::size_t limit = 20);

  std::string integrity_check();

 private:
  std::mutex mu_;
  storage::Database db_;
};

// A new random operation id: a version-4 UUID, canonical lower-case.
std::string new_op_id();

}  // namespace linecrew::device
