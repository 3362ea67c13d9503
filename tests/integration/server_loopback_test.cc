// The real linecrew-server process over real gRPC on loopback, with a real
// SQLite file.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "linecrew/core/time.h"
#include "linecrew/v1/dispatch.grpc.pb.h"
#include "server_process.h"

namespace linecrew {
namespace {

using testing::ServerProcess;
using testing::TempDir;

std::string g_token;  // the admin token of the server under test

std::unique_ptr<grpc::ClientContext> ctx(const std::string& token = g_token) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
  return c;
}

v1::CreateTicketRequest request(const std::string& id, double lat, double lon) {
  v1::CreateTicketRequest r;
  r.set_client_request_id(id);
  r.mutable_customer()->set_name("李女士");
  r.mutable_customer()->set_phone("+8613800138000");
  r.mutable_location()->set_lat(lat);
  r.mutable_location()->set_lon(lon);
  r.set_address("1 Grid Road");
  r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
  // An hour ago, on a whole minute: within the server's report window
  // (policy report_max_age_days), and the same for every request of a test.
  static const std::int64_t reported =
      (std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) - 3600) / 60 * 60;
  r.mutable_first_contact_time()->set_seconds(reported);
  return r;
}

class ServerLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServerProcess>(testing::make_config(dir, dir.file("data")), dir.file("data"));
    ASSERT_TRUE(server->start()) << server->stderr_text();
    connect();
  }
  void connect() {
    g_token = server->admin_token();
    channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
    stub = v1::DispatchService::NewStub(channel);
  }

  TempDir dir{"loopback"};
  std::unique_ptr<ServerProcess> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::DispatchService::Stub> stub;
};

TEST_F(ServerLoopback, PassesTheGrpcHealthCheck) {
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status s = health->Check(ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(ServerLoopback, TicketsGetTheDeadlineOfTheirZone) {
  const struct {
    const char* id;
    double lat, lon;
    v1::ZoneClass zone;
    long limit_min;
  } cases[] = {{"u", 30.25, 120.15, v1::ZONE_CLASS_URBAN, 45},
               {"r", 30.05, 120.35, v1::ZONE_CLASS_RURAL, 90},
               {"m", 30.75, 119.55, v1::ZONE_CLASS_REMOTE, 120}};
  for (const auto& c : cases) {
    v1::CreateTicketResponse resp;
    const grpc::Status s = stub->CreateTicket(ctx().get(), request(c.id, c.lat, c.lon), &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(resp.created());
    EXPECT_EQ(resp.ticket().zone_class(), c.zone) << c.id;
    EXPECT_EQ(resp.ticket().deadline().seconds() - resp.ticket().first_contact_time().seconds(), c.limit_min * 60);
    EXPECT_EQ(resp.ticket().status(), v1::TICKET_STATUS_REPORTED);
    EXPECT_GE(resp.ticket().tracking_token().size(), 22u);  // 128 bits, base64url

    v1::GetTicketRequest get;
    get.set_ticket_id(resp.ticket().id());
    v1::GetTicketResponse got;
    ASSERT_TRUE(stub->GetTicket(ctx().get(), get, &got).ok());
    EXPECT_EQ(got.ticket().deadline().seconds(), resp.ticket().deadline().seconds());
    EXPECT_EQ(got.ticket().timeline_size(), 1);
  }
  v1::ListTicketsRequest list;
  list.add_zone_classes(v1::ZONE_CLASS_RURAL);
  v1::ListTicketsResponse listed;
  ASSERT_TRUE(stub->ListTickets(ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.tickets_size(), 1);
  EXPECT_EQ(listed.tickets(0).client_request_id(), "r");
}

TEST_F(ServerLoopback, CreateIsIdempotentOnTheRequestId) {
  v1::CreateTicketResponse first, again;
  ASSERT_TRUE(stub->CreateTicket(ctx().get(), request("same", 30.25, 120.15), &first).ok());
  ASSERT_TRUE(stub->CreateTicket(ctx().get(), request("same", 30.25, 120.15), &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.ticket().id(), first.ticket().id());
  v1::CreateTicketResponse clash;
  const grpc::Status s = stub->CreateTicket(ctx().get(), request("same", 30.26, 120.15), &clash);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(s.error_message().find("client_request_id"), std::string::npos) << s.error_message();
}

TEST_F(ServerLoopback, BadInputIsRejectedNamingTheFieldAndStoresNothing) {
  const auto expect_invalid = [&](v1::CreateTicketRequest r, const std::string& field) {
    v1::CreateTicketResponse resp;
    const grpc::Status s = stub->CreateTicket(ctx().get(), r, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_EQ(s.error_message().rfind(field, 0), 0u) << s.error_message();
  };
  expect_invalid(request("bad1", 91, 120), "location.lat");
  expect_invalid(request("bad2", 30, std::nan("")), "location.lon");
  auto no_phone = request("bad3", 30.25, 120.15);
  no_phone.mutable_customer()->clear_phone();
  expect_invalid(no_phone, "customer.phone");
  // Issue 19: phones are validated with libphonenumber, not just counted.
  int n = 0;
  for (const char* phone : {"1380013800", "+86 955 98", "+8612345678901", "138-0013-800O"}) {
    auto bad_phone = request("bad-phone-" + std::to_string(++n), 30.25, 120.15);
    bad_phone.mutable_customer()->set_phone(phone);
    expect_invalid(bad_phone, "customer.phone: '" + std::string(phone) + "'");
  }
  auto no_channel = request("bad4", 30.25, 120.15);
  no_channel.set_first_contact_channel(v1::CHANNEL_UNSPECIFIED);
  expect_invalid(no_channel, "first_contact_channel");

  v1::ListTicketsResponse listed;
  ASSERT_TRUE(stub->ListTickets(ctx().get(), v1::ListTicketsRequest(), &listed).ok());
  EXPECT_EQ(listed.tickets_size(), 0);

  v1::GetTicketRequest get;
  get.set_ticket_id("T-999999");
  v1::GetTicketResponse got;
  EXPECT_EQ(stub->GetTicket(ctx().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerLoopback, PhonesAreStoredInE164ReadInThePolicysRegion) {
  auto national = request("national", 30.25, 120.15);
  national.mutable_customer()->set_phone("138 0013 8000");  // the shipped policy's phone_region is CN
  auto abroad = request("abroad", 30.25, 120.15);
  abroad.mutable_customer()->set_phone("+1 (650) 253-0000");
  v1::CreateTicketResponse a, b;
  ASSERT_TRUE(stub->CreateTicket(ctx().get(), national, &a).ok());
  ASSERT_TRUE(stub->CreateTicket(ctx().get(), abroad, &b).ok());
  EXPECT_EQ(a.ticket().customer().phone(), "+8613800138000");
  EXPECT_EQ(b.ticket().customer().phone(), "+16502530000");
}

TEST_F(ServerLoopback, MetricsAreServedInPrometheusFormat) {
  v1::CreateTicketResponse resp;
  ASSERT_TRUE(stub->CreateTicket(ctx().get(), request("m1", 30.25, 120.15), &resp).ok());
  ASSERT_GT(server->metrics_port(), 0);
  httplib::Client http("127.0.0.1", server->metrics_port());
  const auto res = http.Get("/metrics");
  ASSERT_TRUE(res) << "no HTTP answer";
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find(R"(linecrew_open_tickets{zone="urban",status="reported"} 1)"), std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find(R"(linecrew_rpc_requests_total{method="DispatchService.CreateTicket",code="0"} 1)"),
            std::string::npos)
      << res->body;
  EXPECT_EQ(http.Get("/nothing-here")->status, 404);
}

TEST_F(ServerLoopback, OversizeMessagesAreRefusedAsResourceExhausted) {
  auto big = request("big", 30.25, 120.15);
  big.set_description(std::string(5 * 1024 * 1024, 'x'));  // above the 4 MiB default
  v1::CreateTicketResponse resp;
  EXPECT_EQ(stub->CreateTicket(ctx().get(), big, &resp).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  v1::ListTicketsResponse listed;
  ASSERT_TRUE(stub->ListTickets(ctx().get(), v1::ListTicketsRequest(), &listed).ok());
  EXPECT_EQ(listed.tickets_size(), 0);
}

TEST_F(ServerLoopback, AcknowledgedTicketsSurviveKill9) {
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    v1::CreateTicketResponse resp;
    ASSERT_TRUE(stub->CreateTicket(ctx().get(), request("k" + std::to_string(i), 30.25, 120.15), &resp).ok());
    ids.push_back(resp.ticket().id());
  }
  server->kill(SIGKILL);
  server->wait_exit();
  ASSERT_TRUE(server->start()) << server->stderr_text();
  EXPECT_NE(server->stderr_text().find("did not shut down cleanly"), std::string::npos) << server->stderr_text();
  connect();
  for (const auto& id : ids) {
    v1::GetTicketRequest get;
    get.set_ticket_id(id);
    v1::GetTicketResponse got;
    EXPECT_TRUE(stub->GetTicket(ctx().get(), get, &got).ok()) << id;
  }
}

TEST(ServerStart, MalformedZoneOrPolicyFileStopsTheServerNamingIt) {
  TempDir dir("badconfig");
  const std::string config = testing::make_config(dir, dir.file("data"));
  testing::write_file(dir.file("zones.geojson"), R"({"type":"FeatureCollection","features":[]})");
  ServerProcess bad_zones(config, dir.file("data"));
  EXPECT_FALSE(bad_zones.start());
  EXPECT_EQ(bad_zones.wait_exit(), 2);
  EXPECT_NE(bad_zones.stderr_text().find("zones.geojson: no zones"), std::string::npos) << bad_zones.stderr_text();

  testing::make_config(dir, dir.file("data"));  // restores good zones
  testing::write_file(dir.file("policy.json"), R"({"arrival_limit_minutes":{"urban":"soon"}})");
  ServerProcess bad_policy(config, dir.file("data"));
  EXPECT_FALSE(bad_policy.start());
  EXPECT_EQ(bad_policy.wait_exit(), 2);
  EXPECT_NE(bad_policy.stderr_text().find("policy.json: arrival_limit_minutes.urban"), std::string::npos)
      << bad_policy.stderr_text();
}

TEST(ServerStart, RefusesAPlainTextNonLoopbackListener) {
  TempDir dir("tls");
  const std::string config = testing::make_config(dir, dir.file("data"));
  testing::write_file(config, R"({"listen": "0.0.0.0:0", "data_dir": "data"})");
  ServerProcess server(config, dir.file("data"));
  EXPECT_FALSE(server.start());
  EXPECT_NE(server.stderr_text().find("not a loopback address"), std::string::npos) << server.stderr_text();
}

// A start that fails after the metrics listener started (here: the tracking
// page's port is taken) must end the process promptly. The metrics thread
// had not yet run when the failed start tore it down, and httplib's stop()
// does nothing to a server that has not started: the process hung.
TEST(ServerStart, AFailedStartAfterTheMetricsListenerExitsPromptly) {
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(taken, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  for (int round = 0; round < 8; ++round) {  // the old code hung in 2 of 5 starts: a race
    TempDir dir("taken-port");
    ServerProcess server(testing::make_config(dir, dir.file("data"),
                                              R"("tracking_listen": "127.0.0.1:)" + std::to_string(port) + R"(")"),
                         dir.file("data"));
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(server.start(std::chrono::seconds(20)));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << "round " << round;
    EXPECT_NE(server.wait_exit(), 0);
    EXPECT_NE(server.stderr_text().find("tracking_listen"), std::string::npos) << server.stderr_text();
  }
  ::close(taken);
}

}  // namespace
}  // namespace linecrew
