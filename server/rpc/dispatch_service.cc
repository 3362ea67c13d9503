#include "rpc/dispatch_service.h"

#include "linecrew/core/error.h"
#include "rpc/call.h"
#include "rpc/convert.h"

namespace linecrew::rpc {

namespace {
[[noreturn]] void not_built(const char* method) {
  throw Error(ErrorCode::kUnimplemented, "", std::string(method) + " is part of the v1 contract but not built yet");
}
}  // namespace

grpc::Status DispatchService::CreateTicket(grpc::ServerContext* ctx, const v1::CreateTicketRequest* req,
                                           v1::CreateTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.CreateTicket", [&](const Principal&) {
    const auto result = dispatch_.create_ticket(draft_from_proto(*req));
    to_proto(result.ticket, dispatch_.clock().now(), true, resp->mutable_ticket());
    resp->set_created(result.created);
  });
}

grpc::Status DispatchService::GetTicket(grpc::ServerContext* ctx, const v1::GetTicketRequest* req,
                                        v1::GetTicketResponse* resp) {
  return serve(ctx, auth_, "DispatchService.GetTicket", [&](const Principal&) {
    const Ticket t = dispatch_.get_ticket(TicketId(req->ticket_id()));
    to_proto(t, dispatch_.clock().now(), true, resp->mutable_ticket());
  });
}

grpc::Status DispatchService::ListTickets(grpc::ServerContext* ctx, const v1::ListTicketsRequest* req,
                                          v1::ListTicketsResponse* resp) {
  return serve(ctx, auth_, "DispatchService.ListTickets", [&](const Principal&) {
    const auto page = dispatch_.list_tickets(filter_from_proto(*req));
    const TimePoint now = dispatch_.clock().now();
    for (const Ticket& t : page.tickets) to_proto(t, now, req->include_timeline(), resp->add_tickets());
    if (page.next_after) resp->set_next_page_token(std::to_string(page.next_after));
  });
}

grpc::Status DispatchService::IssueToken(grpc::ServerContext* ctx, const v1::IssueTokenRequest* req,
                                         v1::IssueTokenResponse* resp) {
  return serve(ctx, auth_, "DispatchService.IssueToken", [&](const Principal&) {
    const auto role = role_from_proto(req->role());
    std::optional<Duration> ttl;
    if (req->has_ttl()) ttl = Duration(req->ttl().seconds());
    const CrewId crew = req->crew_id().empty() ? CrewId() : CrewId(req->crew_id());
    const app::IssuedToken t = auth_.issue(role, crew, req->label(), ttl);
    resp->set_token_id(t.record.id);
    resp->set_secret(t.secret);
    resp->set_role(req->role());
    resp->set_crew_id(t.record.crew.str());
    to_proto(t.record.expires, resp->mutable_expire_time());
  });
}

grpc::Status DispatchService::RevokeToken(grpc::ServerContext* ctx, const v1::RevokeTokenRequest* req,
                                          v1::RevokeTokenResponse* resp) {
  return serve(ctx, auth_, "DispatchService.RevokeToken", [&](const Principal&) {
    if (req->token_id().empty()) throw_invalid("token_id", "is required");
    to_proto(auth_.revoke(req->token_id()), resp->mutable_revoke_time());
  });
}

grpc::Status DispatchService::CancelTicket(grpc::ServerContext* ctx, const v1::CancelTicketRequest*,
                                           v1::CancelTicketResponse*) {
  return serve(ctx, auth_, "DispatchService.CancelTicket", [](const Principal&) { not_built("CancelTicket"); });
}

grpc::Status DispatchService::PinTicket(grpc::ServerContext* ctx, const v1::PinTicketRequest*, v1::PinTicketResponse*) {
  return serve(ctx, auth_, "DispatchService.PinTicket", [](const Principal&) { not_built("PinTicket"); });
}

grpc::Status DispatchService::UnpinTicket(grpc::ServerContext* ctx, const v1::UnpinTicketRequest*,
                                          v1::UnpinTicketResponse*) {
  return serve(ctx, auth_, "DispatchService.UnpinTicket", [](const Principal&) { not_built("UnpinTicket"); });
}

grpc::Status DispatchService::RegisterCrew(grpc::ServerContext* ctx, const v1::RegisterCrewRequest*,
                                           v1::RegisterCrewResponse*) {
  return serve(ctx, auth_, "DispatchService.RegisterCrew", [](const Principal&) { not_built("RegisterCrew"); });
}

grpc::Status DispatchService::UpdateCrew(grpc::ServerContext* ctx, const v1::UpdateCrewRequest*,
                                         v1::UpdateCrewResponse*) {
  return serve(ctx, auth_, "DispatchService.UpdateCrew", [](const Principal&) { not_built("UpdateCrew"); });
}

grpc::Status DispatchService::SetCrewShift(grpc::ServerContext* ctx, const v1::SetCrewShiftRequest*,
                                           v1::SetCrewShiftResponse*) {
  return serve(ctx, auth_, "DispatchService.SetCrewShift", [](const Principal&) { not_built("SetCrewShift"); });
}

grpc::Status DispatchService::ListCrews(grpc::ServerContext* ctx, const v1::ListCrewsRequest*, v1::ListCrewsResponse*) {
  return serve(ctx, auth_, "DispatchService.ListCrews", [](const Principal&) { not_built("ListCrews"); });
}

grpc::Status DispatchService::GetReport(grpc::ServerContext* ctx, const v1::GetReportRequest*, v1::GetReportResponse*) {
  return serve(ctx, auth_, "DispatchService.GetReport", [](const Principal&) { not_built("GetReport"); });
}

grpc::Status DispatchService::WatchBoard(grpc::ServerContext* ctx, const v1::WatchBoardRequest*,
                                         grpc::ServerWriter<v1::WatchBoardResponse>*) {
  return serve(ctx, auth_, "DispatchService.WatchBoard", [](const Principal&) { not_built("WatchBoard"); });
}

}  // namespace linecrew::rpc
