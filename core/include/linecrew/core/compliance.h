// The delay rule (rules §2): effective deadlines after a consented contact, and
// the verdict on a ticket's arrival: on time, late but excused, or violation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/time.h"

namespace linecrew {

enum class DelayReason : std::uint8_t { kWeather, kTraffic, kPreviousJobOverran, kEquipment, kOther };
enum class Consent : std::uint8_t { kYes, kRefused, kUnreachable };

std::string_view to_string(DelayReason reason);  // "weather", "traffic", ...
std::optional<DelayReason> parse_delay_reason(std::string_view text);
std::string_view to_string(Consent consent);  // "yes", "refused", "unreachable"
std::optional<Consent> parse_consent(std::string_view text);

// One call to the customer about a delay (rules §2.2). `time` is when the
// contact was made (the device's record, validated by the server).
struct ContactRecord {
  TimePoint time;
  DelayReason reason = DelayReason::kOther;
  TimePoint proposed_time;                  // the new arrival time offered
  Consent consent = Consent::kUnreachable;  // no consent unless recorded: a default record moves no deadline
};

// Throws Error(kInvalidArgument) when the proposed time is not after the call.
void validate(const ContactRecord& contact);

// Rule §2.3 for one call: the deadline it moves to (the agreed time) when the
// customer consented and the call was made no later than `in_force`, the
// deadline in force at that moment; nullopt otherwise (a late or refused call
// moves nothing).
std::optional<TimePoint> deadline_after_call(const ContactRecord& contact, TimePoint in_force);

// The deadline in force: the original one, moved to the agreed time by each
// consented contact made no later than the deadline in force at that moment
// (rules §2.2–2.3). Contacts are taken in time order.
TimePoint effective_deadline(TimePoint deadline, const std::vector<ContactRecord>& contacts);

enum class Compliance : std::uint8_t {
  kPending,      // not arrived, deadline still ahead
  kOnTime,       // arrived no later than the original deadline
  kLateExcused,  // late, but a timely consented contact moved the deadline and it was kept
  kViolation,    // late without a timely consented contact, or after the agreed time
};
std::string_view to_string(Compliance compliance);

struct ComplianceVerdict {
  Compliance compliance;
  // How late: for LateExcused (and Pending past the original deadline) after
  // the original deadline; for Violation after the effective deadline; else 0.
  Duration late_by;
  TimePoint effective_deadline;  // as used for the verdict
  std::string reason;            // a sentence a dispatcher can read
};

// Evaluates a ticket. Without an arrival the verdict is Pending until the
// effective deadline has passed at `now`, then Violation (overdue).
ComplianceVerdict evaluate_compliance(TimePoint deadline, std::optional<TimePoint> arrival,
                                      const std::vector<ContactRecord>& contacts, TimePoint now);

}  // namespace linecrew
