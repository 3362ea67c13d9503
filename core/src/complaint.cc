#include "linecrew/core/complaint.h"

#include <algorithm>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/phone.h"
#include "linecrew/core/ticket.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, kAllComplaintCauses.size()> kCauseNames = {
    "late_arrival", "not_informed", "staff_conduct", "repeat_fault", "property_damage", "other"};
constexpr std::array<std::string_view, 2> kSeverityNames = {"ordinary", "serious"};
constexpr std::array<std::string_view, 3> kAnswerNames = {"none", "satisfied", "not_satisfied"};

Complaint& find(Ticket& t, std::uint32_t n) {
  if (n == 0 || n > t.complaints.size())
    throw Error(ErrorCode::kNotFound, "complaint_id",
                "ticket " + t.id.str() + " has no complaint C" + std::to_string(n));
  return t.complaints[n - 1];
}

}  // namespace

std::string_view to_string(ComplaintCause cause) {
  return enum_name(kCauseNames, cause);
}
std::optional<ComplaintCause> parse_complaint_cause(std::string_view text) {
  return enum_from<ComplaintCause>(kCauseNames, text);
}
std::string_view to_string(ComplaintSeverity severity) {
  return enum_name(kSeverityNames, severity);
}
std::optional<ComplaintSeverity> parse_complaint_severity(std::string_view text) {
  return enum_from<ComplaintSeverity>(kSeverityNames, text);
}
std::string_view to_string(CustomerAnswer answer) {
  return enum_name(kAnswerNames, answer);
}

std::string complaint_id(const TicketId& ticket, std::uint32_t n) {
  return record_id(ticket, "C", n);
}

RecordRef parse_complaint_id(std::string_view text, const std::string& field) {
  return parse_record_id(text, "C", field);
}

std::uint32_t record_complaint(Ticket& t, const ComplaintDraft& d, const std::string& by,
                               const std::string& phone_region, TimePoint now) {
  check_length(d.name, limit::kComplainantName, "name");
  check_length(d.address, limit::kComplaintAddress, "address");
  if (d.phone.empty()) throw_invalid("phone", "is required: the desk must be able to call the customer back");
  Complaint c;
  c.phone = normalise_phone(d.phone, phone_region, "phone");
  check_length(d.reason, limit::kComplaintReason, "reason");
  if (by.empty()) throw_invalid("recorded_by", "a complaint is signed by who recorded it");
  c.n = static_cast<std::uint32_t>(t.complaints.size() + 1);
  c.name = d.name;
  c.address = d.address;
  c.cause = d.cause;
  c.reason = d.reason;
  c.severity = d.severity;
  c.recorded_by = by;
  c.recorded = now;
  const std::string id = complaint_id(t.id, c.n);
  t.timeline.push_back(
      {now, "complaint_recorded", by,
       id + " " + std::string(to_string(d.severity)) + ", " + std::string(to_string(d.cause)) + ": " + d.reason});
  if (d.severity == ComplaintSeverity::kSerious)
    open_escalation(t, EscalationKind::kSeriousComplaint, "complaint:" + std::to_string(c.n),
                    id + " serious complaint (" + std::string(to_string(d.cause)) + "), recorded by " + by, now);
  t.complaints.push_back(std::move(c));
  return t.complaints.back().n;
}

void close_complaint(Ticket& t, std::uint32_t n, const std::string& outcome, CustomerAnswer answer,
                     const std::string& by, TimePoint now) {
  Complaint& c = find(t, n);
  const std::string id = complaint_id(t.id, n);
  if (!c.open())
    throw Error(ErrorCode::kFailedPrecondition, "complaint_id",
                id + " is already closed (by " + c.closed_by + ", the customer satisfied)");
  check_length(outcome, limit::kComplaintOutcome, "outcome");
  if (answer != CustomerAnswer::kSatisfied)
    throw Error(ErrorCode::kFailedPrecondition, "customer_answer",
                id + " stays open until the customer says they are satisfied (rules §7); the answer was '" +
                    std::string(to_string(answer)) + "'");
  c.closed_at = now;
  c.closed_by = by;
  c.outcome = outcome;
  t.timeline.push_back({now, "complaint_closed", by, id + " customer satisfied: " + outcome});
}

void ComplaintFigures::add(const Complaint& c) {
  ++recorded;
  ++by_cause[static_cast<std::size_t>(c.cause)];
  if (c.severity == ComplaintSeverity::kSerious) ++serious;
  if (c.open()) {
    ++open;
    if (!oldest_open || c.recorded < *oldest_open) oldest_open = c.recorded;
    return;
  }
  ++satisfied;
  const Duration d = *c.closed_at - c.recorded;
  time_to_satisfaction_total += d;
  time_to_satisfaction_max = std::max(time_to_satisfaction_max, d);
}

}  // namespace linecrew
