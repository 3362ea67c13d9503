// The dispatcher's use cases, free of gRPC: intake, lookup, listing. RPC
// handlers translate to and from these; tests drive them directly.
#pragma once

#include <memory>

#include "linecrew/core/clock.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/zones.h"
#include "storage/ticket_store.h"

namespace linecrew::app {

class Dispatch {
 public:
  Dispatch(const Clock& clock, const ZoneMap& zones, const ServicePolicy& policy, storage::TicketStore& store);

  // Validates, classifies, stores durably; idempotent on client_request_id.
  storage::CreateResult create_ticket(const TicketDraft& draft);
  // Throws Error(kNotFound, "ticket_id").
  Ticket get_ticket(const TicketId& id);
  storage::TicketPage list_tickets(const storage::TicketFilter& filter);

  const Clock& clock() const { return clock_; }
  const ServicePolicy& policy() const { return policy_; }

 private:
  const Clock& clock_;
  const ZoneMap& zones_;
  const ServicePolicy& policy_;
  storage::TicketStore& store_;
};

// 128 random bits from the OS, base64url without padding (22 characters).
std::string new_tracking_token();

}  // namespace linecrew::app
