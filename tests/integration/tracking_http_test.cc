// The tracking page server over real HTTP on loopback, with a hand-built
// CustomerViews: pages and JSON for a good token, the one 404 page for
// anything else, security headers, the per-address rate limit.
#include "linecrew/server/http/tracking_http.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "fake_customer_views.h"
#include "linecrew/server/http/tracking_page.h"

namespace linecrew::http {
namespace {

using namespace linecrew::app;  // the views and options the page serves

using testing::at;
using testing::kGoodToken;
using testing::sample_view;

class TrackingHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    views.set(kGoodToken, sample_view());
    server = std::make_unique<TrackingServer>("127.0.0.1:0", views, clock);
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(5, 0);
  }
  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    return client->Get(path, headers);
  }
  ManualClock clock{at("14:30")};
  testing::FakeCustomerViews views;
  std::unique_ptr<TrackingServer> server;
  std::unique_ptr<httplib::Client> client;
};

void expect_security_headers(const httplib::Response& r) {
  EXPECT_EQ(r.get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(r.get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.get_header_value("Content-Security-Policy"), tracking_csp());
}

TEST_F(TrackingHttp, PageForAGoodToken) {
  EXPECT_GT(server->port(), 0);
  const auto r = get(std::string("/t/") + kGoodToken);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  expect_security_headers(*r);
  EXPECT_NE(r->body.find("抢修人员正在赶来"), std::string::npos);
  EXPECT_NE(r->body.find("14:20–14:50"), std::string::npos);

  const auto en = get(std::string("/t/") + kGoodToken + "?lang=en");
  ASSERT_TRUE(en);
  EXPECT_EQ(en->status, 200);
  EXPECT_NE(en->body.find("Crew on the way"), std::string::npos);
}

TEST_F(TrackingHttp, JsonForTheRefresh) {
  const auto r = get(std::string("/t/") + kGoodToken + ".json?lang=en");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json; charset=utf-8");
  expect_security_headers(*r);
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["status_text"], "Crew on the way");
  EXPECT_EQ(j["server_time"], "2026-11-22T06:30:00Z");  // the server's clock
}

TEST_F(TrackingHttp, EverythingElseIsTheSameNotFoundPage) {
  const std::string unknown = "ZZZZEfGhIjKlMnOpQrStUv_-42";  // well-formed, never issued
  views.set("ExpiredGhIjKlMnOpQrStUv", std::nullopt);        // expired: the views say nothing
  for (const std::string& path :
       {"/t/" + unknown, "/t/" + unknown + ".json", std::string("/t/short"), std::string("/t/ExpiredGhIjKlMnOpQrStUv"),
        "/t/" + std::string(65, 'a'), std::string("/t/AbCdEfGhIjKlMnOpQrSt%2FUv"), std::string("/t/"), std::string("/"),
        std::string("/t/") + kGoodToken + "/x", std::string("/metrics"), std::string("/t/../t/") + kGoodToken + "x"}) {
    const auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->body, not_found_html()) << path;
    expect_security_headers(*r);
  }
  const auto post = client->Post(std::string("/t/") + kGoodToken, "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
  EXPECT_EQ(post->body, not_found_html());
}

TEST_F(TrackingHttp, HammeringGets429) {
  int ok = 0, limited = 0;
  for (int i = 0; i < 40; ++i) {
    const auto r = get(std::string("/t/") + kGoodToken);
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_EQ(r->get_header_value("Retry-After"), "60");
      expect_security_headers(*r);
    }
  }
  EXPECT_EQ(ok, 30);
  EXPECT_EQ(limited, 10);
  // X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
  const auto other = get(std::string("/t/") + kGoodToken, {{"X-Forwarded-For", "203.0.113.9"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 429);
}

TEST_F(TrackingHttp, BehindATrustedProxyEachClientHasItsOwnBucket) {
  TrackingOptions options;
  options.trusted_proxies = {"::ffff:127.0.0.1"};  // canonicalised: the loopback peer
  server = std::make_unique<TrackingServer>("127.0.0.1:0", views, clock, options);
  client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
  for (int i = 0; i < 40; ++i) {
    const auto r = get(std::string("/t/") + kGoodToken, {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << i;
  }
  int limited = 0;
  for (int i = 0; i < 31; ++i) {
    // The left part is the client's own: only the right-most hop counts.
    const auto r =
        get(std::string("/t/") + kGoodToken, {{"X-Forwarded-For", "198.51.100." + std::to_string(i) + ", 192.0.2.1"}});
    ASSERT_TRUE(r);
    if (r->status == 429) ++limited;
  }
  EXPECT_EQ(limited, 1);
  testing::expect_error(
      [&] {
        TrackingServer("127.0.0.1:0", views, clock, TrackingOptions{30, 30, {"proxy.lan"}});
      },
      ErrorCode::kInvalidArgument, "trusted_proxies");
}

TEST_F(TrackingHttp, AFailureLogsNoFullToken) {
  views.fail(true);
  ::testing::internal::CaptureStderr();
  const auto r = get(std::string("/t/") + kGoodToken);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(log.find(kGoodToken), std::string::npos) << log;
  EXPECT_NE(log.find("AbCd…"), std::string::npos) << log;
}

TEST(TrackingServerSetup, ListenAddress) {
  ManualClock clock{at("14:30")};
  testing::FakeCustomerViews views;
  testing::expect_error([&] { TrackingServer("127.0.0.1", views, clock); }, ErrorCode::kInvalidArgument,
                        "tracking_listen");
  testing::expect_error([&] { TrackingServer("127.0.0.1:http", views, clock); }, ErrorCode::kInvalidArgument,
                        "tracking_listen");
  TrackingServer first("127.0.0.1:0", views, clock);
  EXPECT_EQ(first.base_url(), "http://127.0.0.1:" + std::to_string(first.port()));
  testing::expect_error([&] { TrackingServer("127.0.0.1:" + std::to_string(first.port()), views, clock); },
                        ErrorCode::kUnavailable, "tracking_listen");
  ServerConfig off;
  EXPECT_EQ(start_tracking(off, views, clock), nullptr);
  ServerConfig on;
  on.tracking_listen = "127.0.0.1:0";
  const auto started = start_tracking(on, views, clock);
  ASSERT_NE(started, nullptr);
  EXPECT_GT(started->port(), 0);
}

}  // namespace
}  // namespace linecrew::http
