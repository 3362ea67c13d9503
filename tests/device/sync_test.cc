// The handheld's sync agent against the real server process (simulation
// clock) over loopback gRPC; in the aarch64 build this runs under qemu-user
// against the native server.
#include <gtest/gtest.h>

#include "fault_proxy.h"
#include "linecrew/core/call_script.h"
#include "linecrew/device/app/actions.h"
#include "linecrew/device/app/watch.h"
#include "sync_support.h"

namespace linecrew {
namespace {

using testing::iso;

TimePoint t(const std::string& hhmm) {
  return parse_utc(iso(hhmm));
}

device::OutboxEntry act(testing::Handheld& h, const std::string& ticket, const std::string& action,
                        const std::string& text = "") {
  device::ActionInput in;
  in.action = action;
  in.ticket = TicketId(ticket);
  in.text = text;
  return device::record(h.store, h.device_id, in, h.clock.now());
}

void call(testing::Handheld& h, const std::string& ticket, Consent consent, const std::string& proposed) {
  device::ActionInput in;
  in.action = "contact_attempt";
  in.ticket = TicketId(ticket);
  in.reason = DelayReason::kTraffic;
  in.consent = consent;
  in.proposed = t(proposed);
  device::record(h.store, h.device_id, in, h.clock.now());
}

// Rules §2 worked case, end to end: reported 14:05, deadline 14:50, the crew
// 11 km away is slowed by traffic.
class DelayScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    token = server.add_crew("C-1", 30.35, 120.15);
    server.set_clock("14:05");
    ticket = server.create_ticket("hotline-1", "14:05").id();
    server.pin(ticket, "C-1");
    server.set_clock("14:06");
    handheld = std::make_unique<testing::Handheld>(server.dir().file("crew.db"), server.address(), token, "14:06");
    const auto r = handheld->agent->sync_once();
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(r.reset);
    const auto local = handheld->store.get(TicketId(ticket));
    ASSERT_TRUE(local.has_value());
    ASSERT_EQ(local->deadline, t("14:50"));
    handheld->at("14:08");
    act(*handheld, ticket, "accept");
    act(*handheld, ticket, "en_route");
  }

  testing::SimServer server{"sync-delay"};
  std::string token, ticket;
  std::unique_ptr<testing::Handheld> handheld;
  device::StraightLineTravel travel;
};

TEST_F(DelayScenario, PromptComesBeforeTheDeadlineAndAConsentedCallExcusesTheLateArrival) {
  auto& h = *handheld;
  h.at("14:10");
  const auto w = device::watch(h.store, h.clock.now(), travel, 2.0);  // traffic doubles the drive
  ASSERT_EQ(w.decisions.size(), 1u);
  EXPECT_EQ(w.decisions[0].state, DelayState::kPromptNow);
  ASSERT_EQ(w.new_prompts.size(), 1u);
  const auto& d = w.new_prompts[0];
  EXPECT_LT(h.clock.now(), d.effective_deadline);
  EXPECT_GT(d.predicted_arrival, t("14:50"));
  const auto templates = CallScriptTemplates::load_file(testing::config_path("call_script.json"));
  const auto script =
      device::prompt_script(h.store, *h.store.get(TicketId(ticket)), d, templates, DelayReason::kTraffic);
  const std::string text = script.text();
  EXPECT_NE(text.find("李女士"), std::string::npos) << text;
  EXPECT_NE(text.find(format_hhmm(d.proposed_time, hours(8))), std::string::npos) << text;
  EXPECT_NE(text.find("王伟"), std::string::npos) << text;  // the crew member, from Hello
  // One prompt per breach: a minute later it is not shown again.
  h.at("14:11");
  const auto again = device::watch(h.store, h.clock.now(), travel, 2.0);
  EXPECT_TRUE(again.new_prompts.empty());
  EXPECT_EQ(again.decisions[0].state, DelayState::kPrompted);

  h.at("14:12");
  const std::string agreed = format_hhmm(d.proposed_time, hours(8));
  call(h, ticket, Consent::kYes, agreed);
  EXPECT_EQ(h.store.get(TicketId(ticket))->effective_deadline, d.proposed_time);  // offline, at once
  server.set_clock("14:13");
  auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.applied, 3u);
  auto st = server.get(ticket);
  EXPECT_EQ(st.effective_deadline().seconds(), d.proposed_time.time_since_epoch().count());
  EXPECT_EQ(testing::count_kind(st, v1::TICKET_EVENT_KIND_DEADLINE_MOVED), 1);

  h.at("15:05");
  act(h, ticket, "arrived");
  server.set_clock("15:06");
  r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  st = server.get(ticket);
  EXPECT_EQ(st.status(), v1::TICKET_STATUS_ON_SITE);
  EXPECT_EQ(st.compliance().compliance(), v1::COMPLIANCE_LATE_EXCUSED) << st.compliance().reason();
}

TEST_F(DelayScenario, WithoutACallTheLateArrivalIsAViolation) {
  auto& h = *handheld;
  h.at("14:51");
  const auto w = device::watch(h.store, h.clock.now(), travel, 2.0);
  ASSERT_EQ(w.decisions.size(), 1u);
  EXPECT_EQ(w.decisions[0].state, DelayState::kTooLate);
  EXPECT_TRUE(w.new_prompts.empty());
  h.at("15:00");
  act(h, ticket, "arrived");
  server.set_clock("15:00");
  const auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  const auto st = server.get(ticket);
  EXPECT_EQ(st.compliance().compliance(), v1::COMPLIANCE_VIOLATION);
  EXPECT_EQ(st.compliance().late_by().seconds(), 600);
}

TEST(Sync, FiftyActionsOfflineThroughACutLinkArriveExactlyOnceAndInOrder) {
  testing::SimServer server("sync-offline");
  const std::string token = server.add_crew("C-1", 30.26, 120.16);
  std::vector<std::string> ids;
  for (int k = 0; k < 7; ++k) {
    server.set_clock("14:0" + std::to_string(k));
    ids.push_back(server.create_ticket("r" + std::to_string(k), "14:0" + std::to_string(k), 30.25 + 0.002 * k).id());
    server.pin(ids.back(), "C-1");
  }
  server.set_clock("14:10");
  const auto port = static_cast<std::uint16_t>(std::stoi(server.address().substr(server.address().rfind(':') + 1)));
  testing::FaultProxy proxy("127.0.0.1", port);
  testing::Handheld h(server.dir().file("crew.db"), proxy.address(), token, "14:10");
  auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(h.store.tickets().size(), 7u);
  const auto cursor_before = h.store.cursor();

  ASSERT_TRUE(proxy.set_mode(testing::Fault::down()));
  const std::vector<std::string> steps = {
      "accept", "en_route", "arrived", "cause_found", "restored", "explained_to_customer", "left_site"};
  int minute = 10 * 60 + 14 * 60;  // 14:10 in minutes of the day
  int failed_syncs = 0;
  for (const auto& id : ids)
    for (const auto& step : steps) {
      minute += 5;  // four hours of work in all
      char hhmm[8];
      std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", (minute / 60) % 24, minute % 60);
      h.at(hhmm);
      act(h, id, step, step == "cause_found" ? "fuse blown in the pole-top box" : "");
      if (step == "restored") failed_syncs += !h.agent->sync_once().ok;  // the link is down: nothing leaves
    }
  device::record_position(h.store, h.device_id, GeoPoint(30.26, 120.16), 8.0f, h.clock.now(), h.clock.now());
  EXPECT_EQ(failed_syncs, 7);
  ASSERT_EQ(h.store.outbox_size(), 50u);
  EXPECT_EQ(h.store.cursor(), cursor_before);

  server.set_clock("18:20");
  ASSERT_TRUE(proxy.set_mode(testing::Fault::up()));
  for (int attempt = 0; attempt < 120 && !(r = h.agent->sync_once()).ok; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // the channel reconnects
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.uploaded, 50u);
  EXPECT_EQ(r.applied, 50u);
  EXPECT_EQ(r.duplicate + r.rejected + r.superseded, 0u);
  EXPECT_EQ(h.store.outbox_size(), 0u);

  const std::vector<v1::TicketEventKind> order = {
      v1::TICKET_EVENT_KIND_ACCEPTED,    v1::TICKET_EVENT_KIND_EN_ROUTE, v1::TICKET_EVENT_KIND_ARRIVED,
      v1::TICKET_EVENT_KIND_CAUSE_FOUND, v1::TICKET_EVENT_KIND_RESTORED, v1::TICKET_EVENT_KIND_EXPLAINED_TO_CUSTOMER,
      v1::TICKET_EVENT_KIND_LEFT_SITE};
  for (const auto& id : ids) {
    const auto st = server.get(id);
    EXPECT_EQ(st.status(), v1::TICKET_STATUS_CLOSED) << id;
    std::vector<v1::TicketEventKind> seen;
    for (const auto& e : st.timeline())
      if (std::find(order.begin(), order.end(), e.kind()) != order.end()) seen.push_back(e.kind());
    EXPECT_EQ(seen, order) << id;  // each exactly once, in the crew's order
  }
  // Cursors are consistent: the device holds the server's, and a further sync has nothing new.
  const auto r2 = h.agent->sync_once();
  ASSERT_TRUE(r2.ok) << r2.error;
  EXPECT_EQ(r2.uploaded, 0u);
  EXPECT_EQ(r2.cursor, h.store.cursor());
  for (const auto& local : h.store.tickets()) EXPECT_EQ(local.status, TicketStatus::kClosed) << local.id.str();
  EXPECT_EQ(h.store.integrity_check(), "ok");
}

TEST(Sync, ACancellationReachesTheCrewAndSupersedesItsLaterActions) {
  testing::SimServer server("sync-cancel");
  const std::string token = server.add_crew("C-1", 30.26, 120.16);
  server.set_clock("14:05");
  const std::string id = server.create_ticket("r1", "14:05").id();
  server.pin(id, "C-1");
  testing::Handheld h(server.dir().file("crew.db"), server.address(), token, "14:06");
  ASSERT_TRUE(h.agent->sync_once().ok);
  server.set_clock("14:10");
  ASSERT_TRUE(server.cancel(id, "customer restored power herself").ok());
  h.at("14:11");
  act(h, id, "en_route");  // the crew has not heard yet
  server.set_clock("14:12");
  const auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.superseded, 1u);
  const auto local = h.store.get(TicketId(id));
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->removed, "cancelled");
  EXPECT_EQ(local->status, TicketStatus::kCancelled);
  bool told = false;
  for (const auto& n : h.store.notices()) told = told || n.text.find("cancelled") != std::string::npos;
  EXPECT_TRUE(told);
  testing::expect_error([&] { act(h, id, "arrived"); }, ErrorCode::kFailedPrecondition, "cancelled");
  EXPECT_EQ(server.get(id).status(), v1::TICKET_STATUS_CANCELLED);
}

// Issue 15: the server counted bytes where the contract says characters, so
// Chinese text over ~333 characters was refused. 900 characters (2,700 bytes)
// must go from the handheld to the server's timeline whole.
TEST(Sync, ANineHundredCharacterChineseNoteIsAcceptedAndStoredWhole) {
  testing::SimServer server("sync-chinese");
  const std::string token = server.add_crew("C-1", 30.26, 120.16);
  server.set_clock("14:05");
  const std::string id = server.create_ticket("r1", "14:05").id();
  server.pin(id, "C-1");
  testing::Handheld h(server.dir().file("crew.db"), server.address(), token, "14:06");
  ASSERT_TRUE(h.agent->sync_once().ok);
  std::string note;
  for (int i = 0; i < 900; ++i) note += "\u7535";  // 电
  ASSERT_EQ(note.size(), 2700u);
  h.at("14:20");
  for (const char* a : {"accept", "en_route", "arrived"}) act(h, id, a);
  act(h, id, "cause_found", note);
  server.set_clock("14:21");
  const auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.applied, 4u);
  bool stored = false;
  const v1::Ticket stored_ticket = server.get(id);
  for (const auto& e : stored_ticket.timeline())
    if (e.kind() == v1::TICKET_EVENT_KIND_CAUSE_FOUND) stored = e.detail() == note;
  EXPECT_TRUE(stored) << "the cause found was not stored whole";
}

TEST(Sync, AnotherCrewsTokenCannotActOnTheTicket) {
  testing::SimServer server("sync-other");
  const std::string t1 = server.add_crew("C-1", 30.26, 120.16);
  const std::string t2 = server.add_crew("C-2", 30.27, 120.17);
  server.set_clock("14:05");
  const std::string id = server.create_ticket("r1", "14:05").id();
  server.pin(id, "C-1");
  testing::Handheld h1(server.dir().file("c1.db"), server.address(), t1, "14:06", DeviceId("dev-1"));
  ASSERT_TRUE(h1.agent->sync_once().ok);
  testing::Handheld h2(server.dir().file("c2.db"), server.address(), t2, "14:06", DeviceId("dev-2"));
  ASSERT_TRUE(h2.agent->sync_once().ok);
  EXPECT_TRUE(h2.store.tickets().empty());  // C-2 sees none of C-1's tickets
  // C-2 forges an action on C-1's ticket: copy it in locally and upload.
  device::LocalTicket forged = *h1.store.get(TicketId(id));
  h2.store.upsert(forged);
  act(h2, id, "accept");
  const auto r = h2.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(server.get(id).status(), v1::TICKET_STATUS_ASSIGNED);
}

}  // namespace
}  // namespace linecrew
