#include "app/dispatch.h"

#include "app/secrets.h"

#include "linecrew/core/error.h"

namespace linecrew::app {

Dispatch::Dispatch(const Clock& clock, const ZoneMap& zones, const ServicePolicy& policy, storage::TicketStore& store)
    : clock_(clock), zones_(zones), policy_(policy), store_(store) {}

storage::CreateResult Dispatch::create_ticket(const TicketDraft& draft) {
  Ticket t = intake(draft, zones_, policy_, clock_.now());
  t.tracking_token = new_tracking_token();
  return store_.create(std::move(t));
}

Ticket Dispatch::get_ticket(const TicketId& id) {
  auto t = store_.get(id);
  if (!t) throw Error(ErrorCode::kNotFound, "ticket_id", "no ticket '" + id.str() + "'");
  return std::move(*t);
}

storage::TicketPage Dispatch::list_tickets(const storage::TicketFilter& filter) {
  return store_.list(filter);
}

std::string new_tracking_token() {
  return random_base64url(16);
}

}  // namespace linecrew::app
