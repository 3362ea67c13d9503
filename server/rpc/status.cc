#include "linecrew/server/rpc/status.h"

#include <cstdio>
#include <iostream>
#include <string>

namespace linecrew::rpc {

grpc::StatusCode to_grpc(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorCode::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case ErrorCode::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorCode::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorCode::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorCode::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorCode::kResourceExhausted:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case ErrorCode::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

grpc::Status to_status(const Error& error) {
  if (error.code() == ErrorCode::kInternal) std::cerr << "linecrew-server: internal error: " << error.what() << "\n";
  return grpc::Status(to_grpc(error.code()), error.what());
}

grpc::Status internal_error(std::string_view method, std::string_view what) {
  std::cerr << "linecrew-server: " << method << ": unexpected exception: " << what << "\n";
  return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
}

void log_request(std::string_view method, const grpc::Status& status, double latency_ms, std::string_view token_id) {
  std::string line = R"({"event":"rpc","method":")" + std::string(method) + R"(","code":)" +
                     std::to_string(static_cast<int>(status.error_code())) + R"(,"latency_ms":)";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", latency_ms);
  line += buf;
  line += R"(,"token_id":")" + std::string(token_id) + "\"}\n";
  std::cerr << line;
}

}  // namespace linecrew::rpc
