#include "rpc/dispatch_service.h"

#include "rpc/convert.h"
#include "rpc/status.h"

namespace linecrew::rpc {

grpc::Status DispatchService::CreateTicket(grpc::ServerContext*, const v1::CreateTicketRequest* req,
                                           v1::CreateTicketResponse* resp) {
  return handle("CreateTicket", [&] {
    const auto result = dispatch_.create_ticket(draft_from_proto(*req));
    to_proto(result.ticket, dispatch_.clock().now(), true, resp->mutable_ticket());
    resp->set_created(result.created);
  });
}

grpc::Status DispatchService::GetTicket(grpc::ServerContext*, const v1::GetTicketRequest* req,
                                        v1::GetTicketResponse* resp) {
  return handle("GetTicket", [&] {
    const Ticket t = dispatch_.get_ticket(TicketId(req->ticket_id()));
    to_proto(t, dispatch_.clock().now(), true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::ListTickets(grpc::ServerContext*, const v1::ListTicketsRequest* req,
                                          v1::ListTicketsResponse* resp) {
  return handle("ListTickets", [&] {
    const auto page = dispatch_.list_tickets(filter_from_proto(*req));
    const TimePoint now = dispatch_.clock().now();
    for (const Ticket& t : page.tickets) to_proto(t, now, req->include_timeline(), resp->add_tickets());
    if (page.next_after) resp->set_next_page_token(std::to_string(page.next_after));
  });
}

}  // namespace linecrew::rpc
