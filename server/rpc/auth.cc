#include "linecrew/server/rpc/auth.h"

#include <array>

#include "linecrew/core/error.h"

namespace linecrew::rpc {

namespace {

constexpr unsigned bit(Role r) {
  return 1u << static_cast<unsigned>(r);
}
constexpr unsigned kDesk = bit(Role::kDispatcher) | bit(Role::kAdmin);
constexpr unsigned kAdmin = bit(Role::kAdmin);
constexpr unsigned kCrew = bit(Role::kCrewDevice);

struct MethodRoles {
  std::string_view method;
  unsigned roles;
};

// CustomerService is deliberately absent: it takes no bearer token (the
// tracking token is the credential) and never calls authorize(); see
// rpc/customer_service.h. Its methods are therefore closed to every role here.
constexpr std::array kTable = {
    MethodRoles{"DispatchService.CreateTicket", kDesk},
    MethodRoles{"DispatchService.GetTicket", kDesk},
    MethodRoles{"DispatchService.ListTickets", kDesk},
    MethodRoles{"DispatchService.CancelTicket", kDesk},
    MethodRoles{"DispatchService.PinTicket", kDesk},
    MethodRoles{"DispatchService.UnpinTicket", kDesk},
    MethodRoles{"DispatchService.RegisterCrew", kAdmin},
    MethodRoles{"DispatchService.UpdateCrew", kDesk},
    MethodRoles{"DispatchService.SetCrewShift", kDesk},
    MethodRoles{"DispatchService.ListCrews", kDesk},
    MethodRoles{"DispatchService.WatchBoard", kDesk},
    MethodRoles{"DispatchService.GetReport", kDesk},
    MethodRoles{"DispatchService.IssueToken", kAdmin},
    MethodRoles{"DispatchService.RevokeToken", kAdmin},
    MethodRoles{"DispatchService.ListEscalations", kDesk},
    MethodRoles{"DispatchService.AcknowledgeEscalation", kDesk},
    MethodRoles{"DispatchService.ResolveEscalation", kDesk},
    MethodRoles{"DispatchService.ListFollowUps", kDesk},
    MethodRoles{"DispatchService.AddFollowUp", kDesk},
    MethodRoles{"DispatchService.GetFollowUpScript", kDesk},
    MethodRoles{"DispatchService.RecordFollowUp", kDesk},
    MethodRoles{"DispatchService.ListComplaints", kDesk},
    MethodRoles{"DispatchService.RecordComplaint", kDesk},
    MethodRoles{"DispatchService.CloseComplaint", kDesk},
    MethodRoles{"DispatchService.ListConfirmationCalls", kDesk},
    MethodRoles{"DispatchService.RecordConfirmationCall", kDesk},
    MethodRoles{"DispatchService.LinkTicket", kDesk},
    MethodRoles{"CrewSyncService.Hello", kCrew},
    MethodRoles{"CrewSyncService.Upload", kCrew},
    MethodRoles{"CrewSyncService.Pull", kCrew},
};

}  // namespace

bool role_may_call(Role role, std::string_view method) {
  for (const MethodRoles& m : kTable)
    if (m.method == method) return (m.roles & bit(role)) != 0;
  return false;  // a method missing from the table is closed to everyone
}

Principal authorize(const grpc::ServerContext& ctx, const app::Auth& auth, std::string_view method) {
  const auto& md = ctx.client_metadata();
  const auto it = md.find("authorization");
  const std::string_view header =
      it == md.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
  Principal p = auth.authenticate(header);
  if (!role_may_call(p.role, method))
    throw Error(ErrorCode::kPermissionDenied, "authorization",
                "role " + std::string(to_string(p.role)) + " may not call " + std::string(method));
  return p;
}

}  // namespace linecrew::rpc
