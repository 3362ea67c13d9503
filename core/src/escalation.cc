#include "linecrew/core/escalation.h"

#include <algorithm>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, kAllEscalationKinds.size()> kKindNames = {
    "delay_call_refused", "delay_call_unreachable", "closeout_incomplete", "stalled",
    "follow_up_overdue",  "serious_complaint",      "crew_needs_help"};
constexpr std::array<std::string_view, 3> kStateNames = {"open", "acknowledged", "resolved"};

// Timeline kinds of the desk's own bookkeeping (escalations, follow-ups,
// complaints): not progress on the repair.
constexpr std::array<std::string_view, 9> kBookkeeping = {
    "escalation_opened", "escalation_acknowledged", "escalation_resolved", "follow_up_owed",  "follow_up_attempt",
    "follow_up_done",    "follow_up_apology",       "complaint_recorded",  "complaint_closed"};

Escalation& find(Ticket& t, std::uint32_t n) {
  if (n == 0 || n > t.escalations.size())
    throw Error(ErrorCode::kNotFound, "escalation_id",
                "ticket " + t.id.str() + " has no escalation " + std::to_string(n));
  return t.escalations[n - 1];
}

}  // namespace

std::string_view to_string(EscalationKind kind) {
  return enum_name(kKindNames, kind);
}
std::optional<EscalationKind> parse_escalation_kind(std::string_view text) {
  return enum_from<EscalationKind>(kKindNames, text);
}
std::string_view to_string(EscalationState state) {
  return enum_name(kStateNames, state);
}
std::optional<EscalationState> parse_escalation_state(std::string_view text) {
  return enum_from<EscalationState>(kStateNames, text);
}

std::string escalation_id(const TicketId& ticket, std::uint32_t n) {
  return record_id(ticket, "", n);
}

EscalationRef parse_escalation_id(std::string_view text, const std::string& field) {
  return parse_record_id(text, "", field);
}

std::optional<std::uint32_t> open_escalation(Ticket& t, EscalationKind kind, std::string key, std::string detail,
                                             TimePoint now) {
  // Each serious complaint goes to the supervisor on its own (rules §7), even beside an unresolved one.
  const bool one_per_kind = kind != EscalationKind::kSeriousComplaint;
  for (const Escalation& e : t.escalations)
    if (e.key == key || (one_per_kind && e.kind == kind && e.state() != EscalationState::kResolved))
      return std::nullopt;
  Escalation e;
  e.n = static_cast<std::uint32_t>(t.escalations.size() + 1);
  e.kind = kind;
  e.key = std::move(key);
  e.detail = std::move(detail);
  e.opened = now;
  t.timeline.push_back({now, "escalation_opened", "system",
                        escalation_id(t.id, e.n) + " " + std::string(to_string(kind)) + ": " + e.detail});
  t.escalations.push_back(std::move(e));
  return t.escalations.back().n;
}

void acknowledge_escalation(Ticket& t, std::uint32_t n, const std::string& by, TimePoint now) {
  Escalation& e = find(t, n);
  if (e.state() != EscalationState::kOpen)
    throw Error(ErrorCode::kFailedPrecondition, "escalation_id",
                escalation_id(t.id, n) + " is already " + std::string(to_string(e.state())) + " (by " +
                    (e.state() == EscalationState::kResolved ? e.resolved_by : e.acknowledged_by) + ")");
  e.acknowledged_by = by;
  e.acknowledged_at = now;
  t.timeline.push_back({now, "escalation_acknowledged", by, escalation_id(t.id, n)});
}

void resolve_escalation(Ticket& t, std::uint32_t n, const std::string& by, const std::string& note, TimePoint now) {
  Escalation& e = find(t, n);
  check_length(note, limit::kEscalationNote, "note");
  if (e.state() == EscalationState::kResolved)
    throw Error(ErrorCode::kFailedPrecondition, "escalation_id",
                escalation_id(t.id, n) + " is already resolved (by " + e.resolved_by + ")");
  if (!e.acknowledged_at) {
    e.acknowledged_by = by;
    e.acknowledged_at = now;
  }
  e.resolved_by = by;
  e.resolved_at = now;
  e.resolution = note;
  t.timeline.push_back({now, "escalation_resolved", by, escalation_id(t.id, n) + ": " + note});
}

TimePoint last_progress(const Ticket& t) {
  for (auto it = t.timeline.rbegin(); it != t.timeline.rend(); ++it)
    if (std::find(kBookkeeping.begin(), kBookkeeping.end(), it->kind) == kBookkeeping.end()) return it->time;
  return t.created;
}

std::optional<std::uint32_t> escalate_if_stalled(Ticket& t, const ServicePolicy& policy, TimePoint now) {
  // A caller linked to a fault (rules §7) moves with its lead: the lead's stall is the one to act on.
  if (is_terminal(t.status) || !t.fault.empty()) return std::nullopt;
  const TimePoint last = last_progress(t);
  if (now - last <= policy.stalled_after) return std::nullopt;
  const auto stalled_min = std::chrono::duration_cast<std::chrono::minutes>(now - last).count();
  return open_escalation(t, EscalationKind::kStalled, "stalled:" + std::to_string(last.time_since_epoch().count()),
                         "no progress for " + std::to_string(stalled_min) + " min (status " +
                             std::string(to_string(t.status)) + ", " +
                             (t.owner.empty() ? std::string("desk") : "crew " + t.owner.str()) + ")",
                         now);
}

void EscalationFigures::add(const Escalation& e) {
  ++opened[static_cast<std::size_t>(e.kind)];
  switch (e.state()) {
    case EscalationState::kOpen:
      ++open;
      if (!oldest_open || e.opened < *oldest_open) oldest_open = e.opened;
      break;
    case EscalationState::kAcknowledged:
      ++acknowledged;
      break;
    case EscalationState::kResolved:
      ++resolved;
      break;
  }
  if (e.acknowledged_at) {
    const Duration d = *e.acknowledged_at - e.opened;
    ++acknowledged_total;
    ack_time_total += d;
    ack_time_max = std::max(ack_time_max, d);
  }
}

}  // namespace linecrew
