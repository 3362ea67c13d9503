#include <gtest/gtest.h>

#include "linecrew/core/clock.h"
#include "linecrew/core/io.h"
#include "linecrew/core/notify.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

CustomerFacts travelling(TicketStatus status, TimePoint eta) {
  CustomerFacts f;
  f.status = status;
  f.assigned = true;
  f.eta = eta;
  return f;
}

std::vector<NoticeKind> kinds(const std::vector<Notice>& ns) {
  std::vector<NoticeKind> out;
  for (const auto& n : ns) out.push_back(n.kind);
  return out;
}

TEST(Notify, EtaWindowIsRoundedOutwardsToFiveMinutes) {
  const NotifyPolicy p;  // 10 before, 20 after
  const EtaWindow w = eta_window(at("14:33") + seconds(20), p, at("14:00"));
  EXPECT_EQ(w.from, at("14:20"));
  EXPECT_EQ(w.to, at("14:55"));
  EXPECT_EQ(eta_window(at("14:30"), p, at("14:00")), (EtaWindow{at("14:20"), at("14:50")}));
  // Never in the past, and at least 15 minutes long even for a stale estimate.
  EXPECT_EQ(eta_window(at("14:30"), p, at("14:27")), (EtaWindow{at("14:25"), at("14:50")}));
  EXPECT_EQ(eta_window(at("14:00"), p, at("14:12")), (EtaWindow{at("14:10"), at("14:25")}));
}

TEST(Notify, FirstEtaOnAssignmentThenNothingWhileTheEtaWobbles) {
  const NotifyPolicy p;
  ToldState told;
  auto ns = next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  ASSERT_EQ(kinds(ns), (std::vector{NoticeKind::kAcknowledged, NoticeKind::kAssigned}));
  EXPECT_EQ(ns[1].key, "assigned");
  EXPECT_EQ(ns[1].eta, at("14:30"));
  // A few minutes either way, repeatedly: nothing (measured against what was told, not the last estimate).
  for (const char* t : {"14:33", "14:27", "14:36", "14:24", "14:39"})
    EXPECT_TRUE(next_notices(travelling(TicketStatus::kAccepted, at(t)), told, p).empty()) << t;
  EXPECT_EQ(told.eta, at("14:30"));
}

TEST(Notify, ASlipBeyondTheThresholdSendsOneUpdate) {
  const NotifyPolicy p;
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  auto ns = next_notices(travelling(TicketStatus::kAssigned, at("15:00")), told, p);
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kEtaChanged});
  EXPECT_EQ(ns[0].key, "eta:1");
  EXPECT_TRUE(next_notices(travelling(TicketStatus::kAssigned, at("15:00")), told, p).empty());
  // An earlier arrival by the threshold is news too.
  ns = next_notices(travelling(TicketStatus::kAssigned, at("14:50")), told, p);
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kEtaChanged});
  EXPECT_EQ(ns[0].key, "eta:2");
}

TEST(Notify, TheSweepsPrefilterSkipsWobblesAndNeverAVisibleChange) {
  const NotifyPolicy p;
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  EXPECT_FALSE(eta_may_need_notice(TicketStatus::kAssigned, told, at("14:36"), p));
  EXPECT_TRUE(eta_may_need_notice(TicketStatus::kAssigned, told, at("14:40"), p));
  EXPECT_TRUE(eta_may_need_notice(TicketStatus::kEnRoute, told, at("14:31"), p));  // en route not told yet
  EXPECT_FALSE(eta_may_need_notice(TicketStatus::kOnSite, told, at("16:00"), p));
  EXPECT_TRUE(eta_may_need_notice(TicketStatus::kAssigned, ToldState{}, at("14:30"), p));  // first ETA
  // Randomised: whenever next_notices would send something for an ETA-only
  // change, the prefilter says so.
  const TicketStatus statuses[] = {TicketStatus::kAssigned, TicketStatus::kAccepted, TicketStatus::kEnRoute,
                                   TicketStatus::kOnSite, TicketStatus::kReported};
  std::uint64_t x = 88172645463325252ull;
  const auto next = [&](std::uint64_t n) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return static_cast<long>(x % n);
  };
  int sends = 0;
  for (int i = 0; i < 20000; ++i) {
    CustomerFacts f;
    f.status = statuses[next(5)];
    f.assigned = next(4) != 0;
    if (next(3)) f.eta = at("14:00") + minutes(next(120));
    if (next(4) == 0) f.agreed = at("14:00") + minutes(next(120));
    ToldState t;
    for (int k = static_cast<int>(next(4)); k > 0; --k) {  // a history: earlier evaluations
      CustomerFacts g = f;
      g.status = statuses[next(5)];
      if (g.eta) g.eta = *g.eta + minutes(next(41) - 20);
      next_notices(g, t, p);
    }
    ToldState after = t;
    next_notices(f, after, p);  // the evaluation the sweep remembers
    CustomerFacts moved = f;
    moved.eta = at("14:00") + minutes(next(180));
    ToldState again = after;
    const bool sends_now = !next_notices(moved, again, p).empty();
    sends += sends_now;
    if (sends_now) {
      EXPECT_TRUE(eta_may_need_notice(moved.status, after, *moved.eta, p)) << i;
    }
  }
  EXPECT_GT(sends, 100);  // the property was exercised
}

TEST(Notify, TheThresholdIsConfigurable) {
  NotifyPolicy p;
  p.eta_change_threshold = minutes(3);
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  EXPECT_EQ(kinds(next_notices(travelling(TicketStatus::kAssigned, at("14:33")), told, p)),
            std::vector{NoticeKind::kEtaChanged});
}

TEST(Notify, AWholeLifecycleSendsEachStageOnce) {
  const NotifyPolicy p;
  ToldState told;
  std::vector<NoticeKind> all;
  const auto step = [&](CustomerFacts f) {
    for (int i = 0; i < 2; ++i)  // evaluated twice: the second time adds nothing
      for (auto k : kinds(next_notices(f, told, p))) all.push_back(k);
  };
  step(travelling(TicketStatus::kAssigned, at("14:30")));
  step(travelling(TicketStatus::kAccepted, at("14:32")));
  step(travelling(TicketStatus::kEnRoute, at("14:31")));
  CustomerFacts on_site;
  on_site.status = TicketStatus::kOnSite;
  on_site.assigned = true;
  step(on_site);
  CustomerFacts restored = on_site;
  restored.status = TicketStatus::kRestored;
  restored.cause = "树枝压断低压线";
  step(restored);
  restored.status = TicketStatus::kClosed;
  step(restored);
  EXPECT_EQ(all, (std::vector{NoticeKind::kAcknowledged, NoticeKind::kAssigned, NoticeKind::kEnRoute,
                              NoticeKind::kArrived, NoticeKind::kRestored}));
}

TEST(Notify, StagesPassedWhileOfflineAreSkipped) {
  const NotifyPolicy p;
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  CustomerFacts f;
  f.status = TicketStatus::kRestored;
  f.assigned = true;
  EXPECT_EQ(kinds(next_notices(f, told, p)), (std::vector{NoticeKind::kArrived, NoticeKind::kRestored}));
}

TEST(Notify, AnAgreedTimeIsConfirmedAtOnceAndBecomesTheToldEta) {
  const NotifyPolicy p;
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  CustomerFacts f = travelling(TicketStatus::kEnRoute, at("15:02"));
  f.agreed = at("15:00");
  auto ns = next_notices(f, told, p);
  ASSERT_EQ(kinds(ns), (std::vector{NoticeKind::kNewTimeAgreed, NoticeKind::kEnRoute}));
  EXPECT_EQ(ns[0].agreed, at("15:00"));
  EXPECT_EQ(ns[0].key, "agreed:" + std::to_string(at("15:00").time_since_epoch().count()));
  EXPECT_TRUE(next_notices(f, told, p).empty());
  f.agreed = at("15:20");  // a second agreement, later
  EXPECT_EQ(kinds(next_notices(f, told, p)), std::vector{NoticeKind::kNewTimeAgreed});
  // Expected well before the agreed time: no news. Past it by the threshold: an update.
  f.eta = at("14:55");
  EXPECT_TRUE(next_notices(f, told, p).empty());
  f.eta = at("15:40");
  EXPECT_EQ(kinds(next_notices(f, told, p)), std::vector{NoticeKind::kEtaChanged});
}

TEST(Notify, ACancellationIsTheLastWord) {
  const NotifyPolicy p;
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  CustomerFacts f;
  f.status = TicketStatus::kCancelled;
  EXPECT_EQ(kinds(next_notices(f, told, p)), std::vector{NoticeKind::kCancelled});
  EXPECT_TRUE(next_notices(f, told, p).empty());
}

TEST(Notify, OnlyTheAcknowledgementBeforeACrewIsPlannedAndTheViewVersionMovesOnlyOnNews) {
  const NotifyPolicy p;
  ToldState told;
  CustomerFacts f;
  f.status = TicketStatus::kReported;
  EXPECT_EQ(kinds(next_notices(f, told, p)), std::vector{NoticeKind::kAcknowledged});
  EXPECT_EQ(told.view_version, 1u);
  EXPECT_TRUE(next_notices(f, told, p).empty());  // a storm backlog: nothing more until a crew is planned
  EXPECT_EQ(told.view_version, 1u);
  next_notices(travelling(TicketStatus::kAssigned, at("14:30")), told, p);
  EXPECT_EQ(told.view_version, 2u);
  next_notices(travelling(TicketStatus::kAssigned, at("14:31")), told, p);
  EXPECT_EQ(told.view_version, 2u);
}

CustomerFacts at_desk() {
  CustomerFacts f;
  f.status = TicketStatus::kReported;  // no crew: with the dispatch desk
  return f;
}

TEST(Notify, TheAcknowledgementComesFirstAndOnce) {
  const NotifyPolicy p;
  ManualClock clock(at("03:00"));
  ToldState told;
  auto ns = next_notices(at_desk(), told, p);  // stored, no crew planned yet (a storm backlog)
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kAcknowledged});
  EXPECT_EQ(ns[0].key, "acknowledged");
  EXPECT_FALSE(ns[0].eta);
  for (int i = 0; i < 3; ++i) {
    clock.advance(minutes(40));
    EXPECT_TRUE(next_notices(at_desk(), told, p).empty());
  }
  ns = next_notices(travelling(TicketStatus::kAssigned, clock.now() + minutes(35)), told, p);
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kAssigned});
  EXPECT_EQ(ns[0].key, "assigned");
  EXPECT_EQ(ns[0].eta, at("05:35"));
  // Planned before the notifier first saw it (in the same scan as its intake): still acknowledged first.
  ToldState fresh;
  EXPECT_EQ(kinds(next_notices(travelling(TicketStatus::kAssigned, clock.now() + minutes(35)), fresh, p)),
            (std::vector{NoticeKind::kAcknowledged, NoticeKind::kAssigned}));
}

TEST(Notify, ATicketFirstSeenPastItsStagesGetsNoStaleAcknowledgement) {
  const NotifyPolicy p;
  CustomerFacts f;
  f.assigned = true;
  f.status = TicketStatus::kOnSite;
  ToldState told;
  EXPECT_EQ(kinds(next_notices(f, told, p)), std::vector{NoticeKind::kArrived});
  f.status = TicketStatus::kRestored;
  told = {};
  EXPECT_EQ(kinds(next_notices(f, told, p)), (std::vector{NoticeKind::kArrived, NoticeKind::kRestored}));
  f.status = TicketStatus::kCancelled;
  told = {};
  EXPECT_EQ(kinds(next_notices(f, told, p)), std::vector{NoticeKind::kCancelled});
  // A customer told something before acknowledgements existed is not acknowledged late.
  told = {};
  told.mark(NoticeKind::kAssigned);
  told.eta = at("14:30");
  EXPECT_EQ(kinds(next_notices(travelling(TicketStatus::kEnRoute, at("14:31")), told, p)),
            std::vector{NoticeKind::kEnRoute});
}

TEST(Notify, AWithdrawnCrewIsToldOnceAndTheNextCrewAfresh) {
  const NotifyPolicy p;
  ManualClock clock(at("14:00"));
  ToldState told;
  next_notices(travelling(TicketStatus::kAssigned, clock.now() + minutes(40)), told, p);
  EXPECT_EQ(kinds(next_notices(travelling(TicketStatus::kEnRoute, clock.now() + minutes(38)), told, p)),
            std::vector{NoticeKind::kEnRoute});
  clock.advance(minutes(10));  // the crew goes off shift: the ticket is back with the desk
  auto ns = next_notices(at_desk(), told, p);
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kWithdrawn});
  EXPECT_EQ(ns[0].key, "withdrawn");
  EXPECT_FALSE(ns[0].eta);
  EXPECT_FALSE(told.eta);  // the tracking page shows no window now
  EXPECT_TRUE(next_notices(at_desk(), told, p).empty());
  clock.advance(minutes(20));  // a new crew is planned: a fresh first ETA, then its own "on the way"
  ns = next_notices(travelling(TicketStatus::kAssigned, clock.now() + minutes(50)), told, p);
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kAssigned});
  EXPECT_EQ(ns[0].key, "assigned:2");
  EXPECT_EQ(ns[0].eta, at("15:20"));
  EXPECT_TRUE(next_notices(travelling(TicketStatus::kAccepted, clock.now() + minutes(53)), told, p).empty());
  ns = next_notices(travelling(TicketStatus::kEnRoute, clock.now() + minutes(50)), told, p);
  ASSERT_EQ(kinds(ns), std::vector{NoticeKind::kEnRoute});
  EXPECT_EQ(ns[0].key, "en_route:2");
  // And again: every key stays unique on the ticket.
  EXPECT_EQ(next_notices(at_desk(), told, p).at(0).key, "withdrawn:2");
  EXPECT_EQ(next_notices(travelling(TicketStatus::kAssigned, at("15:40")), told, p).at(0).key, "assigned:3");
  EXPECT_EQ(told.withdrawals, 2u);
}

TEST(Notify, NoWithdrawalForACrewNeverToldACancellationOrADirectHandover) {
  const NotifyPolicy p;
  // Planned, but released before the plan had an ETA to tell: the customer never heard of the crew.
  ToldState told;
  CustomerFacts no_eta = travelling(TicketStatus::kAssigned, at("14:30"));
  no_eta.eta.reset();
  EXPECT_EQ(kinds(next_notices(no_eta, told, p)), std::vector{NoticeKind::kAcknowledged});
  EXPECT_TRUE(next_notices(at_desk(), told, p).empty());
  // Cancelled (the crew stops, with or without the owner cleared): only "cancelled".
  for (const bool owner_kept : {true, false}) {
    ToldState t;
    next_notices(travelling(TicketStatus::kAssigned, at("14:30")), t, p);
    CustomerFacts f;
    f.status = TicketStatus::kCancelled;
    f.assigned = owner_kept;
    EXPECT_EQ(kinds(next_notices(f, t, p)), std::vector{NoticeKind::kCancelled});
    EXPECT_TRUE(next_notices(f, t, p).empty());
  }
  // Another crew takes over directly: only its ETA can be news, as any ETA.
  ToldState h;
  next_notices(travelling(TicketStatus::kAccepted, at("14:30")), h, p);
  EXPECT_TRUE(next_notices(travelling(TicketStatus::kAssigned, at("14:34")), h, p).empty());
  EXPECT_EQ(kinds(next_notices(travelling(TicketStatus::kAssigned, at("15:00")), h, p)),
            std::vector{NoticeKind::kEtaChanged});
}

TEST(Notify, TheAcknowledgementAndAWithdrawalGoAtOnceAtNight) {
  ServicePolicy policy;
  policy.notify.max_per_hour = 2;
  ManualClock clock(at("03:00"));
  EXPECT_EQ(send_time(NoticeKind::kAcknowledged, clock.now(), {}, policy), at("03:00"));
  const std::vector<TimePoint> sent = {at("02:30"), at("02:50")};  // the cap is used up
  EXPECT_EQ(send_time(NoticeKind::kWithdrawn, clock.now(), sent, policy), at("03:00"));
  EXPECT_EQ(send_time(NoticeKind::kAssigned, clock.now(), sent, policy), at("03:30"));
  // The acknowledgement does not use up the cap; a withdrawal does.
  EXPECT_FALSE(counts_toward_cap(NoticeKind::kAcknowledged));
  EXPECT_TRUE(counts_toward_cap(NoticeKind::kWithdrawn));
  EXPECT_TRUE(is_urgent(NoticeKind::kAcknowledged));
  EXPECT_TRUE(is_urgent(NoticeKind::kWithdrawn));
}

TEST(Notify, EveryKindHasAName) {
  for (const NoticeKind k : {NoticeKind::kAssigned, NoticeKind::kEtaChanged, NoticeKind::kEnRoute, NoticeKind::kArrived,
                             NoticeKind::kRestored, NoticeKind::kReturnVisit, NoticeKind::kCancelled,
                             NoticeKind::kNewTimeAgreed, NoticeKind::kAcknowledged, NoticeKind::kWithdrawn})
    EXPECT_EQ(parse_notice_kind(to_string(k)), k) << to_string(k);
  EXPECT_EQ(to_string(NoticeKind::kAcknowledged), "acknowledged");
  EXPECT_EQ(to_string(NoticeKind::kWithdrawn), "withdrawn");
}

TEST(Notify, UrgentNoticesGoAtAnyHourNonUrgentOnesWaitForContactHours) {
  const ServicePolicy policy{};  // contact hours 08:00-20:00 local, break 12:00-14:00
  const TimePoint night = at("23:10");
  EXPECT_EQ(send_time(NoticeKind::kEtaChanged, night, {}, policy), night);
  EXPECT_EQ(send_time(NoticeKind::kArrived, night, {}, policy), night);
  EXPECT_EQ(send_time(NoticeKind::kRestored, night, {}, policy), at("08:00") + hours(24));
  EXPECT_EQ(send_time(NoticeKind::kReturnVisit, at("12:30"), {}, policy), at("14:00"));
  EXPECT_EQ(send_time(NoticeKind::kRestored, at("15:00"), {}, policy), at("15:00"));
}

TEST(Notify, AtMostNPerHourExceptAgreedTimesAndCancellations) {
  ServicePolicy policy;
  policy.notify.max_per_hour = 3;
  const std::vector<TimePoint> sent = {at("14:00"), at("14:10"), at("14:20")};
  EXPECT_EQ(send_time(NoticeKind::kEtaChanged, at("14:30"), sent, policy), at("15:00"));
  EXPECT_EQ(send_time(NoticeKind::kEtaChanged, at("15:05"), sent, policy), at("15:05"));
  EXPECT_EQ(send_time(NoticeKind::kNewTimeAgreed, at("14:30"), sent, policy), at("14:30"));
  EXPECT_EQ(send_time(NoticeKind::kCancelled, at("14:30"), sent, policy), at("14:30"));
}

TEST(Notify, FactsComeFromTheTicket) {
  Ticket t;
  t.status = TicketStatus::kEnRoute;
  t.owner = CrewId("C-01");
  t.contacts.push_back({at("14:20"), DelayReason::kTraffic, at("15:00"), Consent::kYes});
  t.contacts.push_back({at("14:50"), DelayReason::kTraffic, at("15:30"), Consent::kRefused});
  t.timeline.push_back({at("15:10"), "cause_found", "crew:C-01", "branch on the line"});
  t.timeline.push_back({at("15:20"), "cannot_fix", "crew:C-01", "return committed for 2026-11-23T02:00:00Z: parts"});
  const CustomerFacts f = customer_facts(t, at("14:40"));
  EXPECT_TRUE(f.assigned);
  EXPECT_EQ(f.agreed, at("15:00"));  // refused proposals are not agreements
  EXPECT_EQ(f.cause, "branch on the line");
  EXPECT_EQ(f.return_time, parse_utc("2026-11-23T02:00:00Z"));
  EXPECT_EQ(f.eta, at("14:40"));
}

TEST(NoticeTemplates, TheShippedTemplatesRenderInBothLanguages) {
  const auto t = NoticeTemplates::load_file(config_path("notify_templates.json"));
  const PlaceholderValues v = {
      {"company", "城南供电"}, {"ticket", "T-000007"}, {"customer", "李女士"},    {"crew", "伟"},
      {"eta_from", "14:20"},   {"eta_to", "14:50"},    {"link", "http://x/t/abc"}};
  const std::string zh = t.message(NoticeKind::kAssigned, "zh-CN", v);
  EXPECT_NE(zh.find("14:20-14:50"), std::string::npos) << zh;
  EXPECT_NE(zh.find("T-000007"), std::string::npos);
  const std::string en = t.message(NoticeKind::kAssigned, "en", v);
  EXPECT_NE(en.find("arriving 14:20-14:50"), std::string::npos) << en;
  for (const char* lang : {"zh-CN", "en"}) {
    const std::string ack = t.message(NoticeKind::kAcknowledged, lang, v);
    EXPECT_NE(ack.find("T-000007"), std::string::npos) << ack;  // the reference
    EXPECT_NE(ack.find("http://x/t/abc"), std::string::npos) << ack;
    const std::string withdrawn = t.message(NoticeKind::kWithdrawn, lang, v);
    EXPECT_NE(withdrawn.find("T-000007"), std::string::npos) << withdrawn;
    EXPECT_NE(withdrawn.find("http://x/t/abc"), std::string::npos) << withdrawn;
    EXPECT_EQ(withdrawn.find("伟"), std::string::npos) << withdrawn;  // no crew: it is not coming
  }
  EXPECT_NE(t.message(NoticeKind::kAcknowledged, "zh-CN", v).find("已受理"), std::string::npos);
  EXPECT_EQ(t.language("fr"), "zh-CN");  // unknown: the default
  EXPECT_EQ(t.status(TicketStatus::kEnRoute, "en"), "Crew on the way");
}

TEST(NoticeTemplates, MalformedTemplatesNameTheProblem) {
  expect_error([] { NoticeTemplates::from_json("{", "t.json"); }, ErrorCode::kInvalidArgument, "t.json");
  const std::string base = read_text_file(config_path("notify_templates.json"));
  std::string bad = base;
  bad.replace(bad.find("{eta_from}", bad.find("\"messages\"")), 10, "{eta_start}");
  expect_error([&] { NoticeTemplates::from_json(bad, "t.json"); }, ErrorCode::kInvalidArgument,
               "languages.zh-CN.messages.assigned: unknown placeholder {eta_start}");
  bad = base;
  bad.replace(bad.find("\"cancelled\": \"【"), 11, "\"cancelledX\"");
  expect_error([&] { NoticeTemplates::from_json(bad, "t.json"); }, ErrorCode::kInvalidArgument,
               "languages.zh-CN.messages.cancelled: missing");
  bad = base;
  bad.replace(bad.find("\"withdrawn\": \"[") + 1, 9, "gone_away");  // the English one
  expect_error([&] { NoticeTemplates::from_json(bad, "t.json"); }, ErrorCode::kInvalidArgument,
               "languages.en.messages.withdrawn: missing");
}

}  // namespace
}  // namespace linecrew
