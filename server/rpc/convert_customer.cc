#include "linecrew/server/rpc/convert_customer.h"

#include "linecrew/server/rpc/convert.h"

namespace linecrew::rpc {

void to_proto(const app::CustomerView& v, TimePoint server_time, v1::CustomerTicketView* out) {
  out->set_ticket_id(v.ticket.str());
  out->set_status(to_proto(v.status));
  if (v.eta_window) {
    to_proto(v.eta_window->from, out->mutable_eta_window()->mutable_earliest());
    to_proto(v.eta_window->to, out->mutable_eta_window()->mutable_latest());
  }
  out->set_crew_first_name(v.crew_first_name);
  to_proto(v.effective_deadline, out->mutable_effective_deadline());
  for (const app::CustomerTimelineEntry& e : v.timeline) {
    v1::CustomerEvent* pe = out->add_timeline();
    to_proto(e.time, pe->mutable_time());
    pe->set_kind(event_kind_to_proto(e.kind));
    pe->set_message(e.message);
  }
  out->set_language(v.language);
  out->set_version(v.version);
  to_proto(server_time, out->mutable_server_time());
}

}  // namespace linecrew::rpc
