#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "crew_store.h"
#include "linecrew/storage/sqlite.h"
#include "ticket_store.h"
#include "token_store.h"

namespace linecrew::storage {

// The server's store in one SQLite file (WAL, synchronous=FULL). Opening
// runs the versioned migrations, and after an unclean shutdown (the "open"
// mark left set) runs PRAGMA integrity_check and refuses a damaged file.
// One connection, serialised by a mutex. Tickets: sqlite_tickets.cc; tokens:
// sqlite_tokens.cc; opening and migrations: sqlite_store.cc.
class SqliteStore final : public TicketStore, public TokenStore, public CrewStore, public ChangeFeed {
 public:
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;

  CreateResult create(Ticket ticket) override;
  std::optional<Ticket> get(const TicketId& id) override;
  Ticket mutate(const TicketId& id, const std::function<void(Ticket&)>& change) override;
  TicketPage list(const TicketFilter& filter) override;
  std::int64_t count() override;
  OpenCounts open_counts(TimePoint now) override;

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

  // What opening found: true when the last run did not close cleanly.
  bool recovered_from_unclean_shutdown() const { return unclean_; }

 private:
  std::optional<Ticket> get_locked(const TicketId& id);
  std::optional<Crew> get_crew_locked(const CrewId& id);
  void write_crew_locked(const Crew& c, bool insert);
  void record_change_locked(Change::Kind kind, const std::string& id);
  void load_children(Ticket& t);

  std::mutex mu_;
  Database db_;
  bool unclean_ = false;
};

}  // namespace linecrew::storage
