#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "linecrew/storage/sqlite.h"
#include "ticket_store.h"

namespace linecrew::storage {

// Tickets in a SQLite file (WAL, synchronous=FULL). Opening runs the
// versioned migrations, and after an unclean shutdown (the "open" mark left
// set) runs PRAGMA integrity_check and refuses a damaged file.
class SqliteTicketStore final : public TicketStore {
 public:
  explicit SqliteTicketStore(const std::string& path);
  ~SqliteTicketStore() override;

  CreateResult create(Ticket ticket) override;
  std::optional<Ticket> get(const TicketId& id) override;
  TicketPage list(const TicketFilter& filter) override;
  std::int64_t count() override;

  // What opening found: true when the last run did not close cleanly.
  bool recovered_from_unclean_shutdown() const { return unclean_; }

 private:
  std::optional<Ticket> get_locked(const TicketId& id);
  void load_children(Ticket& t);

  std::mutex mu_;
  Database db_;
  bool unclean_ = false;
};

}  // namespace linecrew::storage
