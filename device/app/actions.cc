#include "app/actions.h"

namespace linecrew::device {

std::optional<TicketStatus> status_after(std::string_view action, TicketStatus current) {
  if (action == "accept") return TicketStatus::kAccepted;
  if (action == "en_route") return TicketStatus::kEnRoute;
  if (action == "arrived") return TicketStatus::kOnSite;
  if (action == "restored") return TicketStatus::kRestored;
  if (action == "cannot_fix") return TicketStatus::kReturnVisitOwed;
  if (action == "left_site") return current == TicketStatus::kRestored ? TicketStatus::kClosed : current;
  if (action == "cause_found" || action == "explained_to_customer" || action == "contact_attempt") return current;
  return std::nullopt;
}

}  // namespace linecrew::device
