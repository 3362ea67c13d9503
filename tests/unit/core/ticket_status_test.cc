#include <gtest/gtest.h>

#include <algorithm>

#include "linecrew/core/ticket_status.h"
#include "test_support.h"

namespace linecrew {
namespace {

using S = TicketStatus;
using A = Actor;

bool allowed(S from, S to, A actor) {
  return !transition_error(from, to, actor).has_value();
}

TEST(TicketStatus, TheHappyPathOfARepair) {
  EXPECT_TRUE(allowed(S::kReported, S::kAssigned, A::kSystem));
  EXPECT_TRUE(allowed(S::kAssigned, S::kAccepted, A::kCrew));
  EXPECT_TRUE(allowed(S::kAccepted, S::kEnRoute, A::kCrew));
  EXPECT_TRUE(allowed(S::kEnRoute, S::kOnSite, A::kCrew));
  EXPECT_TRUE(allowed(S::kOnSite, S::kRestored, A::kCrew));
  EXPECT_TRUE(allowed(S::kRestored, S::kClosed, A::kCrew));
}

TEST(TicketStatus, WhoMayDoWhat) {
  EXPECT_FALSE(allowed(S::kAssigned, S::kAccepted, A::kDispatcher));  // only the crew accepts
  EXPECT_FALSE(allowed(S::kReported, S::kAssigned, A::kCrew));        // crews do not self-assign
  EXPECT_FALSE(allowed(S::kEnRoute, S::kCancelled, A::kCrew));        // only the desk cancels
  EXPECT_TRUE(allowed(S::kEnRoute, S::kCancelled, A::kDispatcher));   // cancellation wins over en route
  EXPECT_FALSE(allowed(S::kEnRoute, S::kCancelled, A::kSystem));
  EXPECT_EQ(*transition_error(S::kAssigned, S::kAccepted, A::kDispatcher),
            "a dispatcher may not move a ticket assigned -> accepted");
}

TEST(TicketStatus, ArrivedCrewsKeepTheirTicketAndTerminalStatesAreFinal) {
  EXPECT_FALSE(allowed(S::kOnSite, S::kReported, A::kDispatcher));
  EXPECT_FALSE(allowed(S::kOnSite, S::kAssigned, A::kSystem));
  EXPECT_FALSE(allowed(S::kOnSite, S::kCancelled, A::kDispatcher));
  EXPECT_TRUE(crew_has_arrived(S::kOnSite));
  EXPECT_FALSE(crew_has_arrived(S::kEnRoute));
  for (const S s : {S::kAssigned, S::kAccepted, S::kEnRoute}) EXPECT_TRUE(crew_travelling(s));
  for (const S s : {S::kReported, S::kOnSite, S::kRestored, S::kClosed, S::kCancelled, S::kReturnVisitOwed})
    EXPECT_FALSE(crew_travelling(s));
  for (const S to : {S::kReported, S::kAssigned, S::kOnSite, S::kClosed})
    for (const A a : {A::kSystem, A::kDispatcher, A::kCrew}) {
      EXPECT_FALSE(allowed(S::kClosed, to, a));
      EXPECT_FALSE(allowed(S::kCancelled, to, a));
    }
}

TEST(TicketStatus, CannotFixOwesAReturnVisit) {
  EXPECT_TRUE(allowed(S::kOnSite, S::kReturnVisitOwed, A::kCrew));
  EXPECT_TRUE(allowed(S::kReturnVisitOwed, S::kAssigned, A::kSystem));
  EXPECT_FALSE(allowed(S::kReturnVisitOwed, S::kClosed, A::kCrew));
}

TEST(TicketStatus, RequireTransitionThrowsFailedPrecondition) {
  testing::expect_error([] { require_transition(S::kReported, S::kRestored, A::kCrew); },
                        ErrorCode::kFailedPrecondition, "status: no transition reported -> restored");
  EXPECT_NO_THROW(require_transition(S::kReported, S::kAssigned, A::kDispatcher));
}

TEST(TicketStatus, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(S::kReturnVisitOwed); ++i) {
    const auto s = static_cast<S>(i);
    EXPECT_EQ(parse_ticket_status(to_string(s)), s);
  }
  EXPECT_FALSE(parse_ticket_status("lost").has_value());
}

// The lists the store filters by (the board, the report, the sweeps) say the
// same as the predicates, for every status.
TEST(TicketStatus, TheStatusListsMatchThePredicates) {
  for (std::size_t i = 0; i < kAllTicketStatuses.size(); ++i) EXPECT_EQ(kAllTicketStatuses[i], static_cast<S>(i));
  EXPECT_EQ(kAllTicketStatuses.back(), S::kReturnVisitOwed);
  const auto listed = [](const auto& list, S s) { return std::find(list.begin(), list.end(), s) != list.end(); };
  for (const S s : kAllTicketStatuses) {
    EXPECT_EQ(listed(kOpenTicketStatuses, s), !is_terminal(s)) << to_string(s);
    EXPECT_EQ(listed(kTravellingTicketStatuses, s), crew_travelling(s)) << to_string(s);
  }
  EXPECT_TRUE(std::is_sorted(kOpenTicketStatuses.begin(), kOpenTicketStatuses.end()));
  EXPECT_TRUE(std::is_sorted(kTravellingTicketStatuses.begin(), kTravellingTicketStatuses.end()));
}

}  // namespace
}  // namespace linecrew
