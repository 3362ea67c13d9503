// Protobuf <-> domain conversion for CrewSyncService (the handheld's API),
// rpc/convert_sync.cc; the common values are in convert.h.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "linecrew/core/policy.h"
#include "linecrew/planner/types.h"
#include "linecrew/server/app/crew_sync.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/storage/sync_store.h"
#include "linecrew/v1/crew_sync.pb.h"

namespace linecrew::rpc {

// One outbox entry in the domain's form, with the fingerprint of its bytes;
// throws Error naming the field ("device_time", "position.accuracy_m",
// "contact_attempt.reason", ...). Core validates the action against the
// device's own clock.
app::DeviceAction device_action_from_proto(const v1::CrewAction& a);

v1::ActionResult to_proto(storage::SyncResult r);
v1::RemovalReason to_proto(storage::FeedRemoval r);
// The server's acknowledgement (result, reason cut to limit::kServerReason,
// ticket version); the op id is the caller's.
void to_proto(const storage::SyncAck& ack, v1::ActionAck* out);
// An entry refused before it reached the use case: REJECTED with `why`.
void rejected_to_proto(std::string_view why, v1::ActionAck* out);

// What a device must know of the policy, with the API's own limits.
struct DeviceLimits {
  std::size_t max_upload_actions = 0;
  std::size_t max_upload_bytes = 0;
  Duration pull_interval{0};
};
void to_proto(const ServicePolicy& p, const DeviceLimits& limits, v1::DevicePolicy* out);

// One change of the crew's feed: the ticket as the crew sees it (timeline,
// the plan's ETA and risk, no tracking token) or its removal.
void to_proto(const app::PullItem& item, const std::optional<app::PlanView>& plan, const NotifyPolicy& policy,
              TimePoint now, v1::CrewChange* out);
// The crew's route as planned at `now`.
void to_proto(const std::vector<planner::Stop>& plan, TimePoint now, v1::CrewPlanUpdate* out);

}  // namespace linecrew::rpc
