// Handheld sync in the SQLite store: operations deduplicated per device and
// the crews' change feed.
#include <array>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/storage/time_columns.h"
#include "sqlite_store.h"

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

std::vector<SyncAck> SqliteStore::apply_ops(const std::string& device_id, const CrewId& crew, std::vector<SyncOp>& ops,
                                            TimePoint now) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  std::vector<SyncAck> acks;
  Statement find =
      db_.prepare("SELECT fingerprint, result, reason, ticket_version FROM sync_ops WHERE device_id = ? AND op_id = ?");
  for (SyncOp& op : ops) {
    SyncAck ack;
    ack.op_id = op.op_id;
    find.reset();
    find.bind_all(device_id, op.op_id);
    if (find.step()) {
      if (find.text(0) == op.fingerprint) {
        ack.result = SyncResult::kDuplicate;
        ack.reason = "already handled: " + find.text(1) + (find.text(2).empty() ? "" : " (" + find.text(2) + ")");
        ack.ticket_version = static_cast<std::uint64_t>(find.int64(3));
      } else {
        ack.result = SyncResult::kRejected;
        ack.reason = "op_id: already used by this device for another action";
      }
      acks.push_back(std::move(ack));
      continue;
    }
    db_.exec("SAVEPOINT sync_op");
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
        auto c = get_crew_locked(crew);
        if (!c) throw Error(ErrorCode::kNotFound, "crew_id", "no crew '" + crew.str() + "'");
        const std::uint64_t version = c->version;
        op.on_crew(*c);
        c->version = version + 1;
        write_crew_locked(*c, false);
        ack.crew = std::move(*c);
      }
      db_.exec("RELEASE sync_op");
    } catch (const Error& e) {
      db_.exec("ROLLBACK TO sync_op");
      db_.exec("RELEASE sync_op");
      ack = SyncAck{};
      ack.op_id = op.op_id;
      ack.result = SyncResult::kRejected;
      ack.reason = e.what();
    }
    db_.prepare(
           "INSERT INTO sync_ops(device_id, op_id, crew_id, fingerprint, result, reason, ticket_version, received) "
           "VALUES(?,?,?,?,?,?,?,?)")
        .bind_all(device_id, op.op_id, crew.str(), op.fingerprint, enum_name(kResultNames, ack.result), ack.reason,
                  static_cast<std::int64_t>(ack.ticket_version), secs(now))
        .run();
    acks.push_back(std::move(ack));
  }
  tx.commit();
  return acks;
}

void SqliteStore::record_crew_feed_locked(const Ticket& before, const Ticket& after) {
  const TimePoint time = after.timeline.empty() ? after.created : after.timeline.back().time;
  const std::string detail = after.timeline.empty() ? std::string() : after.timeline.back().detail;
  Statement ins =
      db_.prepare("INSERT INTO crew_feed(crew_id, kind, ticket_id, removal, detail, time) VALUES(?,?,?,?,?,?)");
  const auto row = [&](const CrewId& crew, FeedRemoval removal) {
    ins.reset();
    ins.bind_all(crew.str(), std::string_view(removal == FeedRemoval::kNone ? "ticket" : "removal"), after.id.str(),
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

std::vector<FeedEntry> SqliteStore::crew_feed(const CrewId& crew, std::uint64_t sequence, std::size_t limit) {
  std::lock_guard lock(mu_);
  Statement s = db_.prepare(
      "SELECT seq, kind, ticket_id, removal, detail, time FROM crew_feed WHERE crew_id = ? AND seq > ? ORDER BY seq "
      "LIMIT ?");
  s.bind_all(crew.str(), static_cast<std::int64_t>(sequence), static_cast<std::int64_t>(limit));
  std::vector<FeedEntry> out;
  while (s.step()) {
    FeedEntry e;
    e.sequence = static_cast<std::uint64_t>(s.int64(0));
    e.kind = s.text(1) == "ticket" ? FeedKind::kTicket : FeedKind::kRemoval;
    e.ticket = TicketId(s.text(2));
    e.removal = enum_from<FeedRemoval>(kRemovalNames, s.text(3)).value_or(FeedRemoval::kNone);
    e.detail = s.text(4);
    e.time = at(s.int64(5));
    out.push_back(std::move(e));
  }
  return out;
}

std::uint64_t SqliteStore::crew_feed_head() {
  std::lock_guard lock(mu_);
  Statement s = db_.prepare("SELECT COALESCE(MAX(seq), 0) FROM crew_feed");
  s.step();
  return static_cast<std::uint64_t>(s.int64(0));
}

CrewSnapshot SqliteStore::crew_snapshot(const CrewId& crew) {
  std::lock_guard lock(mu_);
  CrewSnapshot snap;
  Statement s = db_.prepare("SELECT COALESCE(MAX(seq), 0) FROM crew_feed");
  s.step();
  snap.head = static_cast<std::uint64_t>(s.int64(0));
  TicketFilter f;
  f.owner = crew;
  f.statuses = {TicketStatus::kAssigned, TicketStatus::kAccepted, TicketStatus::kEnRoute,
                TicketStatus::kOnSite,   TicketStatus::kRestored, TicketStatus::kReturnVisitOwed};
  f.limit = 1000;
  for (;;) {
    auto page = list_locked(f);
    for (auto& t : page.tickets) snap.tickets.push_back(std::move(t));
    if (page.next_after == 0) break;
    f.after = page.next_after;
  }
  return snap;
}

}  // namespace linecrew::storage
