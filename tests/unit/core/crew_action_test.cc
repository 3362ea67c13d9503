#include <gtest/gtest.h>

#include <algorithm>

#include "linecrew/core/crew_action.h"
#include "linecrew/core/ownership.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;

const ActorRef kPlanner{Actor::kSystem, "system:planner"};
const ActorRef kDesk{Actor::kDispatcher, "dispatcher:tok_1"};
const CrewId kC1("C-1"), kC2("C-2");

// The rules' worked case: urban, reported 14:05, deadline 14:50, given to C-1.
Ticket assigned_to(const CrewId& crew) {
  Ticket t;
  t.id = TicketId("T-000001");
  t.first_contact = at("14:05");
  t.deadline = at("14:50");
  assign(t, crew, kPlanner, at("14:06"), "planned");
  return t;
}

CrewAction act(CrewActionKind kind, const std::string& hhmm, const CrewId& crew = kC1) {
  CrewAction a;
  a.kind = kind;
  a.crew = crew;
  a.event_time = at(hhmm);
  return a;
}

CrewAction call(const std::string& hhmm, Consent consent, const std::string& proposed = "15:00") {
  CrewAction a = act(CrewActionKind::kContactAttempt, hhmm);
  a.contact = ContactRecord{at(hhmm), DelayReason::kTraffic, at(proposed), consent};
  return a;
}

TEST(CrewAction, WorkedCaseCallThenLateArrivalIsExcusedAndCloseoutNeedsBothFacts) {
  Ticket t = assigned_to(kC1);
  for (auto k : {CrewActionKind::kAccept, CrewActionKind::kEnRoute})
    EXPECT_EQ(apply_crew_action(t, act(k, "14:10"), at("14:10")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(apply_crew_action(t, call("14:40", Consent::kYes), at("14:41")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.effective_deadline(), at("15:00"));
  EXPECT_EQ(t.timeline.back().kind, "deadline_moved");
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kArrived, "15:00"), at("15:01")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.status, TicketStatus::kOnSite);
  EXPECT_EQ(t.arrival, at("15:00"));
  EXPECT_EQ(t.compliance(at("15:01")).compliance, Compliance::kLateExcused);
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kRestored, "15:55"), at("15:55")).outcome,
            ActionOutcome::kApplied);
  // Left without cause and explanation: recorded, still RESTORED, the desk sees why.
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kLeftSite, "15:56"), at("15:56")).outcome,
            ActionOutcome::kApplied);
  EXPECT_EQ(t.status, TicketStatus::kRestored);
  EXPECT_EQ(t.timeline.back().kind, "closeout_incomplete");
  CrewAction cause = act(CrewActionKind::kCauseFound, "15:57");
  cause.text = "meter-box main switch tripped";
  EXPECT_EQ(apply_crew_action(t, cause, at("15:57")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kExplainedToCustomer, "15:58"), at("15:58")).outcome,
            ActionOutcome::kApplied);
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kLeftSite, "15:59"), at("15:59")).outcome,
            ActionOutcome::kApplied);
  EXPECT_EQ(t.status, TicketStatus::kClosed);
}

TEST(CrewAction, NoCallLateArrivalIsAViolationAndALateCallDoesNotExcuse) {
  Ticket t = assigned_to(kC1);
  EXPECT_EQ(apply_crew_action(t, call("14:55", Consent::kYes, "15:10"), at("14:55")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.timeline.back().kind, "contact_late");
  EXPECT_EQ(t.effective_deadline(), at("14:50"));
  apply_crew_action(t, act(CrewActionKind::kArrived, "15:00"), at("15:00"));
  const auto v = t.compliance(at("15:00"));
  EXPECT_EQ(v.compliance, Compliance::kViolation);
  EXPECT_EQ(v.late_by, minutes(10));
}

TEST(CrewAction, RefusedOrUnreachableIsLoggedAndEscalatedWithoutMovingTheDeadline) {
  Ticket t = assigned_to(kC1);
  for (Consent c : {Consent::kUnreachable, Consent::kRefused}) {
    CrewAction a = call("14:30", c);
    EXPECT_EQ(apply_crew_action(t, a, at("14:30")).outcome, ActionOutcome::kApplied);
    EXPECT_EQ(t.timeline.back().kind, "escalated");
  }
  EXPECT_EQ(t.contacts.size(), 2u);
  EXPECT_EQ(t.effective_deadline(), at("14:50"));
}

TEST(CrewAction, ConsentedProposalMustBeAfterTheCall) {
  Ticket t = assigned_to(kC1);
  const auto before = t.timeline.size();
  const auto v = apply_crew_action(t, call("14:40", Consent::kYes, "14:30"), at("14:40"));
  EXPECT_EQ(v.outcome, ActionOutcome::kRejected);
  EXPECT_NE(v.reason.find("proposed_arrival_time"), std::string::npos) << v.reason;
  EXPECT_EQ(t.timeline.size(), before);
  EXPECT_TRUE(t.contacts.empty());
}

TEST(CrewAction, IllegalTransitionIsRejectedAndChangesNothing) {
  Ticket t = assigned_to(kC1);
  const Ticket before = t;
  const auto v = apply_crew_action(t, act(CrewActionKind::kRestored, "14:20"), at("14:20"));
  EXPECT_EQ(v.outcome, ActionOutcome::kRejected);
  EXPECT_NE(v.reason.find("status"), std::string::npos);
  EXPECT_EQ(t.status, before.status);
  EXPECT_EQ(t.timeline.size(), before.timeline.size());
}

TEST(CrewAction, ACrewThatNeverOwnedTheTicketIsRejected) {
  Ticket t = assigned_to(kC1);
  const auto v = apply_crew_action(t, act(CrewActionKind::kAccept, "14:10", kC2), at("14:10"));
  EXPECT_EQ(v.outcome, ActionOutcome::kRejected);
  EXPECT_NE(v.reason.find("never owned"), std::string::npos);
}

TEST(CrewAction, RepeatingTheCurrentStateIsAppliedWithNoChange) {
  Ticket t = assigned_to(kC1);
  apply_crew_action(t, act(CrewActionKind::kEnRoute, "14:10"), at("14:10"));
  const auto n = t.timeline.size();
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kEnRoute, "14:11"), at("14:11")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.timeline.size(), n);
}

TEST(CrewAction, CancellationWinsOverEnRouteAndArrivedButFactsAreKept) {
  Ticket t = assigned_to(kC1);
  cancel(t, kDesk, at("14:20"), "customer fixed it");
  const auto v = apply_crew_action(t, act(CrewActionKind::kArrived, "14:25"), at("14:30"));
  EXPECT_EQ(v.outcome, ActionOutcome::kSuperseded);
  EXPECT_EQ(t.status, TicketStatus::kCancelled);
  EXPECT_FALSE(t.arrival.has_value());
  EXPECT_EQ(t.timeline.back().kind, "superseded");
  EXPECT_EQ(apply_crew_action(t, call("14:15", Consent::kUnreachable), at("14:30")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.contacts.size(), 1u);
}

TEST(CrewAction, ACrewOnSiteKeepsItsTicketAfterAReassignment) {
  Ticket t = assigned_to(kC1);
  apply_crew_action(t, act(CrewActionKind::kEnRoute, "14:10"), at("14:10"));
  assign(t, kC2, kDesk, at("14:20"), "C-1 reported stuck");  // the desk did not know C-1 was close
  EXPECT_EQ(apply_crew_action(t, act(CrewActionKind::kEnRoute, "14:18"), at("14:21")).outcome,
            ActionOutcome::kSuperseded);
  const auto v = apply_crew_action(t, act(CrewActionKind::kArrived, "14:22"), at("14:23"));
  EXPECT_EQ(v.outcome, ActionOutcome::kApplied);
  EXPECT_TRUE(v.reclaimed);
  EXPECT_EQ(t.owner, kC1);
  EXPECT_EQ(t.status, TicketStatus::kOnSite);
  EXPECT_EQ(t.arrival, at("14:22"));
  // C-2 arriving later is superseded: C-1 got there first.
  Ticket u = t;
  EXPECT_EQ(apply_crew_action(u, act(CrewActionKind::kArrived, "14:30", kC2), at("14:30")).outcome,
            ActionOutcome::kSuperseded);
  EXPECT_EQ(u.owner, kC1);
}

TEST(CrewAction, CannotFixNeedsAReturnTimeAfterTheActionAndAReason) {
  Ticket t = assigned_to(kC1);
  apply_crew_action(t, act(CrewActionKind::kArrived, "14:30"), at("14:30"));
  CrewAction a = act(CrewActionKind::kCannotFix, "14:50");
  EXPECT_NE(apply_crew_action(t, a, at("14:50")).reason.find("cannot_fix.committed_return_time"), std::string::npos);
  a.committed_return = at("18:00");
  EXPECT_EQ(apply_crew_action(t, a, at("14:50")).outcome, ActionOutcome::kRejected);  // no reason
  a.text = "transformer replacement needs crane";
  EXPECT_EQ(apply_crew_action(t, a, at("14:50")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.status, TicketStatus::kReturnVisitOwed);
}

TEST(CrewAction, EventTimeIsCorrectedByTheClockOffsetAndNeverAfterReceipt) {
  // Device clock 5 min behind: sent at 14:35 device time, received 14:40.
  EXPECT_EQ(corrected_event_time(at("14:30"), at("14:35"), at("14:40")), at("14:35"));
  // Device clock ahead: the event can never be after the receive time.
  EXPECT_EQ(corrected_event_time(at("14:50"), at("14:30"), at("14:40")), at("14:40"));
  // A device claiming its action happened weeks before it was sent is not
  // believed beyond kMaxDeviceLag; the extremes of the wire range stay in range.
  EXPECT_EQ(corrected_event_time(at("14:30") - hours(24 * 30), at("14:35"), at("14:40")), at("14:40") - kMaxDeviceLag);
  const TimePoint lo = TimePoint(Duration(kMinWireSeconds));
  const TimePoint hi = TimePoint(Duration(kMaxWireSeconds));
  EXPECT_EQ(corrected_event_time(hi, lo, at("14:40")), at("14:40"));
  EXPECT_EQ(corrected_event_time(lo, hi, at("14:40")), at("14:40") - kMaxDeviceLag);
}

TEST(CrewAction, NamesRoundTrip) {
  for (auto k : {CrewActionKind::kAccept, CrewActionKind::kContactAttempt, CrewActionKind::kLeftSite})
    EXPECT_EQ(parse_crew_action(to_string(k)), k);
  EXPECT_FALSE(parse_crew_action("teleport").has_value());
}

TEST(CrewAction, EachKindLeadsToOneStatusForTheHandheldAndTheServerAlike) {
  using K = CrewActionKind;
  using S = TicketStatus;
  EXPECT_EQ(status_after(K::kAccept, S::kAssigned, false), S::kAccepted);
  EXPECT_EQ(status_after(K::kEnRoute, S::kAccepted, false), S::kEnRoute);
  EXPECT_EQ(status_after(K::kArrived, S::kEnRoute, false), S::kOnSite);
  EXPECT_EQ(status_after(K::kRestored, S::kOnSite, false), S::kRestored);
  EXPECT_EQ(status_after(K::kCannotFix, S::kOnSite, false), S::kReturnVisitOwed);
  for (auto fact : {K::kCauseFound, K::kExplainedToCustomer, K::kContactAttempt}) {
    EXPECT_EQ(status_after(fact, S::kOnSite, true), S::kOnSite) << to_string(fact);
    EXPECT_FALSE(target_status(fact).has_value()) << to_string(fact);
  }
  EXPECT_EQ(status_after(K::kLeftSite, S::kRestored, true), S::kClosed);
  EXPECT_EQ(status_after(K::kLeftSite, S::kRestored, false), S::kRestored);
  EXPECT_EQ(status_after(K::kLeftSite, S::kReturnVisitOwed, true), S::kReturnVisitOwed);
  // The server reaches the same status as the handheld for each status-changing kind.
  Ticket t = assigned_to(kC1);
  for (auto k : {K::kAccept, K::kEnRoute, K::kArrived, K::kRestored}) {
    const auto expected = status_after(k, t.status, false);
    ASSERT_EQ(apply_crew_action(t, act(k, "14:20"), at("14:20")).outcome, ActionOutcome::kApplied);
    EXPECT_EQ(t.status, expected) << to_string(k);
  }
}

TEST(CrewAction, TextLimitsAreCodePointsSoANineHundredCharacterChineseNoteIsKeptWhole) {
  std::string chinese;
  for (int i = 0; i < 900; ++i) chinese += "\u7535";  // 电: 3 bytes in UTF-8, 2,700 bytes in all
  Ticket t = assigned_to(kC1);
  CrewAction cause = act(CrewActionKind::kCauseFound, "14:30");
  cause.text = chinese;
  EXPECT_NO_THROW(validate_crew_action(cause, at("14:30")));
  ASSERT_EQ(apply_crew_action(t, cause, at("14:30")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(t.timeline.back().detail, chinese);
  cause.text = chinese + chinese;  // 1,800 characters
  testing::expect_error([&] { validate_crew_action(cause, at("14:30")); }, ErrorCode::kInvalidArgument,
                        "cause_found.text: is longer than 1000 characters");
  EXPECT_EQ(apply_crew_action(t, cause, at("14:31")).outcome, ActionOutcome::kRejected);
}

TEST(CrewAction, ValidationNamesTheProtoFieldOfEachKind) {
  using K = CrewActionKind;
  CrewAction cause = act(K::kCauseFound, "14:30");
  testing::expect_error([&] { validate_crew_action(cause, at("14:30")); }, ErrorCode::kInvalidArgument,
                        "cause_found.text");
  CrewAction cannot = act(K::kCannotFix, "14:30");
  cannot.text = "needs a crane";
  testing::expect_error([&] { validate_crew_action(cannot, at("14:30")); }, ErrorCode::kInvalidArgument,
                        "cannot_fix.committed_return_time");
  cannot.committed_return = at("14:30");  // not after the action
  testing::expect_error([&] { validate_crew_action(cannot, at("14:30")); }, ErrorCode::kInvalidArgument,
                        "cannot_fix.committed_return_time");
  cannot.committed_return = at("18:00");
  EXPECT_NO_THROW(validate_crew_action(cannot, at("14:30")));
  cannot.text.clear();
  testing::expect_error([&] { validate_crew_action(cannot, at("14:30")); }, ErrorCode::kInvalidArgument,
                        "cannot_fix.reason");
  CrewAction yes = call("14:40", Consent::kYes, "14:40");  // agreed time not after the call
  testing::expect_error([&] { validate_crew_action(yes, at("14:40")); }, ErrorCode::kInvalidArgument,
                        "contact_attempt.proposed_arrival_time");
  CrewAction refused = call("14:40", Consent::kRefused, "14:40");  // no agreed time needed
  EXPECT_NO_THROW(validate_crew_action(refused, at("14:40")));
  refused.text = std::string(1001, 'x');
  testing::expect_error([&] { validate_crew_action(refused, at("14:40")); }, ErrorCode::kInvalidArgument,
                        "contact_attempt.note");
  CrewAction no_record = act(K::kContactAttempt, "14:40");
  testing::expect_error([&] { validate_crew_action(no_record, at("14:40")); }, ErrorCode::kInvalidArgument,
                        "contact_attempt");
}

CrewAction help(const std::string& hhmm, const std::string& text, const CrewId& crew = kC1) {
  CrewAction a = act(CrewActionKind::kNeedHelp, hhmm, crew);
  a.staff_number = "S001";
  a.text = text;
  return a;
}

std::size_t help_escalations(const Ticket& t) {
  return static_cast<std::size_t>(std::count_if(t.escalations.begin(), t.escalations.end(), [](const Escalation& e) {
    return e.kind == EscalationKind::kCrewNeedsHelp;
  }));
}

// Issue 19 item 1: the crew asks for help from the handheld; the desk gets
// one record while it is unresolved, and the timeline every request.
TEST(CrewAction, NeedHelpOpensOneEscalationAndARepeatWhileUnresolvedOpensNone) {
  Ticket t = assigned_to(kC1);
  apply_crew_action(t, act(CrewActionKind::kArrived, "14:30"), at("14:30"));
  const TicketStatus status = t.status;
  EXPECT_FALSE(target_status(CrewActionKind::kNeedHelp).has_value());
  EXPECT_EQ(status_after(CrewActionKind::kNeedHelp, TicketStatus::kOnSite, false), TicketStatus::kOnSite);
  EXPECT_EQ(parse_crew_action("need_help"), CrewActionKind::kNeedHelp);

  ASSERT_EQ(apply_crew_action(t, help("14:35", "tree on the line, need a second crew"), at("14:36")).outcome,
            ActionOutcome::kApplied);
  EXPECT_EQ(t.status, status);
  ASSERT_EQ(t.escalations.size(), 1u);
  const Escalation& e = t.escalations[0];
  EXPECT_EQ(e.kind, EscalationKind::kCrewNeedsHelp);
  EXPECT_EQ(e.state(), EscalationState::kOpen);
  EXPECT_EQ(e.key, "help:" + std::to_string(at("14:35").time_since_epoch().count()));
  EXPECT_EQ(e.opened, at("14:35"));
  EXPECT_NE(e.detail.find("crew:C-1/S001"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("tree on the line, need a second crew"), std::string::npos) << e.detail;
  const auto need_help_entries = [&] {
    return std::count_if(t.timeline.begin(), t.timeline.end(),
                         [](const TicketEvent& ev) { return ev.kind == "need_help"; });
  };
  EXPECT_EQ(need_help_entries(), 1);

  // Asked again while the desk has not resolved it: recorded, no second record.
  ASSERT_EQ(apply_crew_action(t, help("14:45", "still waiting"), at("14:46")).outcome, ActionOutcome::kApplied);
  EXPECT_EQ(help_escalations(t), 1u);
  EXPECT_EQ(need_help_entries(), 2);
  // The same upload again (same event time) after the desk resolved it: the key was used, nothing new.
  resolve_escalation(t, 1, "dispatcher:desk 1", "second crew C-2 sent", at("14:50"));
  apply_crew_action(t, help("14:35", "tree on the line, need a second crew"), at("14:51"));
  EXPECT_EQ(help_escalations(t), 1u);
  // A new request after the resolution opens a new one.
  apply_crew_action(t, help("15:10", "the second crew needs a bucket truck"), at("15:11"));
  EXPECT_EQ(help_escalations(t), 2u);
  EXPECT_EQ(t.escalations.back().state(), EscalationState::kOpen);
}

TEST(CrewAction, NeedHelpNeedsItsTextAndAnOwnerLikeOtherFacts) {
  testing::expect_error([&] { validate_crew_action(help("14:30", ""), at("14:30")); }, ErrorCode::kInvalidArgument,
                        "need_help.text");
  std::string chinese;
  for (int i = 0; i < 500; ++i) chinese += "\u7535";
  EXPECT_NO_THROW(validate_crew_action(help("14:30", chinese), at("14:30")));
  testing::expect_error([&] { validate_crew_action(help("14:30", chinese + "x"), at("14:30")); },
                        ErrorCode::kInvalidArgument, "need_help.text: is longer than 500 characters");

  Ticket t = assigned_to(kC1);
  const Ticket before = t;
  auto v = apply_crew_action(t, help("14:30", ""), at("14:30"));
  EXPECT_EQ(v.outcome, ActionOutcome::kRejected);
  EXPECT_NE(v.reason.find("need_help.text"), std::string::npos) << v.reason;
  // A crew that never owned the ticket is rejected; nothing is recorded.
  v = apply_crew_action(t, help("14:30", "need a ladder", kC2), at("14:30"));
  EXPECT_EQ(v.outcome, ActionOutcome::kRejected);
  EXPECT_NE(v.reason.find("never owned"), std::string::npos) << v.reason;
  EXPECT_EQ(t.timeline.size(), before.timeline.size());
  EXPECT_TRUE(t.escalations.empty());
  // A fact: kept on a ticket the crew owned before a reassignment and a cancellation.
  assign(t, kC2, kDesk, at("14:40"), "C-1 stuck");
  cancel(t, kDesk, at("14:45"), "customer fixed it");
  EXPECT_EQ(apply_crew_action(t, help("14:42", "truck stuck in a ditch"), at("14:50")).outcome,
            ActionOutcome::kApplied);
  EXPECT_EQ(help_escalations(t), 1u);
  EXPECT_EQ(t.status, TicketStatus::kCancelled);
}

TEST(Compliance, OneConsentedCallInTimeMovesTheDeadlineAndALateOrRefusedOneDoesNot) {
  const ContactRecord yes{at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kYes};
  EXPECT_EQ(deadline_after_call(yes, at("14:50")), at("15:00"));
  EXPECT_EQ(deadline_after_call(yes, at("14:40")), at("15:00"));  // made at the deadline: in time
  EXPECT_FALSE(deadline_after_call(yes, at("14:39")).has_value());
  const ContactRecord refused{at("14:40"), DelayReason::kTraffic, at("15:00"), Consent::kRefused};
  EXPECT_FALSE(deadline_after_call(refused, at("14:50")).has_value());
}

// Issue 19 item 8: the assigned crew's confirmation call of a scheduled visit
// (rules §4), applied with the policy: the same rules as the desk's call.
TEST(CrewAction, AConfirmationCallFromTheCrewIsRecordedAsTheDesksWithTheContactHours) {
  const ServicePolicy policy;
  Ticket v = assigned_to(kC1);
  v.kind = TicketKind::kScheduledVisit;
  v.appointment = at("17:30");  // window 14:30-15:30
  v.deadline = at("17:30");
  CrewAction a = act(CrewActionKind::kConfirmationCall, "14:40");
  EXPECT_EQ(parse_crew_action("confirmation_call"), CrewActionKind::kConfirmationCall);
  EXPECT_FALSE(target_status(CrewActionKind::kConfirmationCall));
  testing::expect_error([&] { validate_crew_action(a, at("14:40")); }, ErrorCode::kInvalidArgument,
                        "confirmation_call.outcome");
  a.confirmation = ConfirmationOutcome::kNewTimeAgreed;
  testing::expect_error([&] { validate_crew_action(a, at("14:40")); }, ErrorCode::kInvalidArgument,
                        "confirmation_call.new_time");
  a.new_time = at("14:00");
  testing::expect_error([&] { validate_crew_action(a, at("14:40")); }, ErrorCode::kInvalidArgument,
                        "confirmation_call.new_time: must be after the call");
  EXPECT_EQ(apply_crew_action(v, a, at("14:41")).outcome, ActionOutcome::kRejected);  // needs the policy
  a.new_time = at("18:00");
  // Another crew never owned it: rejected, nothing changes.
  CrewAction other = a;
  other.crew = kC2;
  const Ticket before = v;
  EXPECT_EQ(apply_confirmation_call(v, other, policy).outcome, ActionOutcome::kRejected);
  EXPECT_EQ(v.timeline.size(), before.timeline.size());
  // In the lunch break (rules §4): rejected with the rule's reason.
  CrewAction lunch = a;
  lunch.event_time = at("12:30");
  lunch.new_time = at("18:00");
  Ticket early = v;
  early.appointment = at("15:00");
  const ActionVerdict refused = apply_confirmation_call(early, lunch, policy);
  EXPECT_EQ(refused.outcome, ActionOutcome::kRejected);
  EXPECT_NE(refused.reason.find("contact hours"), std::string::npos) << refused.reason;
  EXPECT_TRUE(early.contacts.empty());
  // The assigned crew in the window: applied; the agreed time is the deadline in force.
  const ActionVerdict ok = apply_confirmation_call(v, a, policy);
  EXPECT_EQ(ok.outcome, ActionOutcome::kApplied) << ok.reason;
  EXPECT_TRUE(confirmed(v));
  EXPECT_EQ(v.effective_deadline(), at("18:00"));
  EXPECT_EQ(v.timeline.back().kind, "confirmation_call");
  EXPECT_EQ(v.timeline.back().actor, "crew:C-1");
  EXPECT_EQ(apply_confirmation_call(v, a, policy).outcome, ActionOutcome::kRejected);  // already confirmed
}

}  // namespace
}  // namespace linecrew
