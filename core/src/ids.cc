#include "linecrew/core/ids.h"

#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"

namespace linecrew {

void validate_id(std::string_view value, std::string_view field) {
  if (value.empty()) throw_invalid(std::string(field), "must not be empty");
  if (value.size() > 64) throw_invalid(std::string(field), "is longer than 64 characters");
  for (const char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) throw_invalid(std::string(field), "'" + std::string(value) + "' may hold only A-Z a-z 0-9 . _ : -");
  }
}

void DeviceIdTag::validate(std::string_view value) {
  check_length(value, limit::kDeviceId, std::string(kField));
  for (const char c : value) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) throw_invalid(std::string(kField), "may hold only letters, digits, '_', '.' and '-'");
  }
}

}  // namespace linecrew
