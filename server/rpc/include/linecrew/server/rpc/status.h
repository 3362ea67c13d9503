// The one error table: each domain ErrorCode maps to one gRPC status code.
// Handlers catch exactly once, through handle().
#pragma once

#include <grpcpp/support/status.h>

#include <exception>
#include <string_view>

#include "linecrew/core/error.h"

namespace linecrew::rpc {

grpc::StatusCode to_grpc(ErrorCode code);
grpc::Status to_status(const Error& error);
// INTERNAL with a generic message; the detail goes to the log only.
grpc::Status internal_error(std::string_view method, std::string_view what);

// Runs `body` (which returns nothing and throws on failure) and turns what it
// throws into a status: Error by the table, anything else INTERNAL (logged).
template <class F>
grpc::Status handle(std::string_view method, F&& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (const Error& e) {
    return to_status(e);
  } catch (const std::exception& e) {
    return internal_error(method, e.what());
  }
}

// One structured log line per request: method, status, latency, caller's
// token id (never a secret), as JSON on stderr.
void log_request(std::string_view method, const grpc::Status& status, double latency_ms, std::string_view token_id);

}  // namespace linecrew::rpc
