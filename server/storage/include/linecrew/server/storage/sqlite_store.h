#pragma once

#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "linecrew/core/batch_queue.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/sync_store.h"
#include "linecrew/server/storage/ticket_store.h"
#include "linecrew/server/storage/token_store.h"
#include "linecrew/storage/sqlite.h"

namespace linecrew::storage {

// The server's store in one SQLite file (WAL, synchronous=FULL). Opening
// runs the versioned migrations, and after an unclean shutdown (the "open"
// mark left set) runs PRAGMA integrity_check and refuses a damaged file.
// Writes go through one connection, serialised by a mutex; reads run on a
// small pool of their own connections, each in a read transaction (WAL: a
// reader sees the last commit as of its start and never waits for the
// writer). Tickets: sqlite_tickets.cc; crews:
// sqlite_crews.cc; handheld sync: sqlite_sync.cc; opening, migrations and
// tokens: sqlite_store.cc.
class SqliteStore final : public TicketStore, public TokenStore, public CrewStore, public ChangeFeed, public SyncStore {
 public:
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;

  CreateResult create(Ticket ticket) override;
  TicketId reserve_ticket_id() override;
  std::optional<Ticket> find_by_request_id(const std::string& client_request_id) override;
  std::optional<Ticket> get(const TicketId& id) override;
  Ticket mutate(const TicketId& id, const std::function<void(Ticket&)>& change) override;
  std::vector<std::optional<Ticket>> mutate_many(const std::vector<TicketId>& ids,
                                                 const std::function<void(Ticket&)>& change) override;
  TicketPage list(const TicketFilter& filter) override;
  std::optional<Ticket> find_by_tracking_token(const std::string& token) override;
  std::vector<Ticket> fault_candidates(const GeoPoint& near, double radius_m, TimePoint from, TimePoint to) override;
  std::map<TicketId, std::uint32_t> count_fault_callers(const std::vector<TicketId>& leads) override;
  std::int64_t count() override;
  OpenCounts open_counts(TimePoint now) override;
  EscalationPage list_escalations(const EscalationFilter& filter) override;
  EscalationFigures unresolved_escalations() override;
  FollowUpPage list_follow_ups(const FollowUpFilter& filter) override;
  std::vector<TicketId> tickets_with_overdue_follow_ups(TimePoint now) override;
  FollowUpFigures owed_follow_ups(TimePoint now) override;
  ComplaintPage list_complaints(const ComplaintFilter& filter) override;
  ComplaintFigures open_complaints() override;

  void add_token(const TokenRecord& token) override;
  std::optional<TokenRecord> find_token(const std::string& secret_hash) override;
  TimePoint revoke_token(const std::string& token_id, TimePoint now) override;
  std::int64_t count_tokens() override;

  Crew add_crew(Crew crew) override;
  std::optional<Crew> get_crew(const CrewId& id) override;
  Crew mutate_crew(const CrewId& id, const std::function<void(Crew&)>& change) override;
  std::vector<Crew> list_crews(const CrewFilter& filter) override;

  std::vector<Change> changes_since(std::uint64_t sequence, std::size_t limit) override;
  std::uint64_t last_sequence() override;

  std::vector<SyncAck> apply_ops(const DeviceId& device_id, const CrewId& crew, std::vector<SyncOp>& ops,
                                 TimePoint now) override;
  FeedPage crew_feed(const CrewId& crew, std::uint64_t sequence, std::size_t limit) override;
  std::uint64_t crew_feed_head() override;
  void note_cursor(const DeviceId& device_id, const CrewId& crew, std::uint64_t cursor, TimePoint now) override;
  PruneStats prune_sync(TimePoint now) override;
  CrewSnapshot crew_snapshot(const CrewId& crew) override;

  // The connection's prepared-statement cache: statements kept, and prepares (tests).
  std::size_t cached_statements() {
    std::lock_guard lock(mu_);
    return db_.cached_count();
  }
  std::uint64_t statement_cache_misses() {
    std::lock_guard lock(mu_);
    return db_.cache_misses();
  }

  // What opening found: true when the last run did not close cleanly.
  bool recovered_from_unclean_shutdown() const { return unclean_; }

 private:
  struct PendingCreate {
    Ticket ticket;
    std::optional<CreateResult> result;
  };
  CreateResult create_locked(Ticket t);
  Ticket mutate_locked(const TicketId& id, const std::function<void(Ticket&)>& change);
  // The ticket, and its row position in `seq` when given.
  // The *_in helpers work on the given connection: the writer (under mu_) or a reader.
  std::optional<Ticket> get_in(Database& db, const TicketId& id, std::int64_t* seq = nullptr);
  std::optional<Crew> get_crew_in(Database& db, const CrewId& id);
  // The ticket whose id `id_sql` (one parameter) selects by `value`.
  std::optional<Ticket> find_one(const char* id_sql, const std::string& value);
  void write_crew_locked(const Crew& c, bool insert);
  // Error(kAlreadyExists, "crew.members[i].staff_number") when another crew
  // has a member with one of `c`'s staff numbers (the contract: unique).
  void require_unique_staff_locked(const Crew& c);
  void record_change_locked(Change::Kind kind, const std::string& id);
  // The crews' feed rows for a ticket change (sqlite_sync.cc).
  void record_crew_feed_locked(const Ticket& before, const Ticket& after);
  TicketPage list_in(Database& db, const TicketFilter& filter);
  // Handheld sync upkeep (sqlite_sync.cc), inside the caller's transaction.
  std::uint64_t crew_feed_head_in(Database& db);
  void write_cursors_locked();
  PruneStats prune_sync_locked(TimePoint now);
  void load_children(Database& db, const std::vector<std::pair<std::int64_t, Ticket*>>& rows);
  // Runs f(Database&) on a pooled read connection inside one read transaction
  // (one consistent snapshot); on the writer under mu_ for an in-memory file.
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Database&>()));
  std::unique_ptr<Database> take_reader();
  void give_back(std::unique_ptr<Database> db);

  std::mutex mu_;                      // the connection
  BatchQueue<PendingCreate> creates_;  // group commit of creates
  struct NotedCursor {
    CrewId crew;
    std::uint64_t cursor = 0;
    TimePoint seen;
  };
  std::mutex seq_mu_;                                 // next_seq_
  std::int64_t next_seq_ = 0;                         // the next ticket row position (ids are made from it)
  std::mutex cursors_mu_;                             // noted_cursors_
  std::map<std::string, NotedCursor> noted_cursors_;  // by device, not yet written
  std::optional<TimePoint> last_prune_;               // under mu_
  Database db_;
  bool unclean_ = false;
  bool pooled_reads_ = false;  // false for ":memory:" (each connection would be its own database)
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Database>> idle_readers_;
  std::size_t open_readers_ = 0;
};

template <class F>
auto SqliteStore::read(F&& f) -> decltype(f(std::declval<Database&>())) {
  if (!pooled_reads_) {
    std::lock_guard lock(mu_);
    return f(db_);
  }
  struct Lease {
    SqliteStore& store;
    std::unique_ptr<Database> db;
    bool in_transaction = false;
    ~Lease() {
      try {
        if (in_transaction) db->cached("ROLLBACK")->run();  // ends the read transaction
      } catch (...) {
        in_transaction = false;
      }
      if (!in_transaction) db.reset();  // a connection in an unknown state is not reused
      store.give_back(std::move(db));
    }
  };
  Lease lease{*this, take_reader()};
  lease.db->cached("BEGIN")->run();
  lease.in_transaction = true;
  return f(*lease.db);
}

}  // namespace linecrew::storage
