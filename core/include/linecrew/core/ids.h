// Strong types for identifiers: a TicketId cannot be passed where a CrewId is
// expected. Ids are short printable strings ([A-Za-z0-9._:-], 1..64 chars).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace linecrew {

// Throws Error(kInvalidArgument, field) unless `value` is a valid id.
void validate_id(std::string_view value, std::string_view field);

template <class Tag>
class StrongId {
 public:
  StrongId() = default;  // the empty id: "none"
  // A tag with its own rule (a static validate(value)) checks it instead of validate_id.
  explicit StrongId(std::string value) : value_(std::move(value)) {
    if constexpr (requires { Tag::validate(std::string_view{}); })
      Tag::validate(value_);
    else
      validate_id(value_, Tag::kField);
  }

  const std::string& str() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  // clang-tidy < 18 reports the literal 0 the compiler synthesizes inside a defaulted <=> as "use nullptr"
  // (llvm/llvm-project#53961); this code has no 0 to replace.
  auto operator<=>(const StrongId&) const = default;  // NOLINT(modernize-use-nullptr): false positive, see above

 private:
  std::string value_;
};

struct TicketIdTag {
  static constexpr std::string_view kField = "ticket_id";
};
struct CrewIdTag {
  static constexpr std::string_view kField = "crew_id";
};
// A handheld's stable id (e.g. its serial): 1..64 chars [A-Za-z0-9_.-], as
// crew_sync.proto states it (no ':').
struct DeviceIdTag {
  static constexpr std::string_view kField = "device_id";
  static void validate(std::string_view value);
};

using TicketId = StrongId<TicketIdTag>;
using CrewId = StrongId<CrewIdTag>;
using DeviceId = StrongId<DeviceIdTag>;

// A record kept on a ticket (an escalation, a follow-up, a complaint),
// numbered from 1 within it; its id is "<ticket id>/<prefix><n>"
// ("T-000123/1", "T-000123/F2", "T-000123/C1").
struct RecordRef {
  TicketId ticket;
  std::uint32_t n = 0;
};
std::string record_id(const TicketId& ticket, std::string_view prefix, std::uint32_t n);
// Throws Error(kInvalidArgument, field) unless `text` is a ticket id, '/',
// `prefix` and a number from 1.
RecordRef parse_record_id(std::string_view text, std::string_view prefix, const std::string& field);

}  // namespace linecrew

template <class Tag>
struct std::hash<linecrew::StrongId<Tag>> {
  size_t operator()(const linecrew::StrongId<Tag>& id) const noexcept { return std::hash<std::string>{}(id.str()); }
};
