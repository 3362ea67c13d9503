// Escalations (rules §7): what puts a ticket in front of the dispatch desk at
// once, as a record the desk acknowledges and resolves, not only a line in
// the timeline. An escalation belongs to its ticket (stored with it, in the
// same transaction as the change that opened it) and is numbered within it
// from 1; its id is "<ticket id>/<n>".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/ids.h"
#include "linecrew/core/time.h"

namespace linecrew {

struct Ticket;
struct ServicePolicy;

enum class EscalationKind : std::uint8_t {
  kDelayCallRefused,      // the customer refused the new time (rules §2.4)
  kDelayCallUnreachable,  // no answer or a dropped call (rules §2.4)
  kCloseoutIncomplete,    // the crew left without the cause found or explained (rules §2 worked case)
  kStalled,               // no progress for the policy's stalled time (rules §6)
  kFollowUpOverdue,       // a follow-up owed to the customer is past due (rules §7)
  kSeriousComplaint,      // a complaint classified serious (rules §7)
  kCrewNeedsHelp,         // the crew asked for help from the handheld
};
inline constexpr std::array<EscalationKind, 7> kAllEscalationKinds = {
    EscalationKind::kDelayCallRefused, EscalationKind::kDelayCallUnreachable, EscalationKind::kCloseoutIncomplete,
    EscalationKind::kStalled,          EscalationKind::kFollowUpOverdue,      EscalationKind::kSeriousComplaint,
    EscalationKind::kCrewNeedsHelp};
std::string_view to_string(EscalationKind kind);  // "delay_call_refused", ...
std::optional<EscalationKind> parse_escalation_kind(std::string_view text);

enum class EscalationState : std::uint8_t { kOpen, kAcknowledged, kResolved };
std::string_view to_string(EscalationState state);  // "open", "acknowledged", "resolved"
std::optional<EscalationState> parse_escalation_state(std::string_view text);

struct Escalation {
  std::uint32_t n = 0;  // 1-based within the ticket
  EscalationKind kind = EscalationKind::kStalled;
  std::string key;     // what fired it, unique within the ticket: "stalled:1795850400", ...
  std::string detail;  // a sentence the desk can read
  TimePoint opened;
  std::string acknowledged_by;  // the dispatcher's token label; empty until acknowledged
  std::optional<TimePoint> acknowledged_at;
  std::string resolved_by;
  std::optional<TimePoint> resolved_at;
  std::string resolution;  // the desk's note

  EscalationState state() const {
    if (resolved_at) return EscalationState::kResolved;
    return acknowledged_at ? EscalationState::kAcknowledged : EscalationState::kOpen;
  }
  bool operator==(const Escalation&) const = default;
};

// "<ticket id>/<n>", and back. parse_escalation_id throws
// Error(kInvalidArgument, field) unless the text is a ticket id, '/', and n >= 1.
using EscalationRef = RecordRef;
std::string escalation_id(const TicketId& ticket, std::uint32_t n);
EscalationRef parse_escalation_id(std::string_view text, const std::string& field);

// Opens an escalation on `t` (appended, with an "escalation_opened" timeline
// entry), unless one of the same kind is still unresolved on the ticket or
// one with the same key was ever opened: the desk sees each cause once.
// Serious complaints are the exception to the first rule: each one is
// escalated (its key is the complaint), whatever else is unresolved.
// Returns the new escalation's number, or nullopt when nothing was opened.
std::optional<std::uint32_t> open_escalation(Ticket& t, EscalationKind kind, std::string key, std::string detail,
                                             TimePoint now);

// The desk's answer, recorded with who gave it (`by`: the dispatcher's token
// label) and when. Acknowledge: only an open escalation
// (Error(kFailedPrecondition, "escalation_id") once acknowledged or
// resolved). Resolve: an open or acknowledged one (an open one is
// acknowledged at the same time) with a note of 1..500 code points
// (Error(kInvalidArgument, "note")); a resolved one is kFailedPrecondition.
// Each adds a timeline entry. Error(kNotFound, "escalation_id") when the
// ticket has no escalation `n`.
void acknowledge_escalation(Ticket& t, std::uint32_t n, const std::string& by, TimePoint now);
void resolve_escalation(Ticket& t, std::uint32_t n, const std::string& by, const std::string& note, TimePoint now);

// When the ticket last made progress: its last timeline entry that is not
// the desk's own bookkeeping of escalations, follow-ups and complaints (or
// its creation).
TimePoint last_progress(const Ticket& t);

// Rules §6/§7: an open ticket without progress for longer than the policy's
// stalled time opens a "stalled" escalation (once per stall: the key is the
// last progress time). A ticket linked to a fault does not stall on its own
// (its lead does). Returns the number opened, or nullopt.
std::optional<std::uint32_t> escalate_if_stalled(Ticket& t, const ServicePolicy& policy, TimePoint now);

// Figures over escalations (the report and /metrics).
struct EscalationFigures {
  std::array<std::uint32_t, kAllEscalationKinds.size()> opened{};  // by kind
  std::uint32_t open = 0;                                          // not yet acknowledged
  std::uint32_t acknowledged = 0;                                  // acknowledged, not resolved
  std::uint32_t resolved = 0;
  std::uint32_t acknowledged_total = 0;  // ever acknowledged (the mean's count)
  Duration ack_time_total{0};            // sum of opened -> acknowledged
  Duration ack_time_max{0};
  std::optional<TimePoint> oldest_open;  // opened time of the oldest unacknowledged one
  void add(const Escalation& e);
  Duration mean_time_to_acknowledge() const {
    return acknowledged_total ? ack_time_total / acknowledged_total : Duration{0};
  }
};

}  // namespace linecrew
