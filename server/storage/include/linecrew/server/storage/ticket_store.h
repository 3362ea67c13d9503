// Storage of tickets behind an interface, so a networked database can back
// several server instances later. Every mutating call is durable when it
// returns (the caller acknowledges only after that).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/ticket.h"

namespace linecrew::storage {

struct TicketFilter {
  std::vector<ZoneClass> zone_classes;  // empty: all
  std::vector<TicketStatus> statuses;   // empty: all
  CrewId owner;                         // empty: any owner
  TicketId fault;                       // only the tickets linked to this one (rules §7); empty: any
  bool linked_only = false;             // only tickets linked to a fault
  std::optional<TimePoint> first_contact_from;
  std::optional<TimePoint> first_contact_to;
  std::uint32_t limit = 100;
  std::int64_t after = 0;  // page cursor: the last row's position from the previous page
};

struct TicketPage {
  std::vector<Ticket> tickets;
  std::int64_t next_after = 0;  // 0: no more pages
};

struct CreateResult {
  Ticket ticket;
  bool created = false;  // false: an idempotent replay of an earlier create
};

struct OpenCounts {
  struct Row {
    ZoneClass zone;
    TicketStatus status;
    std::int64_t count;
  };
  std::vector<Row> by_zone_status;
  std::int64_t past_deadline = 0;  // open, not arrived, original deadline before `now`
};

// The largest page of a record listing (escalations, follow-ups, complaints).
inline constexpr std::uint32_t kMaxRecordPage = 1000;

// Which escalations to list: the desk's queue is the unresolved ones.
struct EscalationFilter {
  std::vector<EscalationState> states;  // empty: all
  std::vector<EscalationKind> kinds;    // empty: all
  TicketId ticket;                      // empty: any ticket
  std::uint32_t limit = 100;
  std::string after;  // page cursor: the last escalation id of the previous page
};

struct EscalationEntry {
  TicketId ticket;
  Escalation escalation;
};

struct EscalationPage {
  std::vector<EscalationEntry> escalations;  // in ticket order, then by number
  std::string next_after;                    // empty: no more pages
};

// Which follow-ups to list (rules §7): the desk's queue is the owed ones.
struct FollowUpFilter {
  bool owed_only = true;
  std::optional<TimePoint> due_before;  // only those whose reply time is before this (overdue: now)
  TicketId ticket;                      // empty: any ticket
  std::uint32_t limit = 100;
  std::string after;  // page cursor: the last follow-up id ("T-000123/F1") of the previous page
};

struct FollowUpEntry {
  TicketId ticket;
  FollowUp follow_up;
};

struct FollowUpPage {
  std::vector<FollowUpEntry> follow_ups;  // in ticket order, then by number
  std::string next_after;                 // empty: no more pages
};

// Which complaints to list: the desk's queue is the open ones.
struct ComplaintFilter {
  bool open_only = true;
  TicketId ticket;  // empty: any ticket
  std::uint32_t limit = 100;
  std::string after;  // page cursor: the last complaint id ("T-000123/C1") of the previous page
};

struct ComplaintEntry {
  TicketId ticket;
  Complaint complaint;
};

struct ComplaintPage {
  std::vector<ComplaintEntry> complaints;  // in ticket order, then by number
  std::string next_after;                  // empty: no more pages
};

class TicketStore {
 public:
  virtual ~TicketStore() = default;

  // Stores a new ticket from intake, with the id it carries from
  // reserve_ticket_id() or, when it has none, a new one. Idempotent on
  // client_request_id: the same fingerprint returns the stored ticket,
  // another fingerprint throws Error(kAlreadyExists, "client_request_id").
  // A ticket created with an owner is on that crew's feed.
  virtual CreateResult create(Ticket ticket) = 0;
  // A new ticket id (intake plans a ticket before storing it): never handed
  // out before while the store is open. An id reserved but never stored is
  // a gap (after a restart it may be handed out again: nothing kept it).
  virtual TicketId reserve_ticket_id() = 0;
  // The ticket created with this client request id, if any.
  virtual std::optional<Ticket> find_by_request_id(const std::string& client_request_id) = 0;
  virtual std::optional<Ticket> get(const TicketId& id) = 0;
  // Reads the ticket, lets `change` modify it (status, owner, pin, arrival;
  // append to timeline, contacts, escalations, follow-ups and complaints,
  // never rewrite the first two; an escalation's acknowledgement and
  // resolution are filled in, a follow-up's attempts, reply time and outcome,
  // a complaint's close), writes it back with
  // version + 1 and a board change, all in one transaction. If `change`
  // throws, or changes nothing, nothing is written. Throws
  // Error(kNotFound, "ticket_id").
  virtual Ticket mutate(const TicketId& id, const std::function<void(Ticket&)>& change) = 0;
  // mutate() for many tickets in one transaction (one fsync). A ticket whose
  // change throws Error is left as it was (nullopt in the result); the others
  // are written.
  virtual std::vector<std::optional<Ticket>> mutate_many(const std::vector<TicketId>& ids,
                                                         const std::function<void(Ticket&)>& change) = 0;
  virtual TicketPage list(const TicketFilter& filter) = 0;
  // The ticket with this tracking token (customer links); nullopt if none.
  virtual std::optional<Ticket> find_by_tracking_token(const std::string& token) = 0;
  virtual std::int64_t count() = 0;
  virtual OpenCounts open_counts(TimePoint now) = 0;
  // Escalations across tickets (rules §7). Throws Error(kInvalidArgument,
  // "page_token") for a cursor that is not an escalation id.
  virtual EscalationPage list_escalations(const EscalationFilter& filter) = 0;
  // Figures over every unresolved escalation (for /metrics): the resolved
  // ones are not read.
  virtual EscalationFigures unresolved_escalations() = 0;
  // Follow-ups across tickets (rules §7), limit clamped to 1..kMaxRecordPage.
  // Throws Error(kInvalidArgument, "page_token") for a cursor that is not a follow-up id.
  virtual FollowUpPage list_follow_ups(const FollowUpFilter& filter) = 0;
  // The tickets with a follow-up still owed whose reply time is before `now`
  // (the overdue sweep), in ticket order.
  virtual std::vector<TicketId> tickets_with_overdue_follow_ups(TimePoint now) = 0;
  // Figures over the follow-ups still owed at `now` (for /metrics).
  virtual FollowUpFigures owed_follow_ups(TimePoint now) = 0;
  // One fault, many callers (rules §7): the open fault repairs not yet
  // reached and not themselves linked, first reported in [from, to], within
  // about `radius_m` of `near` (a box: the caller measures the distance), at
  // most 50, oldest first.
  virtual std::vector<Ticket> fault_candidates(const GeoPoint& near, double radius_m, TimePoint from, TimePoint to) = 0;
  // How many open tickets are linked to each of `leads` (absent: none).
  virtual std::map<TicketId, std::uint32_t> count_fault_callers(const std::vector<TicketId>& leads) = 0;
  // Complaints across tickets (rules §7); page_token as for follow-ups ("T-000123/C1").
  virtual ComplaintPage list_complaints(const ComplaintFilter& filter) = 0;
  // Figures over the open complaints (for /metrics).
  virtual ComplaintFigures open_complaints() = 0;
};

}  // namespace linecrew::storage
