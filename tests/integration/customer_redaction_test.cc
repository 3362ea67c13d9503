// Issue 17, finding 2, against the real server process: a crew uploads a
// cause with phone numbers in spaced, dashed and "tel:" forms, a staff number
// and a member's full name; CustomerService.GetStatus and the tracking page
// show the cause without any of them.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "linecrew/v1/customer.grpc.pb.h"
#include "sim_server.h"

namespace linecrew {
namespace {

using testing::iso;

// The crew's text: its member 王伟 (first name 伟) has staff number SC-01 (SimServer::add_crew).
constexpr const char* kCause = "王伟(工号 sc-01)查明:3 号杆熔断器烧毁,有事打 138 0013 8000 或 tel:+86-571-8888-7777";
constexpr const char* kShown = "…(工号 …)查明:3 号杆熔断器烧毁,有事打 … 或 …";

class CustomerRedaction : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<testing::SimServer>("redaction", "14:00", "\"tracking_listen\": \"127.0.0.1:0\"");
    crew_token = server->add_crew("C-01", 30.26, 120.16);
    customer = v1::CustomerService::NewStub(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
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

  std::unique_ptr<testing::SimServer> server;
  std::string crew_token;
  std::unique_ptr<v1::CustomerService::Stub> customer;
  int ops = 0;
};

TEST_F(CustomerRedaction, GetStatusAndTheTrackingPageShowTheCauseWithoutNumbersOrNames) {
  const v1::Ticket created = server->create_ticket("r1", "14:00");
  const std::string id = created.id();
  const std::string token = created.tracking_token();
  ASSERT_FALSE(token.empty());
  server->pin(id, "C-01");
  server->set_clock("14:05");
  act(
      id, [](v1::CrewAction& a) { a.mutable_accept(); }, "14:05");
  act(
      id, [](v1::CrewAction& a) { a.mutable_en_route(); }, "14:05");
  server->set_clock("14:12");
  act(
      id, [](v1::CrewAction& a) { a.mutable_arrived(); }, "14:12");
  server->set_clock("14:40");
  act(
      id, [](v1::CrewAction& a) { a.mutable_cause_found()->set_text(kCause); }, "14:40");
  // The desk sees what the crew wrote.
  bool stored = false;
  const v1::Ticket desk = server->get(id);
  for (const auto& e : desk.timeline())
    stored = stored || (e.kind() == v1::TICKET_EVENT_KIND_CAUSE_FOUND && e.detail().find(kCause) != std::string::npos);
  EXPECT_TRUE(stored);

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetStatusRequest req;
  req.set_tracking_token(token);
  v1::GetStatusResponse resp;
  const grpc::Status s = customer->GetStatus(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string cause, messages;
  for (const auto& e : resp.view().timeline()) {
    if (e.kind() == v1::TICKET_EVENT_KIND_CAUSE_FOUND) cause = e.message();
    messages += e.message() + "\n";
  }
  EXPECT_EQ(cause, std::string("已查明原因:") + kShown);
  for (const std::string leak : {"138", "0013", "8000", "571", "8888", "7777", "sc-01", "SC-01", "王伟"})
    EXPECT_EQ(messages.find(leak), std::string::npos) << leak << " in " << messages;
  EXPECT_EQ(resp.view().crew_first_name(), "伟");

  httplib::Client page("127.0.0.1", server->process().tracking_port());
  for (const std::string& path : {"/t/" + token, "/t/" + token + ".json"}) {
    const auto r = page.Get(path);
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path;
    EXPECT_NE(r->body.find("3 号杆熔断器烧毁"), std::string::npos) << r->body;
    for (const std::string leak : {"138 0013 8000", "8888-7777", "0013", "王伟", "sc-01", "SC-01"})
      EXPECT_EQ(r->body.find(leak), std::string::npos) << leak << " in " << path << ": " << r->body;
  }
}

}  // namespace
}  // namespace linecrew
