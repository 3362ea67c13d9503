// Handheld sync in the SQLite store: operations deduplicated per device and
// the crews' change feed.
#include <array>
#include <iostream>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/server/storage/paging.h"
#include "linecrew/server/storage/sqlite_store.h"
#include "linecrew/storage/time_columns.h"

namespace linecrew::storage {

namespace {

constexpr std::array<std::string_view, 4> kResultNames = {"applied", "duplicate", "rejected", "superseded"};
constexpr std::array<std::string_view, 4> kRemovalNames = {"", "reassigned", "unassigned", "cancelled"};

SyncResult result_of(ActionOutcome o) {
  switch (o) {
    case ActionOutcome::kApplied:
      return SyncResult::kApplied;
    case ActionOutcome::kRejected:
      return SyncResult::kRejected;
    case ActionOutcome::kSuperseded:
      return SyncResult::kSuperseded;
  }
  return SyncResult::kRejected;
}

}  // namespace

std::vector<SyncAck> SqliteStore::apply_ops(const DeviceId& device_id, const CrewId& crew, std::vector<SyncOp>& ops,
                                            TimePoint now) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  std::vector<SyncAck> acks;
  acks.reserve(ops.size());
  for (SyncOp& op : ops) {
    SyncAck ack;
    ack.op_id = op.op_id;
    {
      auto find = db_.cached(
          "SELECT fingerprint, result, reason, ticket_version, crew_id FROM sync_ops WHERE device_id = ? AND op_id = "
          "?");
      find->bind_all(device_id.str(), op.op_id);
      if (find->step()) {
        // Another crew's record (a token of crew A replaying crew B's device
        // and op id) is told nothing about B: the same answer as a reused op id.
        if (find->text(0) == op.fingerprint && find->text(4) == crew.str()) {
          ack.result = SyncResult::kDuplicate;
          ack.reason = "already handled: " + find->text(1) + (find->text(2).empty() ? "" : " (" + find->text(2) + ")");
          ack.ticket_version = static_cast<std::uint64_t>(find->int64(3));
        } else {
          ack.result = SyncResult::kRejected;
          ack.reason = "op_id: already used by this device for another action";
        }
        acks.push_back(std::move(ack));
        continue;
      }
    }
    {  // the op's writes are undone when it is rejected
      Savepoint sp(db_, "sync_op");
      try {
        if (op.on_ticket) {
          ActionVerdict verdict;
          std::optional<Ticket> before;
          Ticket after = mutate_locked(op.ticket, [&](Ticket& t) {
            before = t;
            verdict = op.on_ticket(t);
          });
          ack.result = result_of(verdict.outcome);
          ack.reason = verdict.reason;
          ack.ticket_version = after.version;
          if (after.version != before->version) ack.before = std::move(before);
          ack.ticket = std::move(after);
        } else {
          auto c = get_crew_in(db_, crew);
          if (!c) throw Error(ErrorCode::kNotFound, "crew_id", "no crew '" + crew.str() + "'");
          const std::uint64_t version = c->version;
          op.on_crew(*c);
          c->version = version + 1;
          write_crew_locked(*c, false);
          ack.crew = std::move(*c);
        }
        sp.release();
      } catch (const Error& e) {
        ack = SyncAck{};
        ack.op_id = op.op_id;
        ack.result = SyncResult::kRejected;
        ack.reason = e.what();
      }
    }
    db_.cached(
           "INSERT INTO sync_ops(device_id, op_id, crew_id, fingerprint, result, reason, ticket_version, received) "
           "VALUES(?,?,?,?,?,?,?,?)")
        ->bind_all(device_id.str(), op.op_id, crew.str(), op.fingerprint, enum_name(kResultNames, ack.result),
                   ack.reason, static_cast<std::int64_t>(ack.ticket_version), secs(now))
        .run();
    acks.push_back(std::move(ack));
  }
  write_cursors_locked();
  if (!last_prune_ || now < *last_prune_ || now - *last_prune_ >= kSyncPruneInterval) {
    // Upkeep must not cost the crew its upload: a failed pruning is undone and tried again next time.
    Savepoint sp(db_, "sync_prune");
    try {
      prune_sync_locked(now);
      sp.release();
    } catch (const Error& e) {
      std::cerr << "linecrew-server: sync upkeep failed: " << e.what() << "\n";
    }
  }
  tx.commit();
  return acks;
}

void SqliteStore::note_cursor(const DeviceId& device_id, const CrewId& crew, std::uint64_t cursor, TimePoint now) {
  std::lock_guard lock(cursors_mu_);
  noted_cursors_[device_id.str()] = {crew, cursor, now};
}

void SqliteStore::write_cursors_locked() {
  std::map<std::string, NotedCursor> noted;
  {
    std::lock_guard lock(cursors_mu_);
    noted.swap(noted_cursors_);
  }
  if (noted.empty()) return;
  auto up = db_.cached(
      "INSERT INTO sync_devices(device_id, crew_id, cursor, seen) VALUES(?,?,?,?) ON CONFLICT(device_id) DO UPDATE "
      "SET crew_id = excluded.crew_id, cursor = excluded.cursor, seen = MAX(seen, excluded.seen)");
  for (const auto& [device, c] : noted)
    up->bind_all(device, c.crew.str(), static_cast<std::int64_t>(c.cursor), secs(c.seen)).run();
}

PruneStats SqliteStore::prune_sync(TimePoint now) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  write_cursors_locked();
  const PruneStats stats = prune_sync_locked(now);
  tx.commit();
  return stats;
}

PruneStats SqliteStore::prune_sync_locked(TimePoint now) {
  const std::int64_t cutoff = secs(now - kSyncRetention);
  const auto run = [&](const char* sql, bool bind_cutoff) {
    auto s = db_.cached(sql);
    if (bind_cutoff) s->bind(1, cutoff);
    s->run();
    auto n = db_.cached("SELECT changes()");
    n->step();
    return n->int64(0);
  };
  PruneStats stats;
  // Dedup records a device can no longer need: older than the retention.
  stats.sync_ops = run("DELETE FROM sync_ops WHERE received < ?", true);
  stats.devices = run("DELETE FROM sync_devices WHERE seen < ?", true);
  // Per crew, what every remembered device holds; for a crew without one, what is older than the retention. A
  // floor only rises: a cursor below it gets a full resync.
  run("INSERT INTO crew_feed_floor(crew_id, seq) SELECT crew_id, MIN(cursor) FROM sync_devices WHERE true "
      "GROUP BY crew_id ON CONFLICT(crew_id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
      false);
  run("INSERT INTO crew_feed_floor(crew_id, seq) SELECT crew_id, MAX(seq) FROM crew_feed WHERE time < ? AND crew_id "
      "NOT IN (SELECT crew_id FROM sync_devices) GROUP BY crew_id ON CONFLICT(crew_id) DO UPDATE SET seq = "
      "MAX(seq, excluded.seq)",
      true);
  stats.feed_rows =
      run("DELETE FROM crew_feed WHERE seq IN (SELECT c.seq FROM crew_feed_floor f JOIN crew_feed c ON c.crew_id = "
          "f.crew_id AND c.seq <= f.seq)",
          false);
  last_prune_ = now;
  return stats;
}

void SqliteStore::record_crew_feed_locked(const Ticket& before, const Ticket& after) {
  const TimePoint time = after.timeline.empty() ? after.created : after.timeline.back().time;
  const std::string detail = after.timeline.empty() ? std::string() : after.timeline.back().detail;
  auto ins = db_.cached("INSERT INTO crew_feed(crew_id, kind, ticket_id, removal, detail, time) VALUES(?,?,?,?,?,?)");
  const auto row = [&](const CrewId& crew, FeedRemoval removal) {
    ins->bind_all(crew.str(), std::string_view(removal == FeedRemoval::kNone ? "ticket" : "removal"), after.id.str(),
                  enum_name(kRemovalNames, removal), removal == FeedRemoval::kNone ? std::string() : detail, secs(time))
        .run();
  };
  if (before.owner != after.owner) {
    if (!before.owner.empty())
      row(before.owner, after.owner.empty() ? FeedRemoval::kUnassigned : FeedRemoval::kReassigned);
    if (!after.owner.empty()) row(after.owner, FeedRemoval::kNone);
  } else if (!after.owner.empty()) {
    const bool cancelled_now = after.status == TicketStatus::kCancelled && before.status != TicketStatus::kCancelled;
    row(after.owner, cancelled_now ? FeedRemoval::kCancelled : FeedRemoval::kNone);
  }
}

FeedPage SqliteStore::crew_feed(const CrewId& crew, std::uint64_t sequence, std::size_t limit) {
  return read([&](Database& db) {
    FeedPage page;
    if (sequence == 0 || sequence > crew_feed_head_in(db)) {
      page.resync = true;
      return page;
    }
    {
      auto f = db.cached("SELECT seq FROM crew_feed_floor WHERE crew_id = ?");
      f->bind(1, crew.str());
      if (f->step() && sequence < static_cast<std::uint64_t>(f->int64(0))) {
        page.resync = true;  // rows after the cursor are gone
        return page;
      }
    }
    auto s = db.cached(
        "SELECT seq, kind, ticket_id, removal, detail, time FROM crew_feed WHERE crew_id = ? AND seq > ? ORDER BY seq "
        "LIMIT ?");
    s->bind_all(crew.str(), static_cast<std::int64_t>(sequence), static_cast<std::int64_t>(limit));
    while (s->step()) {
      FeedEntry e;
      e.sequence = static_cast<std::uint64_t>(s->int64(0));
      e.kind = s->text(1) == "ticket" ? FeedKind::kTicket : FeedKind::kRemoval;
      e.ticket = TicketId(s->text(2));
      e.removal = enum_from<FeedRemoval>(kRemovalNames, s->text(3)).value_or(FeedRemoval::kNone);
      e.detail = s->text(4);
      e.time = at(s->int64(5));
      page.entries.push_back(std::move(e));
    }
    return page;
  });
}

std::uint64_t SqliteStore::crew_feed_head() {
  return read([&](Database& db) { return crew_feed_head_in(db); });
}

std::uint64_t SqliteStore::crew_feed_head_in(Database& db) {
  // AUTOINCREMENT's counter: never lowered by pruning, unlike MAX(seq).
  auto s = db.cached("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'crew_feed'), 0)");
  s->step();
  return static_cast<std::uint64_t>(s->int64(0));
}

CrewSnapshot SqliteStore::crew_snapshot(const CrewId& crew) {
  return read([&](Database& db) {
    CrewSnapshot snap;
    snap.head = crew_feed_head_in(db);
    TicketFilter f;
    f.owner = crew;
    f.statuses = {TicketStatus::kAssigned, TicketStatus::kAccepted, TicketStatus::kEnRoute,
                  TicketStatus::kOnSite,   TicketStatus::kRestored, TicketStatus::kReturnVisitOwed};
    for_each_ticket_in([&](const TicketFilter& page) { return list_in(db, page); }, std::move(f),
                       [&](Ticket& t) { snap.tickets.push_back(std::move(t)); });
    return snap;
  });
}

}  // namespace linecrew::storage
