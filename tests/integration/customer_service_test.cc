// CustomerService over real gRPC on loopback, with a hand-built
// CustomerViews: no bearer token needed, the view's fields, NOT_FOUND
// "not found" for every bad token, WatchStatus following changes to the end,
// expiry mid-stream, shutdown, rate limits and heartbeats.
#include "linecrew/server/rpc/customer_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "fake_customer_views.h"

namespace linecrew::rpc {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::kGoodToken;
using testing::sample_view;

class CustomerRpc : public ::testing::Test {
 protected:
  void start(CustomerServiceOptions options = {}) {
    views.set(kGoodToken, sample_view());
    service = std::make_unique<CustomerService>(views, clock, options);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service.get());
    server = builder.BuildAndStart();
    ASSERT_TRUE(server);
    ASSERT_GT(port, 0);
    stub = v1::CustomerService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server) {
      service->stop_streams();
      server->Shutdown(std::chrono::system_clock::now() + 2s);
    }
  }
  grpc::Status get(const std::string& token, v1::GetStatusResponse* resp, const std::string& bearer = "") {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    if (!bearer.empty()) ctx.AddMetadata("authorization", "Bearer " + bearer);
    v1::GetStatusRequest req;
    req.set_tracking_token(token);
    return stub->GetStatus(&ctx, req, resp);
  }

  ManualClock clock{at("14:30")};
  testing::FakeCustomerViews views;
  std::unique_ptr<CustomerService> service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<v1::CustomerService::Stub> stub;
};

TEST_F(CustomerRpc, GetStatusWithoutBearerToken) {
  start();
  v1::GetStatusResponse resp;
  const grpc::Status s = get(kGoodToken, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::CustomerTicketView& v = resp.view();
  EXPECT_EQ(v.ticket_id(), "T-000123");
  EXPECT_EQ(v.status(), v1::TICKET_STATUS_EN_ROUTE);
  EXPECT_EQ(v.eta_window().earliest().seconds(), at("14:20").time_since_epoch().count());
  EXPECT_EQ(v.eta_window().latest().seconds(), at("14:50").time_since_epoch().count());
  EXPECT_EQ(v.crew_first_name(), "Wei");
  EXPECT_EQ(v.effective_deadline().seconds(), at("14:50").time_since_epoch().count());
  ASSERT_EQ(v.timeline_size(), 3);
  EXPECT_EQ(v.timeline(0).kind(), v1::TICKET_EVENT_KIND_REPORTED);
  EXPECT_EQ(v.timeline(2).kind(), v1::TICKET_EVENT_KIND_EN_ROUTE);
  EXPECT_EQ(v.timeline(2).time().seconds(), at("14:15").time_since_epoch().count());
  EXPECT_EQ(v.language(), "zh-CN");
  EXPECT_EQ(v.version(), 7u);
  EXPECT_EQ(v.server_time().seconds(), at("14:30").time_since_epoch().count());
  // A bearer token (even a bogus one) changes nothing: it is not looked at.
  EXPECT_TRUE(get(kGoodToken, &resp, "lc_never-issued").ok());
}

TEST_F(CustomerRpc, NoEtaWindowWhenNoneIsKnown) {
  start();
  app::CustomerView v = sample_view();
  v.eta_window.reset();
  views.set(kGoodToken, v);
  v1::GetStatusResponse resp;
  ASSERT_TRUE(get(kGoodToken, &resp).ok());
  EXPECT_FALSE(resp.view().has_eta_window());
}

TEST_F(CustomerRpc, EveryBadTokenIsNotFoundWithTheFixedMessage) {
  start();
  views.set("ExpiredGhIjKlMnOpQrStUv", std::nullopt);
  for (const std::string& token :
       {std::string("ZZZZEfGhIjKlMnOpQrStUv_-42"), std::string("ExpiredGhIjKlMnOpQrStUv"), std::string("short"),
        std::string(), std::string(65, 'a'), std::string("AbCdEfGhIjKlMnOpQrSt/+Uv")}) {
    v1::GetStatusResponse resp;
    const grpc::Status s = get(token, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << token;
    EXPECT_EQ(s.error_message(), "not found") << token;

    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::WatchStatusRequest req;
    req.set_tracking_token(token);
    auto reader = stub->WatchStatus(&ctx, req);
    v1::WatchStatusResponse r;
    EXPECT_FALSE(reader->Read(&r));
    const grpc::Status ws = reader->Finish();
    EXPECT_EQ(ws.error_code(), grpc::StatusCode::NOT_FOUND) << token;
    EXPECT_EQ(ws.error_message(), "not found") << token;
  }
}

TEST_F(CustomerRpc, WatchFollowsChangesAndEndsAfterCancelled) {
  start();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::WatchStatusRequest req;
  req.set_tracking_token(kGoodToken);
  auto reader = stub->WatchStatus(&ctx, req);
  v1::WatchStatusResponse r;
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_EQ(r.view().version(), 7u);  // the current view at once

  app::CustomerView v = sample_view();
  v.status = TicketStatus::kOnSite;
  v.eta_window.reset();
  v.timeline.push_back({at("14:40"), "arrived", ""});
  v.version = 8;
  const auto changed = std::chrono::steady_clock::now();
  views.set(kGoodToken, v);
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_LT(std::chrono::steady_clock::now() - changed, 2s);  // woken by the change signal, not a slow poll
  EXPECT_EQ(r.view().version(), 8u);
  EXPECT_EQ(r.view().status(), v1::TICKET_STATUS_ON_SITE);
  EXPECT_EQ(r.view().timeline(3).kind(), v1::TICKET_EVENT_KIND_ARRIVED);

  views.view_changes().notify();  // a signal without a change sends nothing
  v.status = TicketStatus::kCancelled;
  v.timeline.push_back({at("14:45"), "cancelled", ""});
  v.version = 9;
  views.set(kGoodToken, v);
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_EQ(r.view().version(), 9u);
  EXPECT_EQ(r.view().status(), v1::TICKET_STATUS_CANCELLED);
  EXPECT_FALSE(reader->Read(&r));
  const grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(CustomerRpc, WatchEndsNotFoundWhenTheTokenExpires) {
  start();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::WatchStatusRequest req;
  req.set_tracking_token(kGoodToken);
  auto reader = stub->WatchStatus(&ctx, req);
  v1::WatchStatusResponse r;
  ASSERT_TRUE(reader->Read(&r));
  views.set(kGoodToken, std::nullopt);
  EXPECT_FALSE(reader->Read(&r));
  const grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "not found");
}

TEST_F(CustomerRpc, WatchStopsOnShutdown) {
  start();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::WatchStatusRequest req;
  req.set_tracking_token(kGoodToken);
  auto reader = stub->WatchStatus(&ctx, req);
  v1::WatchStatusResponse r;
  ASSERT_TRUE(reader->Read(&r));
  const auto stopped = std::chrono::steady_clock::now();
  service->stop_streams();
  EXPECT_FALSE(reader->Read(&r));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 2s);
}

TEST_F(CustomerRpc, HeartbeatResendsAnUnchangedView) {
  CustomerServiceOptions options;
  options.poll = 50ms;
  options.heartbeat = 1s;
  start(options);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 20s);
  v1::WatchStatusRequest req;
  req.set_tracking_token(kGoodToken);
  auto reader = stub->WatchStatus(&ctx, req);
  v1::WatchStatusResponse r;
  ASSERT_TRUE(reader->Read(&r));
  const auto first = std::chrono::steady_clock::now();
  ASSERT_TRUE(reader->Read(&r));
  EXPECT_EQ(r.view().version(), 7u);
  EXPECT_GE(std::chrono::steady_clock::now() - first, 900ms);
  ctx.TryCancel();
  reader->Finish();
}

TEST_F(CustomerRpc, RateLimitedPerToken) {
  CustomerServiceOptions options;
  options.token_burst = 5;
  options.token_per_minute = 5;
  start(options);
  int ok = 0, exhausted = 0;
  for (int i = 0; i < 8; ++i) {
    v1::GetStatusResponse resp;
    const grpc::Status s = get(kGoodToken, &resp);
    if (s.ok()) ++ok;
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++exhausted;
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(exhausted, 3);
}

TEST_F(CustomerRpc, RateLimitedPerPeer) {
  CustomerServiceOptions options;
  options.peer_burst = 5;
  options.peer_per_minute = 5;
  start(options);
  int exhausted = 0;
  for (int i = 0; i < 8; ++i) {  // guessing tokens from one address
    v1::GetStatusResponse resp;
    if (get("Guess" + std::to_string(i) + "hIjKlMnOpQrStUvWx", &resp).error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED)
      ++exhausted;
  }
  EXPECT_EQ(exhausted, 3);
}

TEST_F(CustomerRpc, OpenWatchesAreCappedPerToken) {
  CustomerServiceOptions options;
  options.max_watchers_per_token = 1;
  start(options);
  grpc::ClientContext first;
  v1::WatchStatusRequest req;
  req.set_tracking_token(kGoodToken);
  auto open = stub->WatchStatus(&first, req);
  v1::WatchStatusResponse r;
  ASSERT_TRUE(open->Read(&r));
  grpc::ClientContext second;
  auto refused = stub->WatchStatus(&second, req);
  EXPECT_FALSE(refused->Read(&r));
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  first.TryCancel();
  open->Finish();
}

}  // namespace
}  // namespace linecrew::rpc
