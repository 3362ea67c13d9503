// The handheld's sync agent against the real server process (simulation
// clock) over loopback gRPC; in the aarch64 build this runs under qemu-user
// against the native server.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

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

// --- escalations: what the crew's uploads put in front of the desk ----------------

// The desk's queue for one ticket as a dispatcher sees it: DispatchService.ListEscalations
// with the admin token (default filter: open and acknowledged).
std::vector<v1::Escalation> desk_queue(const testing::SimServer& server, const std::string& ticket) {
  const auto stub =
      v1::DispatchService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::ListEscalationsRequest req;
  req.set_ticket_id(ticket);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ctx.AddMetadata("authorization", "Bearer " + server.admin_token());
  v1::ListEscalationsResponse resp;
  const grpc::Status s = stub->ListEscalations(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {resp.escalations().begin(), resp.escalations().end()};
}

int count_of(const std::vector<v1::Escalation>& queue, v1::EscalationKind kind) {
  return static_cast<int>(
      std::count_if(queue.begin(), queue.end(), [kind](const v1::Escalation& e) { return e.kind() == kind; }));
}

// Rules §2.4 / §7 end to end: a refused delay call recorded on the handheld
// (record_call, as the `call` command and the UI's call card record it)
// reaches the desk's queue as one escalation; a refused redial adds none.
TEST(SyncEscalations, ARefusedDelayCallFromTheHandheldIsOneEscalationInTheDesksQueue) {
  testing::SimServer server("sync-esc-refused");
  const std::string token = server.add_crew("C-1", 30.35, 120.15);
  server.set_clock("14:05");
  const std::string id = server.create_ticket("r1", "14:05").id();
  server.pin(id, "C-1");
  testing::Handheld h(server.dir().file("crew.db"), server.address(), token, "14:06");
  ASSERT_TRUE(h.agent->sync_once().ok);
  h.at("14:08");
  act(h, id, "accept");
  act(h, id, "en_route");
  h.at("14:40");
  device::CallOutcome refused;
  refused.ticket = TicketId(id);
  refused.outcome = "refused";
  refused.reason = DelayReason::kTraffic;
  refused.note = "customer wants the crew now";
  device::record_call(h.store, h.device_id, refused, h.clock.now());
  EXPECT_TRUE(desk_queue(server, id).empty());  // still on the handheld
  server.set_clock("14:41");
  auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.applied, 3u);

  auto queue = desk_queue(server, id);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].kind(), v1::ESCALATION_KIND_DELAY_CALL_REFUSED);
  EXPECT_EQ(queue[0].state(), v1::ESCALATION_STATE_OPEN);
  EXPECT_EQ(queue[0].ticket_id(), id);
  EXPECT_EQ(queue[0].id(), id + "/1");
  EXPECT_NE(queue[0].detail().find("refused"), std::string::npos) << queue[0].detail();

  // The crew redials and is refused again: logged, and the desk already has it.
  h.at("14:43");
  device::record_call(h.store, h.device_id, refused, h.clock.now());
  server.set_clock("14:44");
  r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.applied, 1u);
  queue = desk_queue(server, id);
  EXPECT_EQ(count_of(queue, v1::ESCALATION_KIND_DELAY_CALL_REFUSED), 1);
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(testing::count_kind(server.get(id), v1::TICKET_EVENT_KIND_CONTACT_ATTEMPT), 2);
}

// Issue 19 item 1 end to end: need_help recorded while the server is
// unreachable, then an upload the server applies but whose acknowledgement
// never reaches the handheld (the link slows past the call deadline), then the
// retry: the desk sees one CREW_NEEDS_HELP escalation, the timeline one request.
TEST(SyncEscalations, NeedHelpRecordedOfflineIsOneEscalationEvenWhenTheUploadIsRetried) {
  testing::SimServer server("sync-esc-help");
  const std::string token = server.add_crew("C-1", 30.26, 120.16);
  server.set_clock("14:05");
  const std::string id = server.create_ticket("r1", "14:05").id();
  server.pin(id, "C-1");
  const auto port = static_cast<std::uint16_t>(std::stoi(server.address().substr(server.address().rfind(':') + 1)));
  testing::FaultProxy proxy("127.0.0.1", port);
  testing::Handheld h(server.dir().file("crew.db"), proxy.address(), token, "14:06");
  // The handheld's agent on a channel the test can watch (connected or not).
  const auto channel = device::make_channel(proxy.address(), grpc::InsecureChannelCredentials());
  device::SyncOptions o;
  o.device_id = h.device_id;
  o.token = token;
  o.call_timeout = std::chrono::milliseconds(5000);
  h.agent = std::make_unique<device::SyncAgent>(h.store, h.clock, channel, o);
  auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  h.at("14:10");
  for (const char* a : {"accept", "en_route", "arrived"}) act(h, id, a);
  server.set_clock("14:11");
  ASSERT_TRUE((r = h.agent->sync_once()).ok) << r.error;

  // Offline: the crew asks for help; the handheld keeps it.
  ASSERT_TRUE(proxy.set_mode(testing::Fault::down()));
  h.at("14:30");
  const std::string text = "tree on the line: need a second crew and a bucket truck";
  act(h, id, "need_help", text);
  EXPECT_EQ(h.store.get(TicketId(id))->status, TicketStatus::kOnSite);  // a fact: no status change
  server.set_clock("14:31");
  EXPECT_FALSE(h.agent->sync_once().ok);
  ASSERT_EQ(h.store.outbox_size(), 1u);
  EXPECT_TRUE(desk_queue(server, id).empty());

  // Back online, but slow: the Upload reaches the server (3 s) and is applied;
  // its acknowledgement comes 3 s later, after the 5 s call deadline.
  ASSERT_TRUE(proxy.set_mode(testing::Fault::up()));
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30)));
  ASSERT_TRUE(proxy.set_mode(testing::Fault::delay(std::chrono::milliseconds(3000))));
  h.at("14:32");
  server.set_clock("14:32");
  r = h.agent->sync_once();
  EXPECT_FALSE(r.ok) << "the acknowledgement should have come too late";
  EXPECT_EQ(h.store.outbox_size(), 1u);  // not acknowledged: it stays queued
  bool applied = false;
  for (int i = 0; i < 80 && !applied; ++i) {
    applied = testing::count_kind(server.get(id), v1::TICKET_EVENT_KIND_NEED_HELP) == 1;
    if (!applied) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(applied) << "the server never applied the first upload";

  // The retry: the server recognises the op and applies nothing twice.
  ASSERT_TRUE(proxy.set_mode(testing::Fault::up()));
  h.at("14:33");
  server.set_clock("14:33");
  for (int attempt = 0; attempt < 120 && !(r = h.agent->sync_once()).ok; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.uploaded, 1u);
  EXPECT_EQ(r.duplicate, 1u);
  EXPECT_EQ(r.applied, 0u);
  EXPECT_EQ(h.store.outbox_size(), 0u);

  const auto queue = desk_queue(server, id);
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].kind(), v1::ESCALATION_KIND_CREW_NEEDS_HELP);
  EXPECT_EQ(queue[0].state(), v1::ESCALATION_STATE_OPEN);
  EXPECT_NE(queue[0].detail().find(text), std::string::npos) << queue[0].detail();
  EXPECT_NE(queue[0].detail().find("crew:C-1"), std::string::npos) << queue[0].detail();
  const v1::Ticket st = server.get(id);
  EXPECT_EQ(testing::count_kind(st, v1::TICKET_EVENT_KIND_NEED_HELP), 1);
  EXPECT_EQ(testing::count_kind(st, v1::TICKET_EVENT_KIND_ESCALATION_OPENED), 1);
  EXPECT_EQ(st.status(), v1::TICKET_STATUS_ON_SITE);
  // The handheld holds the server's ticket again, unchanged in status.
  EXPECT_EQ(h.store.get(TicketId(id))->status, TicketStatus::kOnSite);
}

// Issue 19 item 8, on the handheld: the crew assigned to a scheduled visit is
// prompted for its confirmation call 2-3 h before the agreed arrival and
// records the outcome offline; the server applies it as the desk's call
// (contact hours, consent rules) and a new time agreed moves the deadline.
TEST(SyncConfirmation, TheAssignedCrewConfirmsItsVisitFromTheHandheldInContactHoursOnly) {
  testing::SimServer server("sync-confirm", "12:00");
  const std::string token = server.add_crew("C-1", 30.26, 120.16);
  const std::string early = server.create_visit("v1", "12:00", "15:00").id();  // window 12:00-13:00
  const std::string late = server.create_visit("v2", "12:00", "17:30").id();   // window 14:30-15:30
  server.pin(early, "C-1");
  server.pin(late, "C-1");
  testing::Handheld h(server.dir().file("crew.db"), server.address(), token, "12:01");
  auto r = h.agent->sync_once();
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(h.store.get(TicketId(late))->appointment, t("17:30"));
  device::StraightLineTravel travel;

  // 12:30, the lunch break (rules §4): the prompt is up, and a call recorded
  // offline then is refused by the server with the reason; nothing changes.
  h.at("12:30");
  auto w = device::watch(h.store, h.clock.now(), travel);
  ASSERT_EQ(w.confirmations.size(), 1u);
  EXPECT_EQ(w.confirmations[0].ticket, TicketId(early));
  EXPECT_FALSE(w.confirmations[0].overdue);
  device::ActionInput in;
  in.action = "confirmation_call";
  in.ticket = TicketId(early);
  in.confirmation = ConfirmationOutcome::kConfirmed;
  device::record(h.store, h.device_id, in, h.clock.now());
  EXPECT_TRUE(h.store.get(TicketId(early))->confirmed);
  server.set_clock("12:31");
  ASSERT_TRUE((r = h.agent->sync_once()).ok) << r.error;
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(testing::count_kind(server.get(early), v1::TICKET_EVENT_KIND_CONFIRMATION_CALL), 0);
  EXPECT_FALSE(h.store.get(TicketId(early))->confirmed);  // the server's copy wins after the rejection

  // 14:40: the later visit's window is open; the customer asks for 18:00.
  h.at("14:40");
  server.set_clock("14:40");
  ASSERT_TRUE((r = h.agent->sync_once()).ok) << r.error;
  w = device::watch(h.store, h.clock.now(), travel);
  ASSERT_EQ(w.confirmations.size(), 2u);  // the early visit is still to confirm, overdue, until its 15:00
  EXPECT_EQ(w.confirmations[0].ticket, TicketId(early));
  EXPECT_TRUE(w.confirmations[0].overdue);
  EXPECT_EQ(w.confirmations[1].ticket, TicketId(late));
  EXPECT_FALSE(w.confirmations[1].overdue);
  in.ticket = TicketId(late);
  in.confirmation = ConfirmationOutcome::kNewTimeAgreed;
  in.new_time = t("18:00");
  device::record(h.store, h.device_id, in, h.clock.now());
  EXPECT_EQ(h.store.get(TicketId(late))->effective_deadline, t("18:00"));
  EXPECT_EQ(device::watch(h.store, h.clock.now(), travel).confirmations.size(), 1u);  // only the early one now
  testing::expect_error([&] { device::record(h.store, h.device_id, in, h.clock.now()); },
                        ErrorCode::kFailedPrecondition, "already confirmed");
  server.set_clock("14:41");
  ASSERT_TRUE((r = h.agent->sync_once()).ok) << r.error;
  EXPECT_EQ(r.applied, 1u);
  const v1::Ticket v = server.get(late);
  EXPECT_EQ(v.effective_deadline().seconds(), t("18:00").time_since_epoch().count());
  ASSERT_EQ(testing::count_kind(v, v1::TICKET_EVENT_KIND_CONFIRMATION_CALL), 1);
  for (const auto& e : v.timeline()) {
    if (e.kind() != v1::TICKET_EVENT_KIND_CONFIRMATION_CALL) continue;
    EXPECT_EQ(e.actor(), "crew:C-1");
  }
}

}  // namespace
}  // namespace linecrew
