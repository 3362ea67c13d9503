#include "linecrew/core/limits.h"

#include <array>

#include "linecrew/core/text.h"

namespace linecrew {

std::span<const TextLimit> all_text_limits() {
  static constexpr std::array kAll = {
      limit::kClientRequestId, limit::kCustomerName,      limit::kAddress,           limit::kDescription,
      limit::kSkill,           limit::kCancelReason,      limit::kTokenLabel,        limit::kCrewId,
      limit::kCrewName,        limit::kFirstName,         limit::kFullName,          limit::kStaffNumber,
      limit::kDeviceId,        limit::kAppVersion,        limit::kCauseText,         limit::kExplainedNote,
      limit::kCannotFixReason, limit::kContactNote,       limit::kTrackingToken,     limit::kServerReason,
      limit::kEscalationNote,  limit::kFollowUpPromise,   limit::kFollowUpNote,      limit::kFollowUpRequest,
      limit::kComplainantName, limit::kComplaintAddress,  limit::kComplaintReason,   limit::kComplaintOutcome,
      limit::kScriptTeam,      limit::kScriptStaffNumber, limit::kNoticeDeliveredBy, limit::kNeedHelpText,
  };
  return kAll;
}

void check_length(std::string_view value, const TextLimit& limit, const std::string& field) {
  check_length(value, limit.lo, limit.hi, field);
}

}  // namespace linecrew
