#include "linecrew/core/ids.h"

#include <charconv>

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

std::string record_id(const TicketId& ticket, std::string_view prefix, std::uint32_t n) {
  return ticket.str() + "/" + std::string(prefix) + std::to_string(n);
}

RecordRef parse_record_id(std::string_view text, std::string_view prefix, const std::string& field) {
  const std::string shape =
      "'<ticket id>/" + std::string(prefix) + "<number>', e.g. T-000123/" + std::string(prefix) + "1";
  const auto slash = text.rfind('/');
  if (slash == std::string_view::npos || slash == 0) throw_invalid(field, "must be " + shape);
  std::string_view number = text.substr(slash + 1);
  if (!number.starts_with(prefix)) throw_invalid(field, "must be " + shape);
  number.remove_prefix(prefix.size());
  std::uint32_t n = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || n == 0)
    throw_invalid(field, "must end in '/" + std::string(prefix) + "<number>' with a number from 1");
  try {
    return {TicketId(std::string(text.substr(0, slash))), n};
  } catch (const Error& e) {
    throw_invalid(field, "the ticket id part: " + e.message());
  }
}

}  // namespace linecrew
