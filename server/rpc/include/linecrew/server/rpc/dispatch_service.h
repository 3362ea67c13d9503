#pragma once

#include <atomic>

#include "linecrew/server/app/auth.h"
#include "linecrew/server/app/board.h"
#include "linecrew/server/app/dispatch.h"
#include "linecrew/v1/dispatch.grpc.pb.h"

namespace linecrew::rpc {

// Thin handlers: authorise, parse, call app::Dispatch, serialise. Every RPC
// of the contract is overridden, so that even one not built yet checks the
// caller before it answers UNIMPLEMENTED.
class DispatchService final : public v1::DispatchService::Service {
 public:
  DispatchService(app::Dispatch& dispatch, app::Auth& auth, app::Board& board,
                  const FollowUpScriptTemplates& follow_up_scripts)
      : dispatch_(dispatch), auth_(auth), board_(board), follow_up_scripts_(follow_up_scripts) {}
  // Ends open WatchBoard streams (graceful shutdown).
  void stop_streams() { stopping_ = true; }

  grpc::Status CreateTicket(grpc::ServerContext* ctx, const v1::CreateTicketRequest* req,
                            v1::CreateTicketResponse* resp) override;
  grpc::Status LinkTicket(grpc::ServerContext* ctx, const v1::LinkTicketRequest* req,
                          v1::LinkTicketResponse* resp) override;
  grpc::Status GetTicket(grpc::ServerContext* ctx, const v1::GetTicketRequest* req,
                         v1::GetTicketResponse* resp) override;
  grpc::Status ListTickets(grpc::ServerContext* ctx, const v1::ListTicketsRequest* req,
                           v1::ListTicketsResponse* resp) override;
  grpc::Status IssueToken(grpc::ServerContext* ctx, const v1::IssueTokenRequest* req,
                          v1::IssueTokenResponse* resp) override;
  grpc::Status RevokeToken(grpc::ServerContext* ctx, const v1::RevokeTokenRequest* req,
                           v1::RevokeTokenResponse* resp) override;
  grpc::Status CancelTicket(grpc::ServerContext* ctx, const v1::CancelTicketRequest* req,
                            v1::CancelTicketResponse* resp) override;
  grpc::Status PinTicket(grpc::ServerContext* ctx, const v1::PinTicketRequest* req,
                         v1::PinTicketResponse* resp) override;
  grpc::Status UnpinTicket(grpc::ServerContext* ctx, const v1::UnpinTicketRequest* req,
                           v1::UnpinTicketResponse* resp) override;
  grpc::Status RegisterCrew(grpc::ServerContext* ctx, const v1::RegisterCrewRequest* req,
                            v1::RegisterCrewResponse* resp) override;
  grpc::Status UpdateCrew(grpc::ServerContext* ctx, const v1::UpdateCrewRequest* req,
                          v1::UpdateCrewResponse* resp) override;
  grpc::Status SetCrewShift(grpc::ServerContext* ctx, const v1::SetCrewShiftRequest* req,
                            v1::SetCrewShiftResponse* resp) override;
  grpc::Status ListCrews(grpc::ServerContext* ctx, const v1::ListCrewsRequest* req,
                         v1::ListCrewsResponse* resp) override;
  grpc::Status GetReport(grpc::ServerContext* ctx, const v1::GetReportRequest* req,
                         v1::GetReportResponse* resp) override;
  grpc::Status ListEscalations(grpc::ServerContext* ctx, const v1::ListEscalationsRequest* req,
                               v1::ListEscalationsResponse* resp) override;
  grpc::Status AcknowledgeEscalation(grpc::ServerContext* ctx, const v1::AcknowledgeEscalationRequest* req,
                                     v1::AcknowledgeEscalationResponse* resp) override;
  grpc::Status ResolveEscalation(grpc::ServerContext* ctx, const v1::ResolveEscalationRequest* req,
                                 v1::ResolveEscalationResponse* resp) override;
  grpc::Status ListFollowUps(grpc::ServerContext* ctx, const v1::ListFollowUpsRequest* req,
                             v1::ListFollowUpsResponse* resp) override;
  grpc::Status AddFollowUp(grpc::ServerContext* ctx, const v1::AddFollowUpRequest* req,
                           v1::AddFollowUpResponse* resp) override;
  grpc::Status GetFollowUpScript(grpc::ServerContext* ctx, const v1::GetFollowUpScriptRequest* req,
                                 v1::GetFollowUpScriptResponse* resp) override;
  grpc::Status RecordFollowUp(grpc::ServerContext* ctx, const v1::RecordFollowUpRequest* req,
                              v1::RecordFollowUpResponse* resp) override;
  grpc::Status ListComplaints(grpc::ServerContext* ctx, const v1::ListComplaintsRequest* req,
                              v1::ListComplaintsResponse* resp) override;
  grpc::Status RecordComplaint(grpc::ServerContext* ctx, const v1::RecordComplaintRequest* req,
                               v1::RecordComplaintResponse* resp) override;
  grpc::Status CloseComplaint(grpc::ServerContext* ctx, const v1::CloseComplaintRequest* req,
                              v1::CloseComplaintResponse* resp) override;
  grpc::Status ListConfirmationCalls(grpc::ServerContext* ctx, const v1::ListConfirmationCallsRequest* req,
                                     v1::ListConfirmationCallsResponse* resp) override;
  grpc::Status RecordConfirmationCall(grpc::ServerContext* ctx, const v1::RecordConfirmationCallRequest* req,
                                      v1::RecordConfirmationCallResponse* resp) override;
  grpc::Status WatchBoard(grpc::ServerContext* ctx, const v1::WatchBoardRequest* req,
                          grpc::ServerWriter<v1::WatchBoardResponse>* writer) override;

 private:
  app::Dispatch& dispatch_;
  app::Auth& auth_;
  app::Board& board_;
  const FollowUpScriptTemplates& follow_up_scripts_;
  std::atomic<bool> stopping_{false};
};

}  // namespace linecrew::rpc
