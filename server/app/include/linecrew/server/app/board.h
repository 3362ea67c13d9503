// The dispatcher's live board: a snapshot of open tickets and all crews at a
// sequence, then the changes after it, resumable from any sequence.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "linecrew/core/crew.h"
#include "linecrew/core/ticket.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/ticket_store.h"

namespace linecrew::app {

struct BoardSnapshot {
  std::uint64_t sequence = 0;   // the snapshot reflects every change up to this
  std::vector<Ticket> tickets;  // open: not closed or cancelled
  std::vector<Crew> crews;
};

struct BoardChange {
  std::uint64_t sequence = 0;
  std::optional<Ticket> ticket;  // set for ticket changes (closed/cancelled ones leave the board)
  std::optional<Crew> crew;      // set for crew changes
};

class Board {
 public:
  Board(storage::TicketStore& tickets, storage::CrewStore& crews, storage::ChangeFeed& feed)
      : tickets_(tickets), crews_(crews), feed_(feed) {}

  BoardSnapshot snapshot();
  // Changes after `sequence`, in order, at most `limit`; the entity's state
  // as of now (a later change to the same entity repeats it: clients apply
  // updates idempotently by version).
  std::vector<BoardChange> since(std::uint64_t sequence, std::size_t limit);
  std::uint64_t last_sequence() { return feed_.last_sequence(); }

 private:
  storage::TicketStore& tickets_;
  storage::CrewStore& crews_;
  storage::ChangeFeed& feed_;
};

}  // namespace linecrew::app
