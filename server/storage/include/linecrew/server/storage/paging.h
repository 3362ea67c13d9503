// Reading every ticket or crew a filter matches, page by page: the one loop
// behind the board's snapshot, the planner's rebuild, the report and the
// sweeps that walk all open tickets.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/ticket_store.h"

namespace linecrew::storage {

// The page size of these loops: the largest page ListTickets serves.
inline constexpr std::uint32_t kFullPage = 1000;

// Every ticket `filter` matches, read kFullPage at a time from filter.after:
// `each(Ticket&)` sees each page's tickets (and may move them) before the
// next page is read. `list_page(const TicketFilter&)` reads one page: a
// store's list(), or the same on one connection.
template <class ListPage, class Each>
void for_each_ticket_in(ListPage&& list_page, TicketFilter filter, Each&& each) {
  filter.limit = kFullPage;
  for (;;) {
    TicketPage page = list_page(std::as_const(filter));
    for (Ticket& t : page.tickets) each(t);
    if (page.next_after == 0) return;
    filter.after = page.next_after;
  }
}

template <class Each>
void for_each_ticket(TicketStore& store, TicketFilter filter, Each&& each) {
  for_each_ticket_in([&store](const TicketFilter& f) { return store.list(f); }, std::move(filter), each);
}

// All of them, in list order.
inline std::vector<Ticket> all_tickets(TicketStore& store, TicketFilter filter) {
  std::vector<Ticket> out;
  for_each_ticket(store, std::move(filter), [&out](Ticket& t) { out.push_back(std::move(t)); });
  return out;
}

// Every crew `filter` matches, by id from filter.after, kFullPage at a time;
// `each(Crew&)` as for for_each_ticket.
template <class Each>
void for_each_crew(CrewStore& store, CrewFilter filter, Each&& each) {
  filter.limit = kFullPage;
  for (;;) {
    std::vector<Crew> page = store.list_crews(filter);
    if (page.empty()) return;
    filter.after = page.back().id.str();
    for (Crew& c : page) each(c);
  }
}

}  // namespace linecrew::storage
