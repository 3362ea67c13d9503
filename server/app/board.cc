#include "linecrew/server/app/board.h"

namespace linecrew::app {

BoardSnapshot Board::snapshot() {
  BoardSnapshot s;
  // Read the sequence first: anything committed after it is replayed by
  // since(), so the snapshot plus the tail never misses a change.
  s.sequence = feed_.last_sequence();
  storage::TicketFilter f;
  f.statuses = {TicketStatus::kReported, TicketStatus::kAssigned, TicketStatus::kAccepted,       TicketStatus::kEnRoute,
                TicketStatus::kOnSite,   TicketStatus::kRestored, TicketStatus::kReturnVisitOwed};
  f.limit = 1000;
  for (;;) {
    auto page = tickets_.list(f);
    for (auto& t : page.tickets) s.tickets.push_back(std::move(t));
    if (page.next_after == 0) break;
    f.after = page.next_after;
  }
  storage::CrewFilter cf;
  cf.limit = 1000;
  for (;;) {
    auto page = crews_.list_crews(cf);
    if (page.empty()) break;
    cf.after = page.back().id.str();
    for (auto& c : page) s.crews.push_back(std::move(c));
  }
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
