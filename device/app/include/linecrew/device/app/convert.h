// The handheld's domain -> proto conversion: the crew's actions and position
// fixes as the v1.CrewAction the outbox uploads (device/app/convert.cc), and
// the domain enums a client puts into requests, as their proto values: the
// handheld's delay calls (DelayReason, Consent) and the simulator desk's
// intake (Channel). Our enums list their values in the proto's order after
// UNSPECIFIED = 0; the static_asserts pin every value, and the proto's last.
// (The server's conversions are server/rpc/convert*.cc; the pull response ->
// LocalTicket conversion is device/sync's to_page, sync_agent.cc.)
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>

#include "linecrew/core/compliance.h"
#include "linecrew/core/confirmation.h"
#include "linecrew/core/crew_action.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/time.h"
#include "linecrew/v1/common.pb.h"
#include "linecrew/v1/crew_sync.pb.h"

namespace linecrew::device {

constexpr v1::DelayReason to_proto(DelayReason r) {
  return static_cast<v1::DelayReason>(static_cast<int>(r) + 1);
}
constexpr v1::Consent to_proto(Consent c) {
  return static_cast<v1::Consent>(static_cast<int>(c) + 1);
}
constexpr v1::Channel to_proto(Channel c) {
  return static_cast<v1::Channel>(static_cast<int>(c) + 1);
}
constexpr v1::ConfirmationOutcome to_proto(ConfirmationOutcome o) {
  return static_cast<v1::ConfirmationOutcome>(static_cast<int>(o) + 1);
}
static_assert(to_proto(ConfirmationOutcome::kConfirmed) == v1::CONFIRMATION_OUTCOME_CONFIRMED);
static_assert(to_proto(ConfirmationOutcome::kNewTimeAgreed) == v1::CONFIRMATION_OUTCOME_NEW_TIME_AGREED);
static_assert(to_proto(ConfirmationOutcome::kUnreachable) == v1::CONFIRMATION_OUTCOME_UNREACHABLE &&
              v1::ConfirmationOutcome_MAX == v1::CONFIRMATION_OUTCOME_UNREACHABLE);

static_assert(to_proto(DelayReason::kWeather) == v1::DELAY_REASON_WEATHER);
static_assert(to_proto(DelayReason::kTraffic) == v1::DELAY_REASON_TRAFFIC);
static_assert(to_proto(DelayReason::kPreviousJobOverran) == v1::DELAY_REASON_PREVIOUS_JOB_OVERRAN);
static_assert(to_proto(DelayReason::kEquipment) == v1::DELAY_REASON_EQUIPMENT);
static_assert(to_proto(DelayReason::kOther) == v1::DELAY_REASON_OTHER && v1::DelayReason_MAX == v1::DELAY_REASON_OTHER);
static_assert(to_proto(Consent::kYes) == v1::CONSENT_YES);
static_assert(to_proto(Consent::kRefused) == v1::CONSENT_REFUSED);
static_assert(to_proto(Consent::kUnreachable) == v1::CONSENT_UNREACHABLE && v1::Consent_MAX == v1::CONSENT_UNREACHABLE);
static_assert(to_proto(Channel::kHotline) == v1::CHANNEL_HOTLINE);
static_assert(to_proto(Channel::kServiceCounter) == v1::CHANNEL_SERVICE_COUNTER);
static_assert(to_proto(Channel::kApp) == v1::CHANNEL_APP);
static_assert(to_proto(Channel::kWeb) == v1::CHANNEL_WEB && v1::Channel_MAX == v1::CHANNEL_WEB);

// Whole seconds (the device's clock has no finer unit).
void to_proto(TimePoint t, google::protobuf::Timestamp* out);

// A validated ticket action as the outbox entry: op id, device, device time
// `now`, ticket and the action. `proposed` is the contact attempt's proposed
// arrival as the crew entered it (unset: not sent, the server takes the
// device time).
v1::CrewAction to_proto(const CrewAction& act, const TicketId& ticket, std::optional<TimePoint> proposed,
                        const std::string& op_id, const DeviceId& device_id, TimePoint now);

// A position fix as the outbox entry.
v1::CrewAction position_to_proto(const GeoPoint& p, float accuracy_m, TimePoint fix_time, const std::string& op_id,
                                 const DeviceId& device_id, TimePoint now);

}  // namespace linecrew::device
