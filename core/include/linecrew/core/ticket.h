// The repair ticket as the domain sees it, and intake: turning what a caller
// reported into a validated ticket with its zone class and deadline (rules §1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/compliance.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket_status.h"
#include "linecrew/core/time.h"
#include "linecrew/core/zones.h"

namespace linecrew {

enum class Channel : std::uint8_t { kHotline, kServiceCounter, kApp, kWeb };
std::string_view to_string(Channel channel);  // "hotline", "service_counter", "app", "web"
std::optional<Channel> parse_channel(std::string_view text);

enum class TicketKind : std::uint8_t { kFaultRepair, kScheduledVisit, kReturnVisit, kDisconnection };
std::string_view to_string(TicketKind kind);  // "fault_repair", ...
std::optional<TicketKind> parse_ticket_kind(std::string_view text);

struct Customer {
  std::string name;      // 1..100 characters
  std::string phone;     // "+" and 6..15 digits after normalisation
  std::string language;  // "zh-CN" or "en"
};

// What a caller reports; optional fields may be unset. Validated by intake().
struct TicketDraft {
  std::string client_request_id;
  Customer customer;
  std::optional<GeoPoint> location;
  std::string address;
  std::uint32_t priority = 0;
  std::optional<TimePoint> first_contact;  // unset: the intake time
  std::optional<Channel> channel;
  std::optional<TimePoint> earliest_start;
  std::optional<Duration> service_duration;  // unset: the policy default
  std::vector<std::string> required_skills;
  TicketKind kind = TicketKind::kFaultRepair;
  std::optional<TimePoint> appointment;
  std::string description;
};

// One entry of a ticket's timeline (rules §5).
struct TicketEvent {
  TimePoint time;
  std::string kind;   // "reported", "assigned", "arrived", "contact_attempt", ...
  std::string actor;  // "system", "dispatcher:<name>", "crew:<id>"
  std::string detail;
};

struct Ticket {
  TicketId id;  // set by storage
  std::string client_request_id;
  std::string fingerprint;  // of the draft: an idempotent replay must match it
  Customer customer;
  GeoPoint location{0, 0};
  std::string address;
  ZoneClass zone_class = ZoneClass::kUrban;
  std::string zone_name;  // empty when the point is in no polygon
  std::uint32_t priority = 0;
  TimePoint first_contact;
  Channel channel = Channel::kHotline;
  TicketKind kind = TicketKind::kFaultRepair;
  TimePoint deadline;
  std::optional<TimePoint> earliest_start;
  std::optional<TimePoint> appointment;
  Duration service_duration{0};
  std::vector<std::string> required_skills;
  std::string description;
  TicketStatus status = TicketStatus::kReported;
  CrewId owner;   // empty: the dispatch desk
  CrewId pinned;  // empty: not pinned
  std::optional<TimePoint> arrival;
  std::vector<ContactRecord> contacts;
  std::vector<TicketEvent> timeline;
  std::uint64_t version = 0;
  std::string tracking_token;
  TimePoint created;

  TimePoint effective_deadline() const { return linecrew::effective_deadline(deadline, contacts); }
  ComplianceVerdict compliance(TimePoint now) const { return evaluate_compliance(deadline, arrival, contacts, now); }
};

// Validates a draft and makes the ticket: zone class from the polygons,
// deadline from the policy (fault repair: first contact + limit; scheduled and
// return visits: the appointment), status Reported, owner the desk, the
// "reported" timeline entry. Throws Error(kInvalidArgument, field) naming the
// first bad field. `now` is the intake time.
Ticket intake(const TicketDraft& draft, const ZoneMap& zones, const ServicePolicy& policy, TimePoint now);

// What the close-out still lacks (rules §2 worked case, §5): a ticket may
// close only once its timeline records "cause_found" and
// "explained_to_customer". Empty when it may close.
std::vector<std::string> closeout_missing(const Ticket& t);

// A stable digest of the draft's content (not of defaults filled at intake),
// for idempotent create: same client_request_id with another fingerprint is a
// conflict.
std::string fingerprint(const TicketDraft& draft);

}  // namespace linecrew
