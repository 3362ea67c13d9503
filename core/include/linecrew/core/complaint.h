// Complaints (投诉, rules §7) about the service a ticket received: recorded
// with the complainant's name, address and phone, the cause and reason, the
// severity, and who recorded it; acknowledged with an apology; a serious one
// escalated at once; open until the customer says they are satisfied. A
// complaint belongs to its ticket (stored with it) and is numbered within it
// from 1; its id is "<ticket id>/C<n>".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/ids.h"
#include "linecrew/core/time.h"

namespace linecrew {

struct Ticket;

enum class ComplaintCause : std::uint8_t {
  kLateArrival,     // the crew came late or not at all
  kNotInformed,     // the customer was not told (no call, no message)
  kStaffConduct,    // how the crew or the desk behaved
  kRepeatFault,     // the same fault again
  kPropertyDamage,  // damage during the work
  kOther,
};
inline constexpr std::array<ComplaintCause, 6> kAllComplaintCauses = {
    ComplaintCause::kLateArrival, ComplaintCause::kNotInformed,    ComplaintCause::kStaffConduct,
    ComplaintCause::kRepeatFault, ComplaintCause::kPropertyDamage, ComplaintCause::kOther};
std::string_view to_string(ComplaintCause cause);  // "late_arrival", "not_informed", ...
std::optional<ComplaintCause> parse_complaint_cause(std::string_view text);

enum class ComplaintSeverity : std::uint8_t { kOrdinary, kSerious };
std::string_view to_string(ComplaintSeverity severity);  // "ordinary", "serious"
std::optional<ComplaintSeverity> parse_complaint_severity(std::string_view text);

enum class CustomerAnswer : std::uint8_t { kNone, kSatisfied, kNotSatisfied };
std::string_view to_string(CustomerAnswer answer);  // "none", "satisfied", "not_satisfied"

// What the desk takes down.
struct ComplaintDraft {
  std::string name;     // the complainant, 1..100 code points
  std::string address;  // 1..500
  std::string phone;    // required; normalised to E.164 in the policy's phone region
  ComplaintCause cause = ComplaintCause::kOther;
  std::string reason;  // in the customer's words, 1..1000
  ComplaintSeverity severity = ComplaintSeverity::kOrdinary;
};

struct Complaint {
  std::uint32_t n = 0;  // 1-based within the ticket
  std::string name;
  std::string address;
  std::string phone;  // E.164
  ComplaintCause cause = ComplaintCause::kOther;
  std::string reason;
  ComplaintSeverity severity = ComplaintSeverity::kOrdinary;
  std::string recorded_by;  // the desk's token label (signed)
  TimePoint recorded;
  std::optional<TimePoint> closed_at;  // set only with the customer's answer "satisfied"
  std::string closed_by;
  std::string outcome;  // what was done, as told to the customer

  bool open() const { return !closed_at; }
  bool operator==(const Complaint&) const = default;
};

std::string complaint_id(const TicketId& ticket, std::uint32_t n);  // "T-000123/C1"
RecordRef parse_complaint_id(std::string_view text, const std::string& field);

// Records a complaint on `t` (with a "complaint_recorded" timeline entry that
// holds no phone number); a serious one opens a "serious_complaint"
// escalation at once. Throws Error(kInvalidArgument, field) for a missing or
// bad field ("name", "address", "phone", "reason"), storing nothing. Returns
// its number.
std::uint32_t record_complaint(Ticket& t, const ComplaintDraft& draft, const std::string& by,
                               const std::string& phone_region, TimePoint now);

// Closes complaint `n` with the outcome (1..1000, "outcome") and the
// customer's answer. Only "satisfied" closes it: any other answer is
// Error(kFailedPrecondition, "customer_answer") and changes nothing (rules
// §7: the desk may not close it otherwise). A closed complaint is
// kFailedPrecondition ("complaint_id"); an unknown one kNotFound.
void close_complaint(Ticket& t, std::uint32_t n, const std::string& outcome, CustomerAnswer answer,
                     const std::string& by, TimePoint now);

// Figures over complaints (the report and /metrics).
struct ComplaintFigures {
  std::array<std::uint32_t, kAllComplaintCauses.size()> by_cause{};
  std::uint32_t recorded = 0;
  std::uint32_t serious = 0;
  std::uint32_t open = 0;
  std::uint32_t satisfied = 0;  // closed with the customer satisfied
  Duration time_to_satisfaction_total{0};
  Duration time_to_satisfaction_max{0};
  std::optional<TimePoint> oldest_open;
  void add(const Complaint& c);
  Duration mean_time_to_satisfaction() const {
    return satisfied ? time_to_satisfaction_total / satisfied : Duration{0};
  }
};

}  // namespace linecrew
