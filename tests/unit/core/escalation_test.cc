#include <gtest/gtest.h>

#include "linecrew/core/crew_action.h"
#include "linecrew/core/escalation.h"
#include "linecrew/core/ownership.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/report.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::expect_error;

const ActorRef kPlanner{Actor::kSystem, "system:planner"};
const CrewId kC1("C-1");

Ticket reported_at(const std::string& hhmm) {
  Ticket t;
  t.id = TicketId("T-000007");
  t.first_contact = at(hhmm);
  t.created = at(hhmm);
  t.deadline = at(hhmm) + minutes(45);
  t.timeline.push_back({at(hhmm), "reported", "system", "hotline"});
  return t;
}

CrewAction call(const std::string& hhmm, Consent consent) {
  CrewAction a;
  a.kind = CrewActionKind::kContactAttempt;
  a.crew = kC1;
  a.event_time = at(hhmm);
  a.contact = ContactRecord{at(hhmm), DelayReason::kTraffic, at(hhmm) + minutes(30), consent};
  return a;
}

TEST(Escalation, IdsRoundTripAndMalformedOnesNameTheField) {
  EXPECT_EQ(escalation_id(TicketId("T-000123"), 2), "T-000123/2");
  const EscalationRef r = parse_escalation_id("T-000123/2", "escalation_id");
  EXPECT_EQ(r.ticket, TicketId("T-000123"));
  EXPECT_EQ(r.n, 2U);
  for (const char* bad : {"", "T-000123", "T-000123/", "T-000123/0", "/1", "T-000123/x", "T 1/1", "T-1/1/", "T-1/-1"})
    expect_error([&] { parse_escalation_id(bad, "escalation_id"); }, ErrorCode::kInvalidArgument, "escalation_id");
}

TEST(Escalation, ARefusedDelayCallOpensOneRecordAndARepeatWhileUnresolvedOpensNone) {
  Ticket t = reported_at("14:05");
  assign(t, kC1, kPlanner, at("14:06"), "planned");
  EXPECT_EQ(apply_crew_action(t, call("14:40", Consent::kRefused), at("14:41")).outcome, ActionOutcome::kApplied);
  ASSERT_EQ(t.escalations.size(), 1U);
  const Escalation& e = t.escalations[0];
  EXPECT_EQ(e.n, 1U);
  EXPECT_EQ(e.kind, EscalationKind::kDelayCallRefused);
  EXPECT_EQ(e.state(), EscalationState::kOpen);
  EXPECT_EQ(e.opened, at("14:40"));
  EXPECT_NE(e.detail.find("refused"), std::string::npos) << e.detail;
  EXPECT_EQ(t.timeline.back().kind, "escalated");  // the timeline line stays as before
  // The crew redials and is refused again: the desk already has it.
  apply_crew_action(t, call("14:42", Consent::kRefused), at("14:43"));
  EXPECT_EQ(t.escalations.size(), 1U);
  // Unreachable is another kind: its own record.
  apply_crew_action(t, call("14:44", Consent::kUnreachable), at("14:45"));
  ASSERT_EQ(t.escalations.size(), 2U);
  EXPECT_EQ(t.escalations[1].kind, EscalationKind::kDelayCallUnreachable);
  // A consented call opens nothing.
  apply_crew_action(t, call("14:46", Consent::kYes), at("14:47"));
  EXPECT_EQ(t.escalations.size(), 2U);
}

TEST(Escalation, ACallRecordedOnAClosedTicketOpensNothing) {
  Ticket t = reported_at("14:05");
  assign(t, kC1, kPlanner, at("14:06"), "planned");
  t.status = TicketStatus::kClosed;
  apply_crew_action(t, call("14:40", Consent::kRefused), at("14:41"));
  EXPECT_TRUE(t.escalations.empty());
}

TEST(Escalation, LeavingARestoredSiteWithoutTheCloseoutOpensOne) {
  Ticket t = reported_at("14:05");
  assign(t, kC1, kPlanner, at("14:06"), "planned");
  for (auto k :
       {CrewActionKind::kAccept, CrewActionKind::kArrived, CrewActionKind::kRestored, CrewActionKind::kLeftSite}) {
    CrewAction a;
    a.kind = k;
    a.crew = kC1;
    a.event_time = at("14:30");
    ASSERT_EQ(apply_crew_action(t, a, at("14:30")).outcome, ActionOutcome::kApplied) << to_string(k);
  }
  ASSERT_EQ(t.escalations.size(), 1U);
  EXPECT_EQ(t.escalations[0].kind, EscalationKind::kCloseoutIncomplete);
  EXPECT_NE(t.escalations[0].detail.find("cause_found"), std::string::npos) << t.escalations[0].detail;
  EXPECT_EQ(t.status, TicketStatus::kRestored);
}

TEST(Escalation, AcknowledgeOnceThenResolveWithANoteRecordingWhoAndWhen) {
  Ticket t = reported_at("14:05");
  ASSERT_EQ(open_escalation(t, EscalationKind::kCrewNeedsHelp, "help:1", "crew C-1 asks for help", at("14:10")), 1U);
  acknowledge_escalation(t, 1, "desk 3 (tok_a)", at("14:12"));
  EXPECT_EQ(t.escalations[0].state(), EscalationState::kAcknowledged);
  EXPECT_EQ(t.escalations[0].acknowledged_by, "desk 3 (tok_a)");
  EXPECT_EQ(t.escalations[0].acknowledged_at, at("14:12"));
  EXPECT_EQ(t.timeline.back().kind, "escalation_acknowledged");
  expect_error([&] { acknowledge_escalation(t, 1, "desk 4 (tok_b)", at("14:13")); }, ErrorCode::kFailedPrecondition,
               "already acknowledged (by desk 3");
  expect_error([&] { resolve_escalation(t, 1, "desk 3 (tok_a)", "", at("14:20")); }, ErrorCode::kInvalidArgument,
               "note");
  resolve_escalation(t, 1, "desk 3 (tok_a)", "sent a second crew", at("14:20"));
  EXPECT_EQ(t.escalations[0].state(), EscalationState::kResolved);
  EXPECT_EQ(t.escalations[0].resolution, "sent a second crew");
  EXPECT_EQ(t.escalations[0].acknowledged_at, at("14:12"));  // the acknowledgement is kept
  expect_error([&] { resolve_escalation(t, 1, "desk 3 (tok_a)", "again", at("14:21")); },
               ErrorCode::kFailedPrecondition, "already resolved");
  expect_error([&] { acknowledge_escalation(t, 2, "desk 3 (tok_a)", at("14:21")); }, ErrorCode::kNotFound,
               "escalation_id");
  // Resolved: the same kind may open again for a new cause, never for the same key.
  EXPECT_FALSE(open_escalation(t, EscalationKind::kCrewNeedsHelp, "help:1", "again", at("14:30")));
  EXPECT_EQ(open_escalation(t, EscalationKind::kCrewNeedsHelp, "help:2", "again", at("14:30")), 2U);
}

TEST(Escalation, ResolvingAnOpenOneAcknowledgesItToo) {
  Ticket t = reported_at("14:05");
  open_escalation(t, EscalationKind::kStalled, "stalled:1", "no progress", at("16:10"));
  resolve_escalation(t, 1, "desk 1 (tok_c)", "called the crew: on its way", at("16:15"));
  EXPECT_EQ(t.escalations[0].acknowledged_by, "desk 1 (tok_c)");
  EXPECT_EQ(t.escalations[0].acknowledged_at, at("16:15"));
}

TEST(Escalation, StalledPastThePolicyTimeOnceAndTheDesksBookkeepingIsNotProgress) {
  ServicePolicy policy;
  policy.stalled_after = minutes(120);
  Ticket t = reported_at("10:00");
  EXPECT_FALSE(escalate_if_stalled(t, policy, at("12:00")));  // exactly the stalled time: not yet
  ASSERT_EQ(escalate_if_stalled(t, policy, at("12:00") + seconds(1)), 1U);
  EXPECT_EQ(t.escalations[0].kind, EscalationKind::kStalled);
  EXPECT_EQ(last_progress(t), at("10:00"));  // "escalation_opened" is not progress
  acknowledge_escalation(t, 1, "desk", at("12:05"));
  resolve_escalation(t, 1, "desk", "crew C-1 asked to report", at("12:10"));
  EXPECT_FALSE(escalate_if_stalled(t, policy, at("13:00")));  // the same stall: once
  t.timeline.push_back({at("13:00"), "en_route", "crew:C-1", ""});
  EXPECT_FALSE(escalate_if_stalled(t, policy, at("15:00")));
  EXPECT_EQ(escalate_if_stalled(t, policy, at("15:00") + seconds(1)), 2U);  // a new stall
  t.status = TicketStatus::kClosed;
  t.escalations.pop_back();
  EXPECT_FALSE(escalate_if_stalled(t, policy, at("23:00")));  // closed tickets never stall
  Ticket caller = reported_at("10:00");
  caller.fault = TicketId("T-000001");  // rules §7: linked to a fault, it moves with its lead
  EXPECT_FALSE(escalate_if_stalled(caller, policy, at("15:00")));
  EXPECT_TRUE(caller.escalations.empty());
}

TEST(Escalation, FiguresCountByKindStateAndTimeToAcknowledge) {
  Ticket t = reported_at("10:00");
  open_escalation(t, EscalationKind::kStalled, "a", "x", at("10:00"));
  open_escalation(t, EscalationKind::kDelayCallRefused, "b", "x", at("10:00"));
  open_escalation(t, EscalationKind::kCrewNeedsHelp, "c", "x", at("10:30"));
  acknowledge_escalation(t, 1, "d", at("10:10"));
  resolve_escalation(t, 2, "d", "done", at("10:30"));
  EscalationFigures f;
  for (const auto& e : t.escalations) f.add(e);
  EXPECT_EQ(f.open, 1U);
  EXPECT_EQ(f.acknowledged, 1U);
  EXPECT_EQ(f.resolved, 1U);
  EXPECT_EQ(f.opened[static_cast<std::size_t>(EscalationKind::kStalled)], 1U);
  EXPECT_EQ(f.mean_time_to_acknowledge(), minutes(20));  // (10 + 30) / 2
  EXPECT_EQ(f.ack_time_max, minutes(30));
  EXPECT_EQ(f.oldest_open, at("10:30"));
  // The report carries them for the tickets in range.
  t.zone_class = ZoneClass::kUrban;
  const Report r = build_report({t}, {}, at("00:00"), at("23:59"), at("11:00"), ServicePolicy{});
  EXPECT_EQ(r.escalations.open, 1U);
  EXPECT_EQ(r.escalations.resolved, 1U);
}

}  // namespace
}  // namespace linecrew
