#include <gtest/gtest.h>

#include "linecrew/core/confirmation.h"
#include "linecrew/core/notify.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::expect_error;

// A scheduled visit booked for 16:00 local, waiting for its crew.
Ticket visit_at(const std::string& hhmm) {
  Ticket t;
  t.id = TicketId("T-000051");
  t.kind = TicketKind::kScheduledVisit;
  t.appointment = at(hhmm);
  t.deadline = at(hhmm);
  t.status = TicketStatus::kAssigned;
  t.created = at("08:00");
  t.timeline.push_back({at("08:00"), "reported", "system", "hotline"});
  return t;
}

TEST(Confirmation, AScheduledVisitIsCalledTwoToThreeHoursBeforeItsArrival) {
  const Ticket t = visit_at("16:00");
  const auto w = confirmation_window(t);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->opens, at("13:00"));
  EXPECT_EQ(w->due, at("14:00"));
  Ticket repair = t;
  repair.kind = TicketKind::kFaultRepair;
  EXPECT_FALSE(confirmation_window(repair));  // an emergency gets no confirmation call
  Ticket reached = t;
  reached.status = TicketStatus::kOnSite;
  EXPECT_FALSE(confirmation_window(reached));
}

TEST(Confirmation, ConfirmedOnceUnreachableCallsAgainAndTimingIsEnforced) {
  const ServicePolicy policy;
  Ticket t = visit_at("17:00");
  expect_error(
      [&] { record_confirmation(t, ConfirmationOutcome::kConfirmed, std::nullopt, "desk", policy, at("13:59")); },
      ErrorCode::kFailedPrecondition, "14:00");  // before the window opens
  record_confirmation(t, ConfirmationOutcome::kUnreachable, std::nullopt, "desk", policy, at("14:05"));
  EXPECT_FALSE(confirmed(t));
  EXPECT_EQ(confirmation_attempts(t), 1U);
  record_confirmation(t, ConfirmationOutcome::kConfirmed, std::nullopt, "desk 2", policy, at("14:20"));
  EXPECT_TRUE(confirmed(t));
  EXPECT_EQ(t.timeline.back().kind, "confirmation_call");
  EXPECT_EQ(t.timeline.back().actor, "desk 2");
  EXPECT_TRUE(t.contacts.empty());  // the agreed time stands: nothing moves
  expect_error(
      [&] { record_confirmation(t, ConfirmationOutcome::kConfirmed, std::nullopt, "desk", policy, at("14:30")); },
      ErrorCode::kFailedPrecondition, "already confirmed");
}

TEST(Confirmation, ANewTimeAgreedOnTheCallMovesTheDeadlineInForceAsConsentDoes) {
  const ServicePolicy policy;
  Ticket t = visit_at("17:00");
  expect_error(
      [&] { record_confirmation(t, ConfirmationOutcome::kNewTimeAgreed, std::nullopt, "desk", policy, at("14:10")); },
      ErrorCode::kInvalidArgument, "new_time");
  expect_error(
      [&] { record_confirmation(t, ConfirmationOutcome::kConfirmed, at("18:00"), "desk", policy, at("14:10")); },
      ErrorCode::kInvalidArgument, "new_time");
  expect_error(
      [&] { record_confirmation(t, ConfirmationOutcome::kNewTimeAgreed, at("14:00"), "desk", policy, at("14:10")); },
      ErrorCode::kInvalidArgument, "new_time");
  EXPECT_EQ(t.effective_deadline(), at("17:00"));
  record_confirmation(t, ConfirmationOutcome::kNewTimeAgreed, at("18:30"), "desk", policy, at("14:10"));
  EXPECT_TRUE(confirmed(t));
  EXPECT_EQ(t.effective_deadline(), at("18:30"));
  ASSERT_EQ(t.contacts.size(), 1U);
  EXPECT_EQ(t.contacts[0].consent, Consent::kYes);
  // The customer is told the time agreed, as after a consented delay call.
  ToldState told;
  told.mark(NoticeKind::kAcknowledged);
  const auto notices = next_notices(customer_facts(t, std::nullopt), told, policy.notify);
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices[0].kind, NoticeKind::kNewTimeAgreed);
  EXPECT_EQ(notices[0].agreed, at("18:30"));
}

TEST(Confirmation, OnlyInContactHoursAndNotForOtherTickets) {
  const ServicePolicy policy;
  Ticket t = visit_at("14:30");  // window 11:30-12:30, the break starts at 12:00
  expect_error(
      [&] { record_confirmation(t, ConfirmationOutcome::kConfirmed, std::nullopt, "desk", policy, at("12:10")); },
      ErrorCode::kFailedPrecondition, "contact hours");
  record_confirmation(t, ConfirmationOutcome::kConfirmed, std::nullopt, "desk", policy, at("11:40"));
  Ticket repair = visit_at("16:00");
  repair.kind = TicketKind::kFaultRepair;
  expect_error(
      [&] { record_confirmation(repair, ConfirmationOutcome::kConfirmed, std::nullopt, "desk", policy, at("13:30")); },
      ErrorCode::kFailedPrecondition, "not a scheduled visit");
  Ticket late = visit_at("16:00");
  expect_error(
      [&] { record_confirmation(late, ConfirmationOutcome::kConfirmed, std::nullopt, "desk", policy, at("16:00")); },
      ErrorCode::kFailedPrecondition, "passed");
}

}  // namespace
}  // namespace linecrew
