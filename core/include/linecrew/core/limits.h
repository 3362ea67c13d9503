// The text limits of the contract, in Unicode code points: one entry per
// field that a client or a device sets. Each entry names the proto fields it
// covers ("Message.field", as in proto/linecrew/v1/*.proto); their comments
// state the same range, and tests/unit/core/limits_test.cc reads the .proto
// files and fails on any field whose stated range differs from this table or
// is missing from it. Validation takes its bounds from here, never from a
// number typed again.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace linecrew {

struct TextLimit {
  std::string_view fields;  // space-separated "Message.field" names
  std::size_t lo;
  std::size_t hi;
};

namespace limit {
inline constexpr TextLimit kClientRequestId{"CreateTicketRequest.client_request_id Ticket.client_request_id", 1, 64};
inline constexpr TextLimit kCustomerName{"Customer.name", 1, 100};
inline constexpr TextLimit kAddress{"CreateTicketRequest.address Ticket.address", 1, 500};
inline constexpr TextLimit kDescription{"CreateTicketRequest.description Ticket.description", 0, 1000};
inline constexpr TextLimit kSkill{"CreateTicketRequest.required_skills Ticket.required_skills Crew.skills", 1, 32};
inline constexpr TextLimit kCancelReason{"CancelTicketRequest.reason", 1, 500};
inline constexpr TextLimit kTokenLabel{"IssueTokenRequest.label", 1, 100};
inline constexpr TextLimit kCrewId{"Crew.id", 1, 32};
inline constexpr TextLimit kCrewName{"Crew.name", 1, 100};
inline constexpr TextLimit kFirstName{"CrewMember.first_name", 1, 50};
inline constexpr TextLimit kFullName{"CrewMember.full_name", 0, 100};
inline constexpr TextLimit kStaffNumber{"CrewMember.staff_number", 1, 32};
inline constexpr TextLimit kDeviceId{"HelloRequest.device_id", 1, 64};
inline constexpr TextLimit kAppVersion{"HelloRequest.app_version", 5, 32};
inline constexpr TextLimit kCauseText{"CauseFoundAction.text", 1, 1000};
inline constexpr TextLimit kExplainedNote{"ExplainedToCustomerAction.note", 0, 1000};
inline constexpr TextLimit kCannotFixReason{"CannotFixAction.reason", 1, 1000};
inline constexpr TextLimit kContactNote{"ContactAttempt.note", 0, 1000};
inline constexpr TextLimit kNeedHelpText{"NeedHelpAction.text", 1, 500};
inline constexpr TextLimit kNoticeDeliveredBy{"DisconnectionNotice.delivered_by", 1, 100};
inline constexpr TextLimit kEscalationNote{"ResolveEscalationRequest.note", 1, 500};
inline constexpr TextLimit kFollowUpPromise{"AddFollowUpRequest.promise", 1, 500};
inline constexpr TextLimit kFollowUpNote{"RecordFollowUpRequest.note", 0, 500};
inline constexpr TextLimit kFollowUpRequest{"RecordFollowUpRequest.new_request", 0, 500};
inline constexpr TextLimit kComplainantName{"RecordComplaintRequest.name", 1, 100};
inline constexpr TextLimit kComplaintAddress{"RecordComplaintRequest.address", 1, 500};
inline constexpr TextLimit kComplaintReason{"RecordComplaintRequest.reason", 1, 1000};
inline constexpr TextLimit kComplaintOutcome{"CloseComplaintRequest.outcome", 1, 1000};
inline constexpr TextLimit kScriptTeam{"GetFollowUpScriptRequest.team", 0, 100};
inline constexpr TextLimit kScriptStaffNumber{"GetFollowUpScriptRequest.staff_number", 0, 32};
inline constexpr TextLimit kTrackingToken{"GetStatusRequest.tracking_token", 22, 64};
// Texts the server writes for a client, cut to this length (never half a character).
inline constexpr TextLimit kServerReason{"ActionAck.reason TicketRemoval.detail", 0, 500};
}  // namespace limit

// Every entry above, for the contract test.
std::span<const TextLimit> all_text_limits();

// Requires limit.lo..limit.hi code points; Error(kInvalidArgument, field).
void check_length(std::string_view value, const TextLimit& limit, const std::string& field);

}  // namespace linecrew
