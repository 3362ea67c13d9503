// Follow-ups (回访, rules §4 and §7): what the company owes a customer after
// the crew: a call after restoration, after "cannot fix", and for every
// promise the desk records; due within the policy's follow_up_due (48 h).
// A follow-up belongs to its ticket (stored with it) and is numbered within
// it from 1; its id is "<ticket id>/F<n>".
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
struct ServicePolicy;
struct FollowUpScriptInput;

enum class FollowUpReason : std::uint8_t {
  kRestoration,  // power was restored: was the customer satisfied?
  kCannotFix,    // the crew could not fix it and committed a return visit
  kPromise,      // the desk promised the customer an answer
  kNewRequest,   // the customer asked for something on an earlier follow-up
};
inline constexpr std::array<FollowUpReason, 4> kAllFollowUpReasons = {
    FollowUpReason::kRestoration, FollowUpReason::kCannotFix, FollowUpReason::kPromise, FollowUpReason::kNewRequest};
std::string_view to_string(FollowUpReason reason);  // "restoration", "cannot_fix", "promise", "new_request"
std::optional<FollowUpReason> parse_follow_up_reason(std::string_view text);

enum class FollowUpOutcome : std::uint8_t {
  kSatisfied,     // reached; the customer is satisfied: done
  kNotSatisfied,  // reached; not satisfied: done, and counted so
  kNewRequest,    // reached; a new request: done, and a linked follow-up owed by the agreed reply time
  kUnreachable,   // not reached: still owed, call again
};
std::string_view to_string(FollowUpOutcome outcome);  // "satisfied", "not_satisfied", "new_request", "unreachable"
std::optional<FollowUpOutcome> parse_follow_up_outcome(std::string_view text);

struct FollowUp {
  std::uint32_t n = 0;  // 1-based within the ticket
  FollowUpReason reason = FollowUpReason::kRestoration;
  std::string key;     // what made it owed, unique within the ticket: "restored", "cannot_fix:<t>", ...
  std::string detail;  // what is owed: the cause, the return, the promise, the request
  TimePoint opened;
  TimePoint first_due;         // the reply time first owed (the figures: done within it)
  TimePoint due;               // the reply time owed now (an overdue apology agrees a new one)
  std::uint32_t parent = 0;    // the follow-up whose new request opened this one; 0: none
  std::string opened_by;       // "system", or the desk's token label
  std::uint32_t attempts = 0;  // calls that did not reach the customer
  std::optional<TimePoint> last_attempt;
  std::uint32_t apologies = 0;             // overdue apologies made so far, each with a new reply time
  std::optional<FollowUpOutcome> outcome;  // set once done (never kUnreachable)
  std::optional<TimePoint> done_at;
  std::string done_by;
  std::string note;

  bool owed() const { return !done_at; }
  bool overdue(TimePoint now) const { return owed() && now > due; }
  bool operator==(const FollowUp&) const = default;
};

std::string follow_up_id(const TicketId& ticket, std::uint32_t n);  // "T-000123/F1"
// Throws Error(kInvalidArgument, field) for a malformed id.
RecordRef parse_follow_up_id(std::string_view text, const std::string& field);

// Opens the follow-ups the crew's work has made owed and that are not yet on
// the ticket: after restoration (due the policy's follow_up_due after it)
// and after each "cannot fix". Idempotent (keyed by what made it owed), so
// it runs after every change. Returns how many it opened.
std::size_t owe_follow_ups(Ticket& t, const ServicePolicy& policy, TimePoint now);

// The desk records a promise to the customer (rules §7): `promise` 1..500
// code points (Error(kInvalidArgument, "promise")), due at `due` (unset: now +
// follow_up_due), which lies after now and at most follow_up_due ahead
// (Error(kInvalidArgument, "due_time")). Returns its number.
std::uint32_t add_promise(Ticket& t, const std::string& promise, std::optional<TimePoint> due, const std::string& by,
                          const ServicePolicy& policy, TimePoint now);

// What the desk records after a follow-up call.
struct FollowUpResult {
  FollowUpOutcome outcome = FollowUpOutcome::kSatisfied;
  std::string note;                   // 0..500 code points
  std::string new_request;            // kNewRequest only: 1..500 code points
  std::optional<TimePoint> reply_by;  // kNewRequest only: agreed, after now and at most follow_up_due ahead
};

// Records a follow-up call (rules §7). Calls only in contact hours (rules
// §4): outside them Error(kFailedPrecondition, "follow_up_id") naming the
// next allowed time. A done follow-up is kFailedPrecondition; an unknown
// number kNotFound ("follow_up_id"); bad fields kInvalidArgument naming
// them. Unreachable counts an attempt and leaves it owed; the other outcomes
// close it, and a new request opens a linked follow-up due at `reply_by`.
// Returns the new follow-up's number for a new request, else nullopt.
std::optional<std::uint32_t> record_follow_up(Ticket& t, std::uint32_t n, const FollowUpResult& result,
                                              const std::string& by, const ServicePolicy& policy, TimePoint now);

// Rules §4/§7: every follow-up still owed past its reply time opens a
// "follow_up_overdue" escalation (once per missed reply time), counts an
// apology, and agrees a new reply time (now + follow_up_due) that the
// customer is told with the apology. Returns how many were overdue.
std::size_t apologise_if_overdue(Ticket& t, const ServicePolicy& policy, TimePoint now);

// The earliest time a follow-up may be called at or after `now` (rules §4).
TimePoint next_follow_up_call(const ServicePolicy& policy, TimePoint now);

// What the follow-up call script (follow_up_script.h) of `f` on `t` is
// filled from: the customer, the outcome sentence's reason, detail (the cause
// found, the reason it could not be fixed, the promise or request) and time
// (restoration; the return committed on "cannot fix"; the reply time owed),
// in the customer's language.
FollowUpScriptInput follow_up_script_input(const Ticket& t, const FollowUp& f, const ServicePolicy& policy,
                                           const std::string& team, const std::string& staff_number);

// Figures over follow-ups (the report and /metrics).
struct FollowUpFigures {
  std::uint32_t opened = 0;        // owed at some time: done or not
  std::uint32_t done = 0;          // closed with an outcome
  std::uint32_t done_in_time = 0;  // closed by their first reply time
  std::uint32_t overdue = 0;       // still owed past the reply time, at `now`
  std::uint32_t apologies = 0;     // overdue apologies made
  std::uint32_t satisfied = 0;
  std::uint32_t not_satisfied = 0;
  std::uint32_t new_requests = 0;
  std::uint32_t unreachable_attempts = 0;
  void add(const FollowUp& f, TimePoint now);
  // done_in_time / owed that fell due (done, or past the first reply time); 1 when none.
  std::uint32_t fell_due = 0;
  double in_time_rate() const { return fell_due ? double(done_in_time) / fell_due : 1.0; }
  // satisfied / (satisfied + not_satisfied); 1 when no answers.
  double satisfaction_rate() const {
    return satisfied + not_satisfied ? double(satisfied) / (satisfied + not_satisfied) : 1.0;
  }
};

}  // namespace linecrew
