// The tracking page in a real browser: headless Chromium (Debian's
// `chromium`) loads the page from a TrackingServer on loopback, runs its
// script (CSP and all), and the test reads the DOM after the script's 30 s
// refresh (virtual time) picked up a change; a screenshot at a phone's size
// is kept as a test artifact. No chromium installed is a failure: CI
// installs it (scripts/setup.sh).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "chromium.h"
#include "fake_customer_views.h"
#include "linecrew/server/http/tracking_http.h"

namespace linecrew::http {
namespace {

using namespace linecrew::app;  // the views and options the page serves

namespace fs = std::filesystem;
using testing::at;
using testing::BrowserRun;
using testing::kGoodToken;
using testing::sample_view;
using testing::text_of;

class TrackingBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(browser.path().empty()) << testing::Chromium::kMissing;
    server = std::make_unique<TrackingServer>("127.0.0.1:0", views, clock);
  }
  void TearDown() override { server.reset(); }

  BrowserRun chrome(const std::string& u, const std::string& args) { return browser.run(u, args); }
  std::string stderr_tail() { return browser.stderr_tail(); }
  std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(server->port()) + path; }

  testing::Chromium browser;
  ManualClock clock{at("14:30")};
  testing::FakeCustomerViews views;
  std::unique_ptr<TrackingServer> server;
};

TEST_F(TrackingBrowser, ShowsStatusAndEtaAndFollowsTheRefresh) {
  app::CustomerView before = sample_view();
  before.status = TicketStatus::kAssigned;
  before.version = 7;
  views.set(kGoodToken, before);
  // What the page's refresh will find: the crew set off, a later window.
  app::CustomerView after = sample_view();
  after.eta_window = EtaWindow{at("14:35"), at("15:05")};
  after.version = 8;
  views.then(kGoodToken, after);

  // 35 s of virtual time: the page's 30 s refresh runs (in well under a second).
  const BrowserRun run = chrome(url(std::string("/t/") + kGoodToken), "--virtual-time-budget=35000 --dump-dom");
  ASSERT_EQ(run.exit_code, 0) << stderr_tail();
  EXPECT_LT(run.seconds, 10.0);
  const std::string& dom = run.out;
  EXPECT_NE(dom.find("data-live=\"1\""), std::string::npos) << "the script did not run (CSP?)\n" << dom;
  EXPECT_NE(dom.find("data-version=\"8\""), std::string::npos) << dom;
  EXPECT_EQ(text_of(dom, "status"), "抢修人员正在赶来");
  EXPECT_EQ(text_of(dom, "eta"), "14:35–15:05");
  EXPECT_EQ(text_of(dom, "promised"), "14:50");
  EXPECT_EQ(text_of(dom, "crew"), "Wei");
  EXPECT_NE(dom.find("抢修人员已出发"), std::string::npos);  // the timeline rebuilt by the script
}

TEST_F(TrackingBrowser, EnglishOnRequest) {
  views.set(kGoodToken, sample_view());
  const BrowserRun run =
      chrome(url(std::string("/t/") + kGoodToken + "?lang=en"), "--virtual-time-budget=35000 --dump-dom");
  ASSERT_EQ(run.exit_code, 0) << stderr_tail();
  EXPECT_NE(run.out.find("lang=\"en\""), std::string::npos);
  EXPECT_EQ(text_of(run.out, "status"), "Crew on the way");
  EXPECT_EQ(text_of(run.out, "eta"), "14:20–14:50");
}

TEST_F(TrackingBrowser, ScreenshotAtPhoneSize) {
  views.set(kGoodToken, sample_view());
  const fs::path dir = fs::path(LINECREW_BINARY_DIR) / "test-artifacts";
  fs::create_directories(dir);
  const fs::path png = dir / "tracking.png";
  fs::remove(png);
  const BrowserRun run = chrome(url(std::string("/t/") + kGoodToken),
                                "--screenshot='" + png.string() + "' --window-size=412,915 --virtual-time-budget=2000");
  ASSERT_EQ(run.exit_code, 0) << stderr_tail();
  EXPECT_LT(run.seconds, 10.0);
  ASSERT_TRUE(fs::exists(png)) << stderr_tail();
  EXPECT_GT(fs::file_size(png), 5000u);
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

TEST_F(TrackingBrowser, AnInvalidTokenShowsTheNotFoundPage) {
  views.set(kGoodToken, sample_view());
  for (const std::string& path : {std::string("/t/not-a-token"), std::string("/t/ZZZZEfGhIjKlMnOpQrStUv_-42")}) {
    const BrowserRun run = chrome(url(path), "--dump-dom");
    ASSERT_EQ(run.exit_code, 0) << stderr_tail();
    EXPECT_NE(run.out.find("未找到该页面"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find("id=\"status\""), std::string::npos);
    EXPECT_EQ(run.out.find("T-000123"), std::string::npos);
  }
}

}  // namespace
}  // namespace linecrew::http
