// The handheld sync's storage: operations deduplicated per device, and each
// crew's change feed. Every ticket change to or away from a crew adds a feed
// row for that crew in the same transaction as the change itself, so the
// feed can never miss a change the device must see.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/crew.h"
#include "linecrew/core/crew_action.h"
#include "linecrew/core/ticket.h"

namespace linecrew::storage {

// One uploaded operation. Exactly one of on_ticket / on_crew is set.
struct SyncOp {
  std::string op_id;
  std::string fingerprint;  // of the op's content: a reused op_id with other content is rejected
  TicketId ticket;          // empty for a position fix
  std::function<ActionVerdict(Ticket&)> on_ticket;
  std::function<void(Crew&)> on_crew;
};

enum class SyncResult : std::uint8_t { kApplied, kDuplicate, kRejected, kSuperseded };

struct SyncAck {
  std::string op_id;
  SyncResult result = SyncResult::kApplied;
  std::string reason;
  std::uint64_t ticket_version = 0;
  std::optional<Ticket> ticket;  // the ticket after the op (applied or superseded)
  std::optional<Crew> crew;      // the crew after a position fix
  std::optional<Ticket> before;  // the ticket before the op, when it changed
};

enum class FeedKind : std::uint8_t { kTicket, kRemoval };
enum class FeedRemoval : std::uint8_t { kNone, kReassigned, kUnassigned, kCancelled };

struct FeedEntry {
  std::uint64_t sequence = 0;
  FeedKind kind = FeedKind::kTicket;
  TicketId ticket;
  FeedRemoval removal = FeedRemoval::kNone;
  std::string detail;
  TimePoint time;
};

// Feed rows after a cursor, or word that the device needs a full resync.
struct FeedPage {
  bool resync = false;  // the cursor is 0, unknown (after the head) or below rows already pruned
  std::vector<FeedEntry> entries;
};

// What one pruning removed.
struct PruneStats {
  std::int64_t sync_ops = 0;
  std::int64_t feed_rows = 0;
  std::int64_t devices = 0;  // devices not seen within the retention, forgotten
};

struct CrewSnapshot {
  std::vector<Ticket> tickets;  // the crew's open tickets
  std::uint64_t head = 0;       // the feed position they reflect
};

constexpr Duration kSyncRetention = std::chrono::hours(24 * 7);
constexpr Duration kSyncPruneInterval = std::chrono::hours(1);

class SyncStore {
 public:
  virtual ~SyncStore() = default;
  // Applies `ops` in order, in one transaction (one fsync): each op is first
  // looked up by (device_id, op_id) — DUPLICATE if stored with the same
  // fingerprint, REJECTED if with another — then run and recorded. An op
  // that throws Error is REJECTED with the message and changes nothing.
  // Returns after the commit, so every ack is durable.
  //
  // Retention (see prune_sync): a dedup record is kept kSyncRetention after
  // its upload; a device re-sending an op later than that would have it
  // applied again (the handheld retries within minutes while online).
  // Pruning is due at most every kSyncPruneInterval and runs inside
  // apply_ops' transaction; it also writes the cursors noted since.
  virtual std::vector<SyncAck> apply_ops(const DeviceId& device_id, const CrewId& crew, std::vector<SyncOp>& ops,
                                         TimePoint now) = 0;
  // Feed rows of `crew` after `sequence`, at most `limit`; `resync` instead
  // when `sequence` is 0, after the head, or below the rows pruned for the crew.
  virtual FeedPage crew_feed(const CrewId& crew, std::uint64_t sequence, std::size_t limit) = 0;
  // The last feed sequence ever given out (pruning does not lower it).
  virtual std::uint64_t crew_feed_head() = 0;
  // A device pulled with `cursor`: it holds every change of its crew up to
  // there. Kept in memory and written by the next apply_ops (losing it only
  // makes pruning keep more, or the device resync).
  virtual void note_cursor(const DeviceId& device_id, const CrewId& crew, std::uint64_t cursor, TimePoint now) = 0;
  // Removes dedup records older than the retention, forgets devices not seen
  // within it, and per crew the feed rows every remembered device of the crew
  // holds (for a crew with no such device: the rows older than the
  // retention). One transaction.
  virtual PruneStats prune_sync(TimePoint now) = 0;
  // The crew's open tickets and the feed head, read together.
  virtual CrewSnapshot crew_snapshot(const CrewId& crew) = 0;
};

}  // namespace linecrew::storage
