// The handheld's local store: the crew's tickets, the sync cursor and the
// outbox of crew actions, in one SQLite file (WAL, synchronous=FULL). A crew
// action changes the local ticket and adds its outbox row in one transaction,
// so it is never half-recorded, with or without a network.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
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
  TimePoint deadline;
  TimePoint effective_deadline;
  TicketStatus status = TicketStatus::kAssigned;
  std::uint64_t version = 0;  // the server's version; never goes backwards
};

// One crew action waiting for upload. op_id is generated on the device and
// makes the upload idempotent.
struct OutboxEntry {
  std::int64_t seq = 0;  // local order of recording
  std::string op_id;
  TicketId ticket;
  std::string action;   // "accept", "en_route", "arrived", ...
  std::string payload;  // action-specific details (JSON), may be empty
  TimePoint device_time;
};

class LocalStore {
 public:
  explicit LocalStore(const std::string& path);

  // Inserts or replaces the crew's copy unless the stored one is newer.
  // Returns false when it ignored an older version.
  bool upsert(const LocalTicket& t);
  std::optional<LocalTicket> get(const TicketId& id);
  std::vector<LocalTicket> tickets();

  // Records a crew action: the new local status (validated by the ticket
  // state machine for the crew) and its outbox row, atomically. Throws
  // Error(kNotFound) for an unknown ticket, Error(kFailedPrecondition) for an
  // illegal transition; nothing is written then.
  OutboxEntry record_action(const TicketId& id, const std::string& action, TicketStatus new_status,
                            const std::string& payload, TimePoint device_time);
  std::vector<OutboxEntry> outbox(std::size_t limit = 1000);
  // Removes acknowledged entries by op_id.
  void acknowledge(const std::vector<std::string>& op_ids);

  std::uint64_t cursor();
  void set_cursor(std::uint64_t cursor);
  std::string integrity_check();

 private:
  std::mutex mu_;
  storage::Database db_;
};

// A new random operation id (128 bits, hex, with a "op-" prefix).
std::string new_op_id();

}  // namespace linecrew::device
