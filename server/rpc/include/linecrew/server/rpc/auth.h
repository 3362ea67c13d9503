// Who may call what: one table of methods and the roles allowed on each.
#pragma once

#include <grpcpp/server_context.h>

#include <string_view>

#include "linecrew/server/app/auth.h"

namespace linecrew::rpc {

// Roles allowed to call `method` ("DispatchService.CreateTicket", ...).
bool role_may_call(Role role, std::string_view method);

// Authenticates the call's bearer token and checks the role table. Throws
// Error(kUnauthenticated) or Error(kPermissionDenied); nothing else happens
// for a call that fails here.
Principal authorize(const grpc::ServerContext& ctx, const app::Auth& auth, std::string_view method);

}  // namespace linecrew::rpc
