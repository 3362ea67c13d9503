#include "linecrew/core/follow_up.h"

#include "linecrew/core/crew_action.h"
#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/follow_up_script.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, kAllFollowUpReasons.size()> kReasonNames = {"restoration", "cannot_fix",
                                                                                   "promise", "new_request"};
constexpr std::array<std::string_view, 4> kOutcomeNames = {"satisfied", "not_satisfied", "new_request", "unreachable"};

FollowUp& find(Ticket& t, std::uint32_t n) {
  if (n == 0 || n > t.follow_ups.size())
    throw Error(ErrorCode::kNotFound, "follow_up_id",
                "ticket " + t.id.str() + " has no follow-up F" + std::to_string(n));
  return t.follow_ups[n - 1];
}

// Opens a follow-up unless one with the same key was ever opened.
std::optional<std::uint32_t> open(Ticket& t, FollowUpReason reason, std::string key, std::string detail, TimePoint due,
                                  const std::string& by, TimePoint now, std::uint32_t parent = 0) {
  for (const FollowUp& f : t.follow_ups)
    if (f.key == key) return std::nullopt;
  FollowUp f;
  f.n = static_cast<std::uint32_t>(t.follow_ups.size() + 1);
  f.reason = reason;
  f.key = std::move(key);
  f.detail = std::move(detail);
  f.opened = now;
  f.first_due = f.due = due;
  f.parent = parent;
  f.opened_by = by;
  t.timeline.push_back({now, "follow_up_owed", by,
                        follow_up_id(t.id, f.n) + " " + std::string(to_string(reason)) + ", due " + format_utc(due)});
  t.follow_ups.push_back(std::move(f));
  return t.follow_ups.back().n;
}

// A reply time agreed with the customer: after now, at most follow_up_due ahead.
TimePoint agreed_reply_time(std::optional<TimePoint> wanted, const ServicePolicy& policy, TimePoint now,
                            const std::string& field) {
  if (!wanted) return now + policy.follow_up_due;
  if (*wanted <= now) throw_invalid(field, "must be after now (" + format_utc(now) + ")");
  if (*wanted > now + policy.follow_up_due)
    throw_invalid(field, "must be within " + std::to_string(minutes_ceil(policy.follow_up_due) / 60) +
                             " h of now (rules §7: a reply within the follow-up time)");
  return *wanted;
}

std::string last_timeline_detail(const Ticket& t, std::string_view kind) {
  for (auto it = t.timeline.rbegin(); it != t.timeline.rend(); ++it)
    if (it->kind == kind) return it->detail;
  return {};
}

}  // namespace

std::string_view to_string(FollowUpReason reason) {
  return enum_name(kReasonNames, reason);
}
std::optional<FollowUpReason> parse_follow_up_reason(std::string_view text) {
  return enum_from<FollowUpReason>(kReasonNames, text);
}
std::string_view to_string(FollowUpOutcome outcome) {
  return enum_name(kOutcomeNames, outcome);
}
std::optional<FollowUpOutcome> parse_follow_up_outcome(std::string_view text) {
  return enum_from<FollowUpOutcome>(kOutcomeNames, text);
}

std::string follow_up_id(const TicketId& ticket, std::uint32_t n) {
  return record_id(ticket, "F", n);
}

RecordRef parse_follow_up_id(std::string_view text, const std::string& field) {
  return parse_record_id(text, "F", field);
}

std::size_t owe_follow_ups(Ticket& t, const ServicePolicy& policy, TimePoint now) {
  std::size_t opened = 0;
  const std::vector<TicketEvent> events = t.timeline;  // open() appends to the timeline: iterate a copy
  for (const TicketEvent& e : events) {
    if (e.kind == "restored") {
      if (open(t, FollowUpReason::kRestoration, "restored", last_timeline_detail(t, "cause_found"),
               e.time + policy.follow_up_due, "system", now))
        ++opened;
    } else if (e.kind == "cannot_fix") {
      if (open(t, FollowUpReason::kCannotFix, "cannot_fix:" + std::to_string(e.time.time_since_epoch().count()),
               e.detail, e.time + policy.follow_up_due, "system", now))
        ++opened;
    }
  }
  return opened;
}

std::uint32_t add_promise(Ticket& t, const std::string& promise, std::optional<TimePoint> due, const std::string& by,
                          const ServicePolicy& policy, TimePoint now) {
  check_length(promise, limit::kFollowUpPromise, "promise");
  const TimePoint reply = agreed_reply_time(due, policy, now, "due_time");
  // A promise is its own follow-up, even when the same words were promised before.
  const std::string key = "promise:" + std::to_string(t.follow_ups.size() + 1);
  return *open(t, FollowUpReason::kPromise, key, promise, reply, by, now);
}

std::optional<std::uint32_t> record_follow_up(Ticket& t, std::uint32_t n, const FollowUpResult& r,
                                              const std::string& by, const ServicePolicy& policy, TimePoint now) {
  FollowUp& f = find(t, n);
  const std::string id = follow_up_id(t.id, n);
  if (!f.owed())
    throw Error(ErrorCode::kFailedPrecondition, "follow_up_id",
                id + " is already done (" + std::string(to_string(*f.outcome)) + ", by " + f.done_by + ")");
  check_length(r.note, limit::kFollowUpNote, "note");
  const bool new_request = r.outcome == FollowUpOutcome::kNewRequest;
  if (!new_request && !r.new_request.empty()) throw_invalid("new_request", "only with the outcome new_request");
  if (!new_request && r.reply_by) throw_invalid("reply_by_time", "only with the outcome new_request");
  TimePoint reply{};
  if (new_request) {
    if (r.new_request.empty()) throw_invalid("new_request", "is required with the outcome new_request");
    check_length(r.new_request, limit::kFollowUpRequest, "new_request");
    if (!r.reply_by) throw_invalid("reply_by_time", "is required: agree a reply time with the customer");
    reply = agreed_reply_time(r.reply_by, policy, now, "reply_by_time");
  }
  if (!policy.non_urgent_call_allowed(now))
    throw Error(ErrorCode::kFailedPrecondition, "follow_up_id",
                "follow-up calls only in contact hours (rules §4); the next is at " +
                    format_hhmm(policy.next_non_urgent_call(now), policy.utc_offset) + " local time");
  const std::string note = r.note.empty() ? "" : ": " + r.note;
  if (r.outcome == FollowUpOutcome::kUnreachable) {
    ++f.attempts;
    f.last_attempt = now;
    t.timeline.push_back(
        {now, "follow_up_attempt", by, id + " unreachable (attempt " + std::to_string(f.attempts) + ")" + note});
    return std::nullopt;
  }
  f.outcome = r.outcome;
  f.done_at = now;
  f.done_by = by;
  f.note = r.note;
  t.timeline.push_back({now, "follow_up_done", by, id + " " + std::string(to_string(r.outcome)) + note});
  if (!new_request) return std::nullopt;
  return open(t, FollowUpReason::kNewRequest, "request:" + std::to_string(n), r.new_request, reply, by, now, n);
}

std::size_t apologise_if_overdue(Ticket& t, const ServicePolicy& policy, TimePoint now) {
  std::size_t overdue = 0;
  for (FollowUp& f : t.follow_ups) {
    if (!f.overdue(now)) continue;
    ++overdue;
    const std::string id = follow_up_id(t.id, f.n);
    open_escalation(
        t, EscalationKind::kFollowUpOverdue, "follow_up:" + std::to_string(f.n) + ":" + std::to_string(f.apologies + 1),
        id + " (" + std::string(to_string(f.reason)) + ") was due " + format_utc(f.due) + " and is not done", now);
    ++f.apologies;
    f.due = now + policy.follow_up_due;
    t.timeline.push_back(
        {now, "follow_up_apology", "system",
         id + ": the customer is told the progress, with an apology; new reply time " + format_utc(f.due)});
  }
  return overdue;
}

FollowUpScriptInput follow_up_script_input(const Ticket& t, const FollowUp& f, const ServicePolicy& policy,
                                           const std::string& team, const std::string& staff_number) {
  check_length(team, limit::kScriptTeam, "team");
  check_length(staff_number, limit::kScriptStaffNumber, "staff_number");
  FollowUpScriptInput in;
  in.language = t.customer.language;
  in.company = policy.company_name;
  in.team = team;
  in.staff_number = staff_number;
  in.customer_name = t.customer.name;
  in.ticket = t.id.str();
  in.reason = std::string(to_string(f.reason));
  in.utc_offset = policy.utc_offset;
  in.reply_within = policy.follow_up_due;
  in.detail = f.detail;
  in.time = f.due;
  switch (f.reason) {
    case FollowUpReason::kRestoration: {
      const std::string cause = last_timeline_detail(t, "cause_found");  // may be recorded after the restoration
      if (!cause.empty()) in.detail = cause;
      for (const TicketEvent& e : t.timeline)
        if (e.kind == "restored") in.time = e.time;
      break;
    }
    case FollowUpReason::kCannotFix: {
      const CannotFixDetail d = parse_cannot_fix_detail(f.detail);  // the follow-up keeps the entry's detail
      in.detail = d.reason;
      in.time = d.committed_return;
      break;
    }
    case FollowUpReason::kPromise:
    case FollowUpReason::kNewRequest:
      break;
  }
  return in;
}

TimePoint next_follow_up_call(const ServicePolicy& policy, TimePoint now) {
  return policy.next_non_urgent_call(now);
}

void FollowUpFigures::add(const FollowUp& f, TimePoint now) {
  ++opened;
  apologies += f.apologies;
  unreachable_attempts += f.attempts;
  if (f.done_at || now > f.first_due) ++fell_due;
  if (f.overdue(now)) ++overdue;
  if (!f.done_at) return;
  ++done;
  if (*f.done_at <= f.first_due) ++done_in_time;
  switch (*f.outcome) {
    case FollowUpOutcome::kSatisfied:
      ++satisfied;
      break;
    case FollowUpOutcome::kNotSatisfied:
      ++not_satisfied;
      break;
    case FollowUpOutcome::kNewRequest:
      ++new_requests;
      break;
    case FollowUpOutcome::kUnreachable:
      break;
  }
}

}  // namespace linecrew
