// Customer ETA updates through the real server process on simulated time,
// delivered to a real HTTP receiver (the "SMS gateway") started by the test:
// a whole ticket lifecycle, the acknowledgement at intake, a crew withdrawn
// and the next one told, ETA wobble vs slip, and a gateway outage with a
// server kill -9 in the middle.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "chromium.h"
#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "sim_server.h"
#include "sms_gateway.h"

namespace linecrew {
namespace {

using testing::iso;

constexpr const char* kSecret = "gateway-secret-0123456789";

using Gateway = testing::SmsGateway;

std::vector<std::string> events(const std::vector<Gateway::Post>& posts) {
  std::vector<std::string> out;
  for (const auto& p : posts) out.push_back(p.body["event"].get<std::string>());
  return out;
}

class Notify : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_file(secrets.file("webhook.key"), std::string(kSecret) + "\n");
    server = std::make_unique<testing::SimServer>(
        "notify", "14:00",
        "\"notify_webhook_url\": \"" + gateway.url() + "\", \"notify_webhook_secret_file\": \"" +
            secrets.file("webhook.key") + "\", \"notify_retry_max_ms\": 300, \"tracking_listen\": \"127.0.0.1:0\"");
    crew_token = server->add_crew("C-01", 30.26, 120.16);
  }

  // One crew action through CrewSyncService.Upload, as the handheld sends it.
  void act(const std::string& ticket, const std::function<void(v1::CrewAction&)>& fill, const std::string& hhmm) {
    const v1::ActionAck ack = server->upload(crew_token, parse_utc(iso(hhmm)).time_since_epoch().count(), "dev-1",
                                             ++ops, [&](v1::CrewAction& a) {
                                               a.set_ticket_id(ticket);
                                               a.set_staff_number("SC-01");
                                               fill(a);
                                             });
    ASSERT_EQ(ack.result(), v1::ACTION_RESULT_APPLIED) << ack.reason();
  }

  void move_crew(double lat, double lon, const std::string& hhmm) {
    act(
        "",
        [&](v1::CrewAction& a) {
          a.mutable_position()->mutable_point()->set_lat(lat);
          a.mutable_position()->mutable_point()->set_lon(lon);
          a.mutable_position()->set_accuracy_m(5);
          a.mutable_position()->mutable_fix_time()->set_seconds(parse_utc(iso(hhmm)).time_since_epoch().count());
        },
        hhmm);
  }

  // The dispatcher's SetCrewShift; going off shift hands the crew's unpinned tickets back to the desk.
  v1::SetCrewShiftResponse set_shift(const std::string& crew, bool on_shift) {
    const auto stub =
        v1::DispatchService::NewStub(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
    v1::SetCrewShiftRequest req;
    req.set_crew_id(crew);
    req.set_on_shift(on_shift);
    v1::SetCrewShiftResponse resp;
    const grpc::Status s = stub->SetCrewShift(server->ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // Long enough for the notifier to have seen a change and swept the ETAs.
  static void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(2500)); }

  Gateway gateway{kSecret};
  testing::TempDir secrets{"notify-secrets"};
  std::unique_ptr<testing::SimServer> server;
  std::string crew_token;
  int ops = 0;
};

TEST_F(Notify, AWholeLifecycleSendsOneSignedMessagePerStage) {
  const std::string id = server->create_ticket("r1", "14:00").id();
  auto posts = gateway.wait_for(2);
  // Planned within its intake, so in the notifier's same scan: the acknowledgement still goes first.
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned"}));
  const auto& ack = posts[0];
  EXPECT_TRUE(ack.signature_ok) << ack.signature;
  EXPECT_EQ(ack.message_id, id + "/acknowledged");
  EXPECT_EQ(ack.body["to"], "+8613800138000");
  const std::string ack_text = ack.body["text"];
  EXPECT_NE(ack_text.find(id), std::string::npos) << ack_text;  // the reference
  EXPECT_NE(ack_text.find(ack.body["tracking_url"].get<std::string>()), std::string::npos) << ack_text;
  EXPECT_FALSE(ack.body.contains("eta_window"));
  const auto& first = posts[1];
  EXPECT_TRUE(first.signature_ok) << first.signature;
  EXPECT_EQ(first.message_id, id + "/assigned");
  EXPECT_EQ(first.body["to"], "+8613800138000");
  EXPECT_EQ(first.body["ticket_id"], id);
  EXPECT_EQ(first.body["language"], "zh-CN");
  const std::string text = first.body["text"];
  EXPECT_NE(text.find(id), std::string::npos) << text;
  EXPECT_NE(text.find("伟"), std::string::npos) << text;  // the crew lead's first name
  // The window is in the text as local HH:MM-HH:MM and in the body as UTC.
  const TimePoint from = parse_utc(first.body["eta_window"]["from"].get<std::string>());
  const TimePoint to = parse_utc(first.body["eta_window"]["to"].get<std::string>());
  EXPECT_NE(text.find(format_hhmm(from, hours(8)) + "-" + format_hhmm(to, hours(8))), std::string::npos) << text;
  EXPECT_LT(from, to);
  // The dispatcher's ticket shows a window by the same rule: 5-minute aligned, around the ETA.
  const v1::Ticket desk = server->get(id);
  EXPECT_EQ(desk.eta_window().earliest().seconds() % 300, 0);
  EXPECT_EQ(desk.eta_window().latest().seconds() % 300, 0);
  EXPECT_LE(desk.eta_window().earliest().seconds(), desk.eta().seconds());
  EXPECT_GE(desk.eta_window().latest().seconds(), desk.eta().seconds());

  server->set_clock("14:05");
  act(
      id, [](v1::CrewAction& a) { a.mutable_accept(); }, "14:05");
  act(
      id, [](v1::CrewAction& a) { a.mutable_en_route(); }, "14:05");
  ASSERT_EQ(events(gateway.wait_for(3)), (std::vector<std::string>{"acknowledged", "assigned", "en_route"}));
  server->set_clock("14:12");
  act(
      id, [](v1::CrewAction& a) { a.mutable_arrived(); }, "14:12");
  ASSERT_EQ(gateway.wait_for(4).size(), 4u);
  server->set_clock("14:40");
  act(
      id, [](v1::CrewAction& a) { a.mutable_cause_found()->set_text("大风刮断低压线"); }, "14:40");
  act(
      id, [](v1::CrewAction& a) { a.mutable_restored(); }, "14:41");
  posts = gateway.wait_for(5);
  settle();  // nothing more may come
  posts = gateway.posts();
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned", "en_route", "arrived", "restored"}));
  EXPECT_NE(posts[4].body["text"].get<std::string>().find("大风刮断低压线"), std::string::npos)
      << posts[4].body["text"];
  std::set<std::string> ids;
  for (const auto& p : posts) {
    EXPECT_TRUE(p.signature_ok);
    ids.insert(p.message_id);
  }
  EXPECT_EQ(ids.size(), posts.size());  // no (ticket, event) twice
}

// Rules §7: the customer hears at intake, with the reference, even when no
// crew can be planned yet (here: the only crew is off shift), and hears
// nothing more until one is.
TEST_F(Notify, TheAcknowledgementComesAtIntakeBeforeAnyCrewIsPlanned) {
  set_shift("C-01", false);
  const std::string id = server->create_ticket("r1", "14:00").id();
  EXPECT_EQ(server->get(id).status(), v1::TICKET_STATUS_REPORTED);
  auto posts = gateway.wait_for(1);
  settle();  // nothing else while the ticket waits at the desk
  posts = gateway.posts();
  ASSERT_EQ(events(posts), std::vector<std::string>{"acknowledged"});
  EXPECT_EQ(posts[0].message_id, id + "/acknowledged");
  EXPECT_NE(posts[0].body["text"].get<std::string>().find(id), std::string::npos) << posts[0].body["text"];
  server->set_clock("14:10");
  set_shift("C-01", true);  // the planner gives it the crew: now the first window
  posts = gateway.wait_for(2);
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned"}));
  EXPECT_EQ(posts[1].message_id, id + "/assigned");
  EXPECT_TRUE(posts[1].body.contains("eta_window"));
}

// Rules §7: a customer whose crew is withdrawn is told so (the crew goes off
// shift: its unpinned tickets go back to the desk), and is told the next crew
// with a fresh first window. A cancelled ticket gets its own notice only.
TEST_F(Notify, AWithdrawnCrewIsToldAndTheNextCrewToo) {
  const std::string id = server->create_ticket("r1", "14:00").id();
  ASSERT_EQ(events(gateway.wait_for(2)), (std::vector<std::string>{"acknowledged", "assigned"}));
  server->set_clock("14:05");
  act(
      id, [](v1::CrewAction& a) { a.mutable_accept(); }, "14:05");
  const auto off = set_shift("C-01", false);
  ASSERT_EQ(off.released_ticket_ids_size(), 1);
  EXPECT_EQ(off.released_ticket_ids(0), id);
  EXPECT_EQ(server->get(id).status(), v1::TICKET_STATUS_REPORTED);
  auto posts = gateway.wait_for(3);
  settle();  // told once
  posts = gateway.posts();
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned", "withdrawn"}));
  const auto& withdrawn = posts[2];
  EXPECT_TRUE(withdrawn.signature_ok);
  EXPECT_EQ(withdrawn.message_id, id + "/withdrawn");
  EXPECT_FALSE(withdrawn.body.contains("eta_window"));
  const std::string text = withdrawn.body["text"];
  EXPECT_NE(text.find(id), std::string::npos) << text;
  EXPECT_EQ(text.find("伟"), std::string::npos) << text;  // the crew that is not coming is not named

  server->set_clock("14:20");
  set_shift("C-01", true);  // back on shift: planned again, so a fresh "assigned"
  posts = gateway.wait_for(4);
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned", "withdrawn", "assigned"}));
  EXPECT_EQ(posts[3].message_id, id + "/assigned:2");
  ASSERT_TRUE(posts[3].body.contains("eta_window"));
  EXPECT_GE(parse_utc(posts[3].body["eta_window"]["to"].get<std::string>()), parse_utc(iso("14:20")));

  // Cancelled while assigned: "cancelled", never "withdrawn".
  const std::string other = server->create_ticket("r2", "14:20", 30.251, 120.151).id();
  ASSERT_EQ(gateway.wait_for(6).size(), 6u);
  ASSERT_TRUE(server->cancel(other, "duplicate report").ok());
  gateway.wait_for(7);
  settle();
  std::vector<std::string> others;
  for (const auto& p : gateway.posts())
    if (p.body["ticket_id"] == other) others.push_back(p.body["event"]);
  EXPECT_EQ(others, (std::vector<std::string>{"acknowledged", "assigned", "cancelled"}));
  EXPECT_EQ(gateway.posts().size(), 7u);
}

// The link in the message opens the ticket's tracking page, served by the
// real server: headless Chromium reads the status and the window the message
// told; a screenshot at a phone's size is kept as a test artifact.
TEST_F(Notify, TheLinkInTheMessageShowsTheTrackingPageInABrowser) {
  testing::Chromium browser;
  ASSERT_FALSE(browser.path().empty()) << testing::Chromium::kMissing;
  const std::string id = server->create_ticket("r1", "14:00").id();
  server->set_clock("14:05");
  act(
      id, [](v1::CrewAction& a) { a.mutable_en_route(); }, "14:05");
  const auto posts = gateway.wait_for(3);
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned", "en_route"}));
  const std::string link = posts[2].body["tracking_url"];
  ASSERT_EQ(link.rfind("http://127.0.0.1:" + std::to_string(server->process().tracking_port()) + "/t/", 0), 0u) << link;
  const auto run = browser.run(link, "--virtual-time-budget=3000 --dump-dom");
  ASSERT_EQ(run.exit_code, 0) << browser.stderr_tail();
  const std::string& dom = run.out;
  EXPECT_EQ(testing::text_of(dom, "status"), "抢修人员正在赶来") << dom;
  const TimePoint from = parse_utc(posts[2].body["eta_window"]["from"].get<std::string>());
  const TimePoint to = parse_utc(posts[2].body["eta_window"]["to"].get<std::string>());
  EXPECT_EQ(testing::text_of(dom, "eta"), format_hhmm(from, hours(8)) + "–" + format_hhmm(to, hours(8)));
  EXPECT_EQ(testing::text_of(dom, "crew"), "伟");
  EXPECT_EQ(testing::text_of(dom, "ticket"), id);
  EXPECT_EQ(dom.find("13800138000"), std::string::npos);  // no phone numbers on the page

  const std::string png = std::string(LINECREW_BINARY_DIR) + "/test-artifacts/tracking-live.png";
  std::filesystem::create_directories(std::string(LINECREW_BINARY_DIR) + "/test-artifacts");
  std::filesystem::remove(png);
  const auto shot = browser.run(link, "--screenshot='" + png + "' --window-size=412,915 --virtual-time-budget=2000");
  ASSERT_EQ(shot.exit_code, 0) << browser.stderr_tail();
  EXPECT_GT(std::filesystem::file_size(png), 5000u);

  std::string wrong = link;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';  // one character off
  const auto nf = browser.run(wrong, "--dump-dom");
  EXPECT_NE(nf.out.find("未找到该页面"), std::string::npos) << nf.out;
  EXPECT_EQ(nf.out.find(id), std::string::npos);
}

TEST_F(Notify, AnEtaThatWobblesSendsNothingAThirtyMinuteSlipSendsOne) {
  const std::string id = server->create_ticket("r1", "14:00").id();
  ASSERT_EQ(gateway.wait_for(2).size(), 2u);
  const TimePoint eta0 = TimePoint(Duration(server->get(id).eta().seconds()));
  // The crew edges about: a few minutes of ETA either way.
  move_crew(30.265, 120.165, "14:01");
  settle();
  move_crew(30.255, 120.155, "14:02");
  settle();
  const TimePoint eta1 = TimePoint(Duration(server->get(id).eta().seconds()));
  EXPECT_NE(eta1, eta0);  // the ETA did move…
  EXPECT_LT(std::chrono::abs(eta1 - eta0), minutes(10));
  EXPECT_EQ(gateway.posts().size(), 2u);  // …but by too little to tell the customer
  // Sent far off (about 16 km): half an hour more.
  move_crew(30.40, 120.16, "14:03");
  const auto posts = gateway.wait_for(3);
  settle();
  const TimePoint eta2 = TimePoint(Duration(server->get(id).eta().seconds()));
  EXPECT_GE(eta2 - eta0, minutes(25));
  ASSERT_EQ(events(gateway.posts()), (std::vector<std::string>{"acknowledged", "assigned", "eta_changed"}));
  EXPECT_EQ(posts[2].message_id, id + "/eta:1");
}

TEST_F(Notify, AGatewayOutageAndAServerKillLoseNothingAndSendNothingTwice) {
  gateway.set_down(true);
  const std::string id = server->create_ticket("r1", "14:00").id();
  for (int i = 0; i < 200 && gateway.attempts() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_GE(gateway.attempts(), 2) << "the notifier retries while the gateway is down";
  act(
      id, [](v1::CrewAction& a) { a.mutable_en_route(); }, "14:02");
  settle();
  // kill -9 mid-outage, start again on the same data.
  server->process().kill(SIGKILL);
  server->process().wait_exit();
  ASSERT_TRUE(server->process().start()) << server->process().stderr_text();
  server->set_clock("14:05");
  settle();
  EXPECT_TRUE(gateway.posts().empty());
  gateway.set_down(false);
  gateway.wait_for(3);
  settle();
  const auto posts = gateway.posts();
  ASSERT_EQ(events(posts), (std::vector<std::string>{"acknowledged", "assigned", "en_route"}));
  EXPECT_EQ(posts[0].message_id, id + "/acknowledged");
  EXPECT_EQ(posts[1].message_id, id + "/assigned");
  for (const auto& p : posts) EXPECT_TRUE(p.signature_ok);
}

}  // namespace
}  // namespace linecrew
