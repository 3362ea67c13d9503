// The repair ticket as the domain sees it, and intake: turning what a caller
// reported into a validated ticket with its zone class and deadline (rules §1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/complaint.h"
#include "linecrew/core/compliance.h"
#include "linecrew/core/escalation.h"
#include "linecrew/core/follow_up.h"
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

// How a disconnection notice reached the customer (rules §4, §7).
enum class NoticeDelivery : std::uint8_t { kInPerson, kPostedAtPremises, kRegisteredMail, kSms };
std::string_view to_string(NoticeDelivery method);  // "in_person", "posted_at_premises", "registered_mail", "sms"
std::optional<NoticeDelivery> parse_notice_delivery(std::string_view text);

// The notice a disconnection job carries: the work may not be planned or
// started before `delivered` + the policy's disconnection_notice (7 days).
struct DisconnectionNotice {
  TimePoint delivered;
  NoticeDelivery method = NoticeDelivery::kInPerson;
  std::string delivered_by;  // who delivered it, 1..100 characters
  bool operator==(const DisconnectionNotice&) const = default;
};

struct Customer {
  std::string name;      // 1..100 characters
  std::string phone;     // E.164 after intake ("+8613800138000"), see phone.h
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
  std::optional<DisconnectionNotice> notice;  // required for a disconnection, refused for other kinds
  TicketId parent;                            // the ticket this one follows up (a return visit); empty: none
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
  std::optional<TimePoint> earliest_start;  // a disconnection: notice + the notice period, at the earliest
  std::optional<TimePoint> appointment;
  std::optional<DisconnectionNotice> notice;
  TicketId parent;  // the ticket this one follows up; empty: none
  TicketId fault;   // the ticket standing for this one's fault (rules §7, fault.h); empty: none
  Duration service_duration{0};
  std::vector<std::string> required_skills;
  std::string description;
  TicketStatus status = TicketStatus::kReported;
  CrewId owner;   // empty: the dispatch desk
  CrewId pinned;  // empty: not pinned
  std::optional<TimePoint> arrival;
  std::vector<ContactRecord> contacts;
  std::vector<TicketEvent> timeline;
  std::vector<Escalation> escalations;  // numbered from 1 in order (rules §7)
  std::vector<FollowUp> follow_ups;     // numbered from 1 in order (rules §7)
  std::vector<Complaint> complaints;    // numbered from 1 in order (rules §7)
  std::uint64_t version = 0;
  std::string tracking_token;
  TimePoint created;

  TimePoint effective_deadline() const { return linecrew::effective_deadline(deadline, contacts); }
  ComplianceVerdict compliance(TimePoint now) const { return evaluate_compliance(deadline, arrival, contacts, now); }
};

// Validates a draft and makes the ticket: zone class from the polygons,
// deadline from the policy (fault repair: first contact + limit; scheduled and
// return visits: the appointment), status Reported, owner the desk, the
// "reported" timeline entry; the customer's phone to E.164, read in the
// policy's phone_region when it has no "+". Throws Error(kInvalidArgument, field) naming the
// first bad field. `now` is the intake time.
Ticket intake(const TicketDraft& draft, const ZoneMap& zones, const ServicePolicy& policy, TimePoint now);

// What the close-out still lacks (rules §2 worked case, §5): a ticket may
// close only once its timeline records "cause_found" and
// "explained_to_customer". Empty when it may close.
std::vector<std::string> closeout_missing(const Ticket& t);

// Rules §4/§7: a crew may not start a disconnection (en route or on site)
// before its earliest start, whatever a client sent. The reason when
// `kind` at `when` is too early for `t`; nullopt otherwise.
std::optional<std::string> too_early_to_start(const Ticket& t, TimePoint when);
// The same rule from the kind and earliest start alone (the handheld's copy of a ticket).
std::optional<std::string> too_early_to_start(TicketKind kind, std::optional<TimePoint> earliest_start, TimePoint when);

// Rules §4: a ticket owing a return visit is settled by its return visit.
// When `child` (whose parent is `parent`) is closed or cancelled and the
// parent is still RETURN_VISIT_OWED, the parent is closed with a timeline
// entry naming the child and its outcome; returns true. Otherwise nothing.
bool settle_return_visit(Ticket& parent, const Ticket& child, TimePoint now);

// A stable digest of the draft's content (not of defaults filled at intake),
// for idempotent create: same client_request_id with another fingerprint is a
// conflict.
std::string fingerprint(const TicketDraft& draft);

}  // namespace linecrew
