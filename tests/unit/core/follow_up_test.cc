#include <gtest/gtest.h>

#include "linecrew/core/complaint.h"
#include "linecrew/core/follow_up.h"
#include "linecrew/core/follow_up_script.h"
#include "linecrew/core/notify.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/report.h"
#include "linecrew/core/ticket.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::expect_error;

// Day 1 is 2026-11-22 (local, UTC+8); day N is N-1 days later.
TimePoint day(int n, const std::string& hhmm) {
  return at(hhmm) + hours(24 * (n - 1));
}

Ticket restored_at(TimePoint when) {
  Ticket t;
  t.id = TicketId("T-000042");
  t.customer = {"王女士", "+8613800138000", "zh-CN"};
  t.created = when - hours(1);
  t.status = TicketStatus::kClosed;
  t.timeline.push_back({when - hours(1), "reported", "system", "hotline"});
  t.timeline.push_back({when - minutes(5), "cause_found", "crew:C-1", "树枝搭线"});
  t.timeline.push_back({when, "restored", "crew:C-1", ""});
  return t;
}

TEST(FollowUp, IdsRoundTripAndMalformedOnesNameTheField) {
  EXPECT_EQ(follow_up_id(TicketId("T-000123"), 2), "T-000123/F2");
  const RecordRef r = parse_follow_up_id("T-000123/F2", "follow_up_id");
  EXPECT_EQ(r.ticket, TicketId("T-000123"));
  EXPECT_EQ(r.n, 2U);
  for (const char* bad : {"", "T-000123/2", "T-000123/F", "T-000123/F0", "T-000123/C1", "/F1", "T 1/F1"})
    expect_error([&] { parse_follow_up_id(bad, "follow_up_id"); }, ErrorCode::kInvalidArgument, "follow_up_id");
  EXPECT_EQ(complaint_id(TicketId("T-000123"), 1), "T-000123/C1");
  expect_error([] { parse_complaint_id("T-000123/F1", "complaint_id"); }, ErrorCode::kInvalidArgument, "complaint_id");
}

TEST(FollowUp, RestorationOwesOneFollowUpDueWithinThePolicysTime) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  EXPECT_EQ(owe_follow_ups(t, policy, day(1, "10:01")), 1U);
  EXPECT_EQ(owe_follow_ups(t, policy, day(1, "10:02")), 0U);  // idempotent: runs after every change
  ASSERT_EQ(t.follow_ups.size(), 1U);
  const FollowUp& f = t.follow_ups[0];
  EXPECT_EQ(f.reason, FollowUpReason::kRestoration);
  EXPECT_EQ(f.due, day(3, "10:00"));
  EXPECT_EQ(f.first_due, f.due);
  EXPECT_EQ(f.detail, "树枝搭线");
  EXPECT_TRUE(f.owed());
  EXPECT_EQ(t.timeline.back().kind, "follow_up_owed");
}

TEST(FollowUp, CannotFixOwesOneFollowUpPerCommitment) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  t.timeline.pop_back();
  t.timeline.push_back(
      {day(1, "11:00"), "cannot_fix", "crew:C-1", "return committed for 2026-11-23T02:00:00Z: 缺零件"});
  EXPECT_EQ(owe_follow_ups(t, policy, day(1, "11:00")), 1U);
  ASSERT_EQ(t.follow_ups.size(), 1U);
  EXPECT_EQ(t.follow_ups[0].reason, FollowUpReason::kCannotFix);
  EXPECT_EQ(t.follow_ups[0].due, day(3, "11:00"));
  // Its call script states the reason and the committed return, read back from the timeline entry.
  const FollowUpScriptInput in = follow_up_script_input(t, t.follow_ups[0], policy, "desk", "S1");
  EXPECT_EQ(in.reason, "cannot_fix");
  EXPECT_EQ(in.detail, "缺零件");
  EXPECT_EQ(in.time, parse_utc("2026-11-23T02:00:00Z"));
}

// The worked case: owed at 10:00 on day 1 and not done, it is overdue
// at 10:00:01 on day 3, escalated once, and the customer is told once.
TEST(FollowUp, OverdueAtTheSecondAfterItsDueTimeEscalatedOnceAndTheCustomerToldOnce) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  owe_follow_ups(t, policy, day(1, "10:00"));
  EXPECT_EQ(apologise_if_overdue(t, policy, day(3, "10:00")), 0U);  // exactly at the due time: not yet
  EXPECT_TRUE(t.escalations.empty());
  const TimePoint late = day(3, "10:00") + seconds(1);
  EXPECT_TRUE(t.follow_ups[0].overdue(late));
  EXPECT_EQ(apologise_if_overdue(t, policy, late), 1U);
  ASSERT_EQ(t.escalations.size(), 1U);
  EXPECT_EQ(t.escalations[0].kind, EscalationKind::kFollowUpOverdue);
  EXPECT_EQ(t.follow_ups[0].apologies, 1U);
  EXPECT_EQ(t.follow_ups[0].due, late + policy.follow_up_due);  // a new reply time
  EXPECT_EQ(t.follow_ups[0].first_due, day(3, "10:00"));        // the figures keep the first
  // The sweep runs again and again: nothing more until the new reply time passes.
  EXPECT_EQ(apologise_if_overdue(t, policy, late + minutes(1)), 0U);
  EXPECT_EQ(apologise_if_overdue(t, policy, late + hours(47)), 0U);
  EXPECT_EQ(t.escalations.size(), 1U);

  // The customer: one apology with the new reply time, and not again.
  ToldState told;
  told.mark(NoticeKind::kArrived);  // the crew's part was told
  told.mark(NoticeKind::kRestored);
  auto notices = next_notices(customer_facts(t, std::nullopt), told, policy.notify);
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_EQ(notices[0].kind, NoticeKind::kFollowUpApology);
  EXPECT_EQ(notices[0].key, "apology:1");
  EXPECT_EQ(notices[0].reply_time, late + policy.follow_up_due);
  EXPECT_TRUE(next_notices(customer_facts(t, std::nullopt), told, policy.notify).empty());
  EXPECT_FALSE(is_urgent(NoticeKind::kFollowUpApology));  // a message, in contact hours (rules §4)
}

TEST(FollowUp, OutcomesCloseItUnreachableRetriesAndBadFieldsAreNamed) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  owe_follow_ups(t, policy, day(1, "10:00"));
  const std::string desk = "desk 3 (tok_1)";
  FollowUpResult r;
  r.outcome = FollowUpOutcome::kUnreachable;
  EXPECT_FALSE(record_follow_up(t, 1, r, desk, policy, day(1, "15:00")));
  EXPECT_TRUE(t.follow_ups[0].owed());
  EXPECT_EQ(t.follow_ups[0].attempts, 1U);
  // Calls only in contact hours (rules §4): at 12:30 (the break) and 21:00, refused.
  r.outcome = FollowUpOutcome::kSatisfied;
  expect_error([&] { record_follow_up(t, 1, r, desk, policy, day(2, "12:30")); }, ErrorCode::kFailedPrecondition,
               "14:00");
  expect_error([&] { record_follow_up(t, 1, r, desk, policy, day(1, "21:00")); }, ErrorCode::kFailedPrecondition,
               "08:00");
  expect_error([&] { record_follow_up(t, 2, r, desk, policy, day(2, "09:00")); }, ErrorCode::kNotFound, "follow_up_id");
  r.new_request = "also check the meter";
  expect_error([&] { record_follow_up(t, 1, r, desk, policy, day(2, "09:00")); }, ErrorCode::kInvalidArgument,
               "new_request");
  r.new_request.clear();
  EXPECT_FALSE(record_follow_up(t, 1, r, desk, policy, day(2, "09:00")));
  EXPECT_FALSE(t.follow_ups[0].owed());
  EXPECT_EQ(t.follow_ups[0].outcome, FollowUpOutcome::kSatisfied);
  EXPECT_EQ(t.follow_ups[0].done_by, desk);
  expect_error([&] { record_follow_up(t, 1, r, desk, policy, day(2, "09:05")); }, ErrorCode::kFailedPrecondition,
               "already done");
  // Done: never overdue, whatever the clock.
  EXPECT_EQ(apologise_if_overdue(t, policy, day(9, "10:00")), 0U);
}

TEST(FollowUp, ANewRequestOpensALinkedFollowUpByTheAgreedReplyTime) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  owe_follow_ups(t, policy, day(1, "10:00"));
  FollowUpResult r;
  r.outcome = FollowUpOutcome::kNewRequest;
  r.new_request = "请帮忙看一下电表";
  expect_error([&] { record_follow_up(t, 1, r, "desk", policy, day(1, "15:00")); }, ErrorCode::kInvalidArgument,
               "reply_by");
  r.reply_by = day(3, "15:01");  // more than 48 h ahead
  expect_error([&] { record_follow_up(t, 1, r, "desk", policy, day(1, "15:00")); }, ErrorCode::kInvalidArgument,
               "reply_by");
  r.new_request.clear();
  r.reply_by = day(2, "15:00");
  expect_error([&] { record_follow_up(t, 1, r, "desk", policy, day(1, "15:00")); }, ErrorCode::kInvalidArgument,
               "new_request");
  EXPECT_EQ(t.follow_ups.size(), 1U);  // refused: nothing changed
  EXPECT_TRUE(t.follow_ups[0].owed());
  r.new_request = "请帮忙看一下电表";
  const auto opened = record_follow_up(t, 1, r, "desk", policy, day(1, "15:00"));
  ASSERT_TRUE(opened);
  ASSERT_EQ(t.follow_ups.size(), 2U);
  const FollowUp& f = t.follow_ups[1];
  EXPECT_EQ(f.n, *opened);
  EXPECT_EQ(f.reason, FollowUpReason::kNewRequest);
  EXPECT_EQ(f.parent, 1U);
  EXPECT_EQ(f.due, day(2, "15:00"));
  EXPECT_EQ(f.detail, "请帮忙看一下电表");
}

TEST(FollowUp, ADeskPromiseIsOwedByItsDueTime) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  expect_error([&] { add_promise(t, "", std::nullopt, "desk", policy, day(1, "11:00")); }, ErrorCode::kInvalidArgument,
               "promise");
  expect_error([&] { add_promise(t, "call back about the bill", day(1, "10:59"), "desk", policy, day(1, "11:00")); },
               ErrorCode::kInvalidArgument, "due");
  EXPECT_EQ(add_promise(t, "call back about the bill", std::nullopt, "desk", policy, day(1, "11:00")), 1U);
  EXPECT_EQ(add_promise(t, "call back about the bill", day(1, "17:00"), "desk", policy, day(1, "11:00")), 2U);
  EXPECT_EQ(t.follow_ups[0].due, day(3, "11:00"));
  EXPECT_EQ(t.follow_ups[1].due, day(1, "17:00"));
  EXPECT_EQ(t.follow_ups[1].reason, FollowUpReason::kPromise);
}

// Rules §7 / issue 19 item 8: a callback the desk promised within the hour
// and not made is escalated, and the call stays owed (made again).
TEST(FollowUp, ACallbackPromisedWithinTheHourAndNotMadeIsEscalatedAndStaysOwed) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  const std::uint32_t n =
      add_promise(t, "call back about the new meter", day(1, "15:00"), "desk", policy, day(1, "14:00"));
  EXPECT_EQ(apologise_if_overdue(t, policy, day(1, "15:00")), 0U);
  EXPECT_EQ(apologise_if_overdue(t, policy, day(1, "15:00") + seconds(1)), 1U);
  ASSERT_EQ(t.escalations.size(), 1U);
  EXPECT_EQ(t.escalations[0].kind, EscalationKind::kFollowUpOverdue);
  const FollowUp& f = t.follow_ups[n - 1];
  EXPECT_TRUE(f.owed());  // the call is still to be made
  EXPECT_GT(f.due, day(1, "15:00"));
  FollowUpResult r;
  r.outcome = FollowUpOutcome::kSatisfied;
  EXPECT_FALSE(record_follow_up(t, n, r, "desk", policy, day(1, "15:10")));
  EXPECT_FALSE(t.follow_ups[n - 1].owed());
}

TEST(FollowUp, FiguresCountInTimeOverdueAndSatisfaction) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  owe_follow_ups(t, policy, day(1, "10:00"));
  add_promise(t, "a", std::nullopt, "desk", policy, day(1, "11:00"));
  add_promise(t, "b", std::nullopt, "desk", policy, day(1, "11:00"));
  FollowUpResult ok;
  ok.outcome = FollowUpOutcome::kSatisfied;
  record_follow_up(t, 1, ok, "desk", policy, day(2, "09:00"));  // in time
  FollowUpResult no;
  no.outcome = FollowUpOutcome::kNotSatisfied;
  apologise_if_overdue(t, policy, day(3, "11:00") + seconds(1));  // 2 and 3 overdue
  record_follow_up(t, 2, no, "desk", policy, day(3, "15:00"));    // late
  FollowUpFigures fig;
  for (const FollowUp& f : t.follow_ups) fig.add(f, day(3, "16:00"));
  EXPECT_EQ(fig.opened, 3U);
  EXPECT_EQ(fig.done, 2U);
  EXPECT_EQ(fig.done_in_time, 1U);
  EXPECT_EQ(fig.fell_due, 3U);
  EXPECT_EQ(fig.overdue, 0U);  // 3's new reply time is 48 h after its apology
  EXPECT_EQ(fig.apologies, 2U);
  EXPECT_DOUBLE_EQ(fig.satisfaction_rate(), 0.5);
  EXPECT_NEAR(fig.in_time_rate(), 1.0 / 3, 1e-9);
}

TEST(FollowUp, TheScriptIsFilledFromTheTicketInTheCustomersLanguage) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  owe_follow_ups(t, policy, day(1, "10:00"));
  const FollowUpScriptInput in = follow_up_script_input(t, t.follow_ups[0], policy, "客服二班", "S1024");
  EXPECT_EQ(in.language, "zh-CN");
  EXPECT_EQ(in.reason, "restoration");
  EXPECT_EQ(in.detail, "树枝搭线");
  EXPECT_EQ(in.time, day(1, "10:00"));
  EXPECT_EQ(in.ticket, "T-000042");
  // The shipped script says the policy's follow-up time, not a number typed into it.
  ServicePolicy day_policy;
  day_policy.follow_up_due = hours(24);
  const FollowUpScript script =
      FollowUpScriptTemplates::load_file(testing::config_path("follow_up_script.json"))
          .render(follow_up_script_input(t, t.follow_ups[0], day_policy, "客服二班", "S1024"));
  bool said = false;
  for (const std::string& s : script.steps) said = said || s.find("24小时") != std::string::npos;
  EXPECT_TRUE(said);
  for (const std::string& s : script.steps) EXPECT_EQ(s.find("48"), std::string::npos) << s;
  expect_error([&] { follow_up_script_input(t, t.follow_ups[0], policy, std::string(101, 'x'), ""); },
               ErrorCode::kInvalidArgument, "team");
}

TEST(Complaint, RecordedSignedSeriousOnesEscalateAtOnceBadFieldsStoreNothing) {
  Ticket t = restored_at(day(1, "10:00"));
  ComplaintDraft d;
  d.name = "王女士";
  d.address = "城东路 1 号";
  d.phone = "13800138000";
  d.cause = ComplaintCause::kLateArrival;
  d.reason = "等了三个小时";
  d.severity = ComplaintSeverity::kSerious;
  for (const char* field : {"phone", "reason", "name", "address"}) {
    ComplaintDraft bad = d;
    if (std::string(field) == "phone") bad.phone.clear();
    if (std::string(field) == "reason") bad.reason.clear();
    if (std::string(field) == "name") bad.name.clear();
    if (std::string(field) == "address") bad.address.clear();
    expect_error([&] { record_complaint(t, bad, "desk 3", "CN", day(1, "12:00")); }, ErrorCode::kInvalidArgument,
                 field);
  }
  ComplaintDraft bad_phone = d;
  bad_phone.phone = "12345";
  expect_error([&] { record_complaint(t, bad_phone, "desk 3", "CN", day(1, "12:00")); }, ErrorCode::kInvalidArgument,
               "phone");
  EXPECT_TRUE(t.complaints.empty());
  EXPECT_TRUE(t.escalations.empty());
  const std::size_t timeline = t.timeline.size();
  EXPECT_EQ(record_complaint(t, d, "desk 3 (tok_1)", "CN", day(1, "12:00")), 1U);
  const Complaint& c = t.complaints[0];
  EXPECT_EQ(c.phone, "+8613800138000");
  EXPECT_EQ(c.recorded_by, "desk 3 (tok_1)");
  EXPECT_TRUE(c.open());
  ASSERT_EQ(t.escalations.size(), 1U);
  EXPECT_EQ(t.escalations[0].kind, EscalationKind::kSeriousComplaint);
  // The timeline names the complaint, never the phone number.
  for (std::size_t i = timeline; i < t.timeline.size(); ++i)
    EXPECT_EQ(t.timeline[i].detail.find("13800138000"), std::string::npos) << t.timeline[i].detail;
  d.severity = ComplaintSeverity::kOrdinary;
  EXPECT_EQ(record_complaint(t, d, "desk 3", "CN", day(1, "12:05")), 2U);
  EXPECT_EQ(t.escalations.size(), 1U);  // an ordinary one does not escalate
  // A second serious complaint reaches the supervisor too, though the first is not resolved yet.
  d.severity = ComplaintSeverity::kSerious;
  EXPECT_EQ(record_complaint(t, d, "desk 3", "CN", day(1, "12:10")), 3U);
  ASSERT_EQ(t.escalations.size(), 2U);
  EXPECT_EQ(t.escalations[1].kind, EscalationKind::kSeriousComplaint);
  EXPECT_NE(t.escalations[1].detail.find("/C3"), std::string::npos) << t.escalations[1].detail;
}

TEST(Complaint, ClosesOnlyWithTheCustomerSatisfied) {
  Ticket t = restored_at(day(1, "10:00"));
  ComplaintDraft d{
      "王女士", "城东路 1 号", "13800138000", ComplaintCause::kStaffConduct, "态度不好", ComplaintSeverity::kOrdinary};
  record_complaint(t, d, "desk", "CN", day(1, "12:00"));
  expect_error(
      [&] { close_complaint(t, 1, "已道歉并批评教育", CustomerAnswer::kNotSatisfied, "desk", day(1, "15:00")); },
      ErrorCode::kFailedPrecondition, "customer_answer");
  expect_error([&] { close_complaint(t, 1, "已道歉", CustomerAnswer::kNone, "desk", day(1, "15:00")); },
               ErrorCode::kFailedPrecondition, "customer_answer");
  EXPECT_TRUE(t.complaints[0].open());
  expect_error([&] { close_complaint(t, 1, "", CustomerAnswer::kSatisfied, "desk", day(1, "15:00")); },
               ErrorCode::kInvalidArgument, "outcome");
  expect_error([&] { close_complaint(t, 2, "x", CustomerAnswer::kSatisfied, "desk", day(1, "15:00")); },
               ErrorCode::kNotFound, "complaint_id");
  close_complaint(t, 1, "已道歉并批评教育", CustomerAnswer::kSatisfied, "desk 2", day(1, "16:00"));
  EXPECT_FALSE(t.complaints[0].open());
  EXPECT_EQ(t.complaints[0].closed_by, "desk 2");
  expect_error([&] { close_complaint(t, 1, "x", CustomerAnswer::kSatisfied, "desk", day(1, "17:00")); },
               ErrorCode::kFailedPrecondition, "already closed");
  ComplaintFigures fig;
  for (const Complaint& c : t.complaints) fig.add(c);
  EXPECT_EQ(fig.satisfied, 1U);
  EXPECT_EQ(fig.by_cause[static_cast<std::size_t>(ComplaintCause::kStaffConduct)], 1U);
  EXPECT_EQ(fig.mean_time_to_satisfaction(), hours(4));
}

TEST(Complaint, TheComplainantIsAcknowledgedOnceEach) {
  const ServicePolicy policy;
  Ticket t = restored_at(day(1, "10:00"));
  ComplaintDraft d{
      "李先生", "城东路 2 号", "13900139000", ComplaintCause::kNotInformed, "没人通知", ComplaintSeverity::kOrdinary};
  record_complaint(t, d, "desk", "CN", day(1, "12:00"));
  ToldState told;
  told.mark(NoticeKind::kArrived);  // the crew's part was told
  told.mark(NoticeKind::kRestored);
  auto notices = next_notices(customer_facts(t, std::nullopt), told, policy.notify);
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_EQ(notices[0].kind, NoticeKind::kComplaintReceived);
  EXPECT_EQ(notices[0].complaint, 1U);
  record_complaint(t, d, "desk", "CN", day(1, "12:10"));
  notices = next_notices(customer_facts(t, std::nullopt), told, policy.notify);
  ASSERT_EQ(notices.size(), 1U);
  EXPECT_EQ(notices[0].key, "complaint:2");
  EXPECT_TRUE(next_notices(customer_facts(t, std::nullopt), told, policy.notify).empty());
}

}  // namespace
}  // namespace linecrew
