// The request messages a client or a handheld sends, decoded from the wire
// and converted to the domain as the services do (server/rpc/convert*.cc,
// core's ids and limits), then validated by core: ticket intake, crew
// registration and field masks, the ticket and crew filters, the board's zone
// filter, token issue, crew actions and whole uploads, Hello, Pull, the
// report's period, the customer's status token, and the id and reason fields
// of the ticket commands, follow-up outcomes, complaints and confirmation calls. The first byte picks the
// message; the rest is its protobuf encoding.
#include "fuzz_support.h"
#include "linecrew/core/crew.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/zones.h"
#include "linecrew/server/app/rate_limit.h"
#include "linecrew/server/rpc/convert.h"
#include "linecrew/server/rpc/convert_sync.h"
#include "linecrew/v1/crew_sync.pb.h"
#include "linecrew/v1/customer.pb.h"
#include "linecrew/v1/dispatch.pb.h"

namespace linecrew {
namespace {

constexpr std::string_view kZones = R"({"type":"FeatureCollection","features":[{"type":"Feature",
  "properties":{"zone_class":"urban","name":"centre"},"geometry":{"type":"Polygon",
  "coordinates":[[[120.0,30.0],[120.4,30.0],[120.4,30.4],[120.0,30.4],[120.0,30.0]]]}}]})";

const TimePoint kNow = parse_utc("2026-12-02T14:05:00Z");
// Inside the contact hours of rules §4 (14:05 local), when follow-up calls may be recorded.
const TimePoint kDeskHours = parse_utc("2026-12-02T06:05:00Z");
constexpr std::string_view kPhoneRegion = "CN";

template <class Message>
bool decode(std::string_view bytes, Message& m) {
  return m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

void create_ticket(std::string_view bytes) {
  static const ZoneMap zones = ZoneMap::from_geojson(kZones, "fuzz zones");
  static const ServicePolicy policy{};
  v1::CreateTicketRequest req;
  if (!decode(bytes, req)) return;
  fuzz::expect_clean([&] {
    const Ticket t = intake(rpc::draft_from_proto(req), zones, policy, kNow);
    v1::Ticket out;
    rpc::to_proto(t, kNow, true, &out);
  });
}

// A closed ticket owing one follow-up (restoration), as RecordFollowUp and
// RecordComplaint find one.
Ticket restored_ticket() {
  static const ServicePolicy policy{};
  Ticket t;
  t.id = TicketId("T-000001");
  t.status = TicketStatus::kClosed;
  t.timeline.push_back({kDeskHours - hours(2), "restored", "crew:C-1", ""});
  owe_follow_ups(t, policy, kDeskHours - hours(2));
  return t;
}

void record_follow_up(std::string_view bytes) {
  static const ServicePolicy policy{};
  v1::RecordFollowUpRequest req;
  if (!decode(bytes, req)) return;
  fuzz::expect_clean([&] {
    const RecordRef ref = parse_follow_up_id(req.follow_up_id(), "follow_up_id");
    Ticket t = restored_ticket();
    linecrew::record_follow_up(t, ref.n, rpc::follow_up_result_from_proto(req), "desk", policy, kDeskHours);
    v1::Ticket out;
    rpc::to_proto(t, kDeskHours, true, &out);
  });
}

void record_complaint(std::string_view bytes) {
  v1::RecordComplaintRequest req;
  if (!decode(bytes, req)) return;
  fuzz::expect_clean([&] {
    Ticket t = restored_ticket();
    linecrew::record_complaint(t, rpc::complaint_from_proto(req), "desk", std::string(kPhoneRegion), kNow);
    linecrew::close_complaint(t, 1, "done", rpc::customer_answer_from_proto(static_cast<int>(req.severity())), "desk",
                              kNow);
    v1::Ticket out;
    rpc::to_proto(t, kNow, true, &out);
  });
}

void record_confirmation(std::string_view bytes) {
  static const ServicePolicy policy{};
  v1::RecordConfirmationCallRequest req;
  if (!decode(bytes, req)) return;
  fuzz::expect_clean([&] {
    TicketId(req.ticket_id());
    Ticket t;
    t.id = TicketId("T-000001");
    t.kind = TicketKind::kScheduledVisit;
    t.appointment = t.deadline = kDeskHours + hours(2) + minutes(30);  // the call window is open
    std::optional<TimePoint> new_time;
    if (req.has_new_time()) new_time = rpc::from_proto(req.new_time(), "new_time");
    linecrew::record_confirmation(t, rpc::confirmation_outcome_from_proto(req.outcome()), new_time, "desk", policy,
                                  kDeskHours);
    v1::Ticket out;
    rpc::to_proto(t, kDeskHours, true, &out);
  });
}

void update_crew(std::string_view bytes) {
  v1::UpdateCrewRequest req;
  if (!decode(bytes, req)) return;
  fuzz::expect_clean([&] {
    Crew crew = validated(rpc::crew_from_proto(req.crew()), kPhoneRegion);
    rpc::apply_crew_mask(req.crew(), req.update_mask(), crew, kNow);
    validated(crew, kPhoneRegion);
  });
}

}  // namespace
}  // namespace linecrew

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linecrew;
  if (size == 0) return 0;
  const std::string_view bytes = fuzz::text(data + 1, size - 1);
  switch (data[0] % 20) {
    case 0:
      create_ticket(bytes);
      break;
    case 1: {
      v1::ListTicketsRequest req;
      if (decode(bytes, req)) fuzz::expect_clean([&] { rpc::filter_from_proto(req); });
      break;
    }
    case 2:
      update_crew(bytes);
      break;
    case 3: {
      v1::ListCrewsRequest req;
      if (decode(bytes, req)) fuzz::expect_clean([&] { rpc::crew_filter_from_proto(req); });
      break;
    }
    case 4: {
      v1::CrewAction req;
      if (decode(bytes, req)) fuzz::expect_clean([&] { rpc::device_action_from_proto(req); });
      break;
    }
    case 5: {
      v1::UploadRequest req;
      if (!decode(bytes, req)) break;
      for (const auto& a : req.actions()) fuzz::expect_clean([&] { rpc::device_action_from_proto(a); });
      break;
    }
    case 6: {
      v1::RegisterCrewRequest req;
      if (decode(bytes, req)) fuzz::expect_clean([&] { validated(rpc::crew_from_proto(req.crew()), kPhoneRegion); });
      break;
    }
    case 7: {
      v1::IssueTokenRequest req;
      if (!decode(bytes, req)) break;
      fuzz::expect_clean([&] {
        rpc::role_from_proto(req.role());
        if (req.has_ttl()) rpc::from_proto(req.ttl(), "ttl");
        if (!req.crew_id().empty()) CrewId(req.crew_id());
      });
      break;
    }
    case 8: {
      v1::WatchBoardRequest req;
      if (decode(bytes, req)) fuzz::expect_clean([&] { rpc::zone_classes_from_proto(req.zone_classes()); });
      break;
    }
    case 9: {
      v1::HelloRequest req;
      if (!decode(bytes, req)) break;
      fuzz::expect_clean([&] { DeviceId(req.device_id()); });
      if (req.has_device_time()) fuzz::expect_clean([&] { rpc::from_proto(req.device_time(), "device_time"); });
      break;
    }
    case 10: {
      v1::CancelTicketRequest req;
      if (!decode(bytes, req)) break;
      fuzz::expect_clean([&] { check_length(req.reason(), limit::kCancelReason, "reason"); });
      fuzz::expect_clean([&] { TicketId(req.ticket_id()); });
      break;
    }
    case 12: {
      v1::GetReportRequest req;
      if (!decode(bytes, req)) break;
      fuzz::expect_clean([&] {
        const TimePoint from = rpc::from_proto(req.from(), "from");
        const TimePoint to = rpc::from_proto(req.to(), "to");
        (void)(to - from);  // valid wire times: the difference cannot overflow
      });
      break;
    }
    case 13: {
      v1::PullRequest req;
      if (decode(bytes, req) && !req.device_id().empty()) fuzz::expect_clean([&] { DeviceId(req.device_id()); });
      break;
    }
    case 14: {
      v1::GetStatusRequest req;
      if (decode(bytes, req) && app::tracking_token_syntax_ok(req.tracking_token()))
        (void)app::redact_token(req.tracking_token());
      break;
    }
    case 15: {
      v1::ListEscalationsRequest req;
      if (decode(bytes, req)) fuzz::expect_clean([&] { rpc::filter_from_proto(req); });
      break;
    }
    case 16: {
      v1::ResolveEscalationRequest req;
      if (!decode(bytes, req)) break;
      fuzz::expect_clean([&] { parse_escalation_id(req.escalation_id(), "escalation_id"); });
      fuzz::expect_clean([&] { check_length(req.note(), limit::kEscalationNote, "note"); });
      break;
    }
    case 17:
      record_follow_up(bytes);
      break;
    case 18:
      record_complaint(bytes);
      break;
    case 19:
      record_confirmation(bytes);
      break;
    default: {
      v1::PinTicketRequest req;
      if (!decode(bytes, req)) break;
      fuzz::expect_clean([&] { TicketId(req.ticket_id()); });
      fuzz::expect_clean([&] { CrewId(req.crew_id()); });
      break;
    }
  }
  return 0;
}
