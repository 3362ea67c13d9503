#include "linecrew/server/app/board.h"

#include "linecrew/server/storage/paging.h"

namespace linecrew::app {

BoardSnapshot Board::snapshot() {
  BoardSnapshot s;
  // Read the sequence first: anything committed after it is replayed by
  // since(), so the snapshot plus the tail never misses a change.
  s.sequence = feed_.last_sequence();
  storage::TicketFilter open;
  open.statuses.assign(kOpenTicketStatuses.begin(), kOpenTicketStatuses.end());
  s.tickets = storage::all_tickets(tickets_, std::move(open));
  storage::for_each_crew(crews_, {}, [&](Crew& c) { s.crews.push_back(std::move(c)); });
  return s;
}

std::vector<BoardChange> Board::since(std::uint64_t sequence, std::size_t limit) {
  std::vector<BoardChange> out;
  for (const storage::Change& c : feed_.changes_since(sequence, limit)) {
    BoardChange b;
    b.sequence = c.sequence;
    if (c.kind == storage::Change::Kind::kTicket)
      b.ticket = tickets_.get(TicketId(c.id));
    else
      b.crew = crews_.get_crew(CrewId(c.id));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace linecrew::app
