// The crew actions the handheld records, and the ticket status each leads to.
#pragma once

#include <optional>
#include <string_view>

#include "linecrew/core/ticket_status.h"

namespace linecrew::device {

// The status after `action` on a ticket now in `current`, or nullopt for an
// unknown action. Actions that record a fact without moving the status
// (cause_found, explained_to_customer, contact_attempt) keep `current`.
std::optional<TicketStatus> status_after(std::string_view action, TicketStatus current);

}  // namespace linecrew::device
