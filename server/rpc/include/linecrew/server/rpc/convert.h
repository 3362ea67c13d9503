// Protobuf <-> domain conversion, at the edge only. Incoming values are
// validated by the domain types; errors name the proto field path.
//
// All of the server's proto<->domain code is in rpc/convert*.cc, one file per
// message family, each with its header:
//   convert.h / convert.cc                    common values (times, points, enums) and DispatchService
//   convert_sync.h / convert_sync.cc          CrewSyncService (the handheld)
//   convert_customer.h / convert_customer.cc  CustomerService
// The services only authorise, check the request as a whole, call the use
// case and call these (setting the response's own ids, paging tokens,
// sequences and flags themselves).
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <google/protobuf/field_mask.pb.h>

#include "linecrew/core/confirmation.h"
#include "linecrew/core/crew.h"
#include "linecrew/core/ownership.h"
#include "linecrew/core/report.h"
#include "linecrew/core/role.h"
#include "linecrew/core/ticket.h"
#include "linecrew/server/app/auth.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/storage/crew_store.h"
#include "linecrew/server/storage/ticket_store.h"
#include "linecrew/v1/dispatch.pb.h"

namespace linecrew::rpc {

// A time from a request; Error(kInvalidArgument, field + ".seconds"/".nanos")
// outside the Timestamp range (core time_from_wire).
TimePoint from_proto(const google::protobuf::Timestamp& ts, std::string_view field);
// A duration from a request (core duration_from_wire).
Duration from_proto(const google::protobuf::Duration& d, std::string_view field);
void to_proto(TimePoint t, google::protobuf::Timestamp* out);
void to_proto(Duration d, google::protobuf::Duration* out);

TicketDraft draft_from_proto(const v1::CreateTicketRequest& req);
// `now` decides the compliance verdict of a ticket not yet arrived.
void to_proto(const Ticket& t, TimePoint now, bool include_timeline, v1::Ticket* out);
// The plan's ETA, risk and reason for a ticket.
// The plan's ETA, risk and reason; the ETA window by the customers' rule
// (core eta_window: policy.notify, never before `now`).
void to_proto(const app::PlanView& plan, const NotifyPolicy& policy, TimePoint now, v1::Ticket* out);
storage::TicketFilter filter_from_proto(const v1::ListTicketsRequest& req);

// Throws Error(kInvalidArgument, "role") for UNSPECIFIED or unknown values.
Role role_from_proto(v1::Role role);
// A crew from a request: the client-set fields only (validation is the
// domain's, errors are prefixed "crew.").
Crew crew_from_proto(const v1::Crew& c);
void to_proto(const Crew& c, v1::Crew* out);
// ListCrews' filter and page; errors name the request field ("skill",
// "page_size", "page_token").
storage::CrewFilter crew_filter_from_proto(const v1::ListCrewsRequest& req);
// Applies the paths of an UpdateCrew field mask; unknown paths are INVALID_ARGUMENT.
void apply_crew_mask(const v1::Crew& from, const google::protobuf::FieldMask& mask, Crew& to, TimePoint now);
void to_proto(const Report& r, v1::GetReportResponse* out);
// A newly issued token: id, secret (the only time it leaves the server), role,
// crew and expiry.
void to_proto(const app::IssuedToken& t, v1::IssueTokenResponse* out);
// The principal as written in timelines: "dispatcher:tok_…".
ActorRef actor_of(const Principal& who);

// A proto GeoPoint; errors are prefixed with `field`.
GeoPoint point_from_proto(const v1::GeoPoint& p, const char* field);
// Throw Error(kInvalidArgument, field) for UNSPECIFIED or unknown values.
DelayReason delay_reason_from_proto(int value, const char* field);
Consent consent_from_proto(int value, const char* field);

// Throws Error(kInvalidArgument, "zone_classes[i]") for UNSPECIFIED or unknown values.
std::vector<ZoneClass> zone_classes_from_proto(const google::protobuf::RepeatedField<int>& zones);
v1::ZoneClass to_proto(ZoneClass z);
v1::TicketStatus to_proto(TicketStatus s);
// A timeline kind ("en_route") as TICKET_EVENT_KIND_EN_ROUTE; UNSPECIFIED for
// a kind the proto does not list.
// An escalation of `ticket` (rules §7).
void to_proto(const TicketId& ticket, const Escalation& e, v1::Escalation* out);
// ListEscalations' filter; no state given means the desk's queue (open and acknowledged).
storage::EscalationFilter filter_from_proto(const v1::ListEscalationsRequest& req);
// Follow-ups and complaints (rules §7).
void to_proto(const TicketId& ticket, const FollowUp& f, TimePoint now, v1::FollowUp* out);
void to_proto(const TicketId& ticket, const Complaint& c, v1::Complaint* out);
// Errors name the request field (page_size, ticket_id, outcome, cause, severity, ...).
storage::FollowUpFilter filter_from_proto(const v1::ListFollowUpsRequest& req, TimePoint now);
storage::ComplaintFilter filter_from_proto(const v1::ListComplaintsRequest& req);
FollowUpResult follow_up_result_from_proto(const v1::RecordFollowUpRequest& req);
ComplaintDraft complaint_from_proto(const v1::RecordComplaintRequest& req);
// Error(kInvalidArgument, "outcome") for UNSPECIFIED and unknown values.
ConfirmationOutcome confirmation_outcome_from_proto(int value, const std::string& field = "outcome");
// UNSPECIFIED and unknown values are CustomerAnswer::kNone (a close refuses it).
CustomerAnswer customer_answer_from_proto(int value);
v1::TicketEventKind event_kind_to_proto(std::string_view kind);

}  // namespace linecrew::rpc
