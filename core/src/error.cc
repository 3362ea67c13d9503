#include "linecrew/core/error.h"

namespace linecrew {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Error::Error(ErrorCode code, std::string field, std::string message)
    : code_(code), field_(std::move(field)), message_(std::move(message)) {
  what_ = field_.empty() ? message_ : field_ + ": " + message_;
}

Error Error::prefixed(std::string_view prefix) const {
  std::string field(prefix);
  if (!field_.empty()) field += "." + field_;
  return Error(code_, std::move(field), message_);
}

void throw_invalid(std::string field, std::string message) {
  throw Error(ErrorCode::kInvalidArgument, std::move(field), std::move(message));
}

}  // namespace linecrew
