// One error type for the whole domain. Each ErrorCode maps to exactly one gRPC
// status code at the edge (server/rpc/status.cc); core knows nothing of gRPC.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace linecrew {

enum class ErrorCode {
  kInvalidArgument,     // malformed input; names the field
  kNotFound,            // the thing named does not exist (or may not be seen)
  kAlreadyExists,       // idempotency key reused with different content
  kFailedPrecondition,  // illegal state transition, conflicting state
  kPermissionDenied,    // authenticated, but the role may not do this
  kUnauthenticated,     // no or bad credentials
  kResourceExhausted,   // too large, too many
  kUnavailable,         // try again later (draining, storage busy)
  kInternal,            // a bug or a broken invariant; logged
};

std::string_view to_string(ErrorCode code);

// An error with a code, the field it concerns (dotted path, may be empty) and a
// human-readable message. what() is "field: message".
class Error : public std::exception {
 public:
  Error(ErrorCode code, std::string field, std::string message);

  ErrorCode code() const noexcept { return code_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& message() const noexcept { return message_; }
  const char* what() const noexcept override { return what_.c_str(); }

  // The same error with `prefix.` put before its field, for nested values:
  // a GeoPoint says "lat", the ticket intake makes it "location.lat".
  Error prefixed(std::string_view prefix) const;

 private:
  ErrorCode code_;
  std::string field_;
  std::string message_;
  std::string what_;
};

[[noreturn]] void throw_invalid(std::string field, std::string message);

}  // namespace linecrew
