#pragma once

#include "app/dispatch.h"
#include "linecrew/v1/dispatch.grpc.pb.h"

namespace linecrew::rpc {

// Thin handlers: parse, call app::Dispatch, serialise. RPCs not listed here
// answer UNIMPLEMENTED (the generated default) until their issue lands.
class DispatchService final : public v1::DispatchService::Service {
 public:
  explicit DispatchService(app::Dispatch& dispatch) : dispatch_(dispatch) {}

  grpc::Status CreateTicket(grpc::ServerContext* ctx, const v1::CreateTicketRequest* req,
                            v1::CreateTicketResponse* resp) override;
  grpc::Status GetTicket(grpc::ServerContext* ctx, const v1::GetTicketRequest* req,
                         v1::GetTicketResponse* resp) override;
  grpc::Status ListTickets(grpc::ServerContext* ctx, const v1::ListTicketsRequest* req,
                           v1::ListTicketsResponse* resp) override;

 private:
  app::Dispatch& dispatch_;
};

}  // namespace linecrew::rpc
