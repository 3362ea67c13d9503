// The customer tracking page as pure functions: texts in the right language,
// local times, escaping of customer-controlled text, the not-found page, the
// JSON for the refresh, and a CSP that admits exactly the page's own script.
#include "linecrew/server/http/tracking_page.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "fake_customer_views.h"
#include "test_support.h"

namespace linecrew::http {
namespace {

using namespace linecrew::app;  // the views and options the page serves

using testing::at;
using testing::sample_view;

// The text inside the element with `id` (up to its first child tag).
std::string text_of(const std::string& html, const std::string& id) {
  const auto at_id = html.find("id=\"" + id + "\"");
  if (at_id == std::string::npos) return "<no #" + id + ">";
  const auto open = html.find('>', at_id);
  return html.substr(open + 1, html.find('<', open) - open - 1);
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The text between the first `<tag>` and `</tag>`.
std::string inline_block(const std::string& html, const std::string& tag) {
  const auto open = html.find("<" + tag + ">");
  if (open == std::string::npos) return {};
  const auto start = open + tag.size() + 2;
  return html.substr(start, html.find("</" + tag + ">", start) - start);
}

std::string sha256_b64(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  unsigned char b64[128];
  const int len = EVP_EncodeBlock(b64, md, static_cast<int>(n));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(len));
}

class TrackingPage : public ::testing::Test {
 protected:
  testing::FakeCustomerViews views;
  const NoticeTemplates& templates = views.templates();
  ServicePolicy policy;
  TimePoint now = at("14:30");
};

TEST_F(TrackingPage, ShowsStatusEtaPromiseCrewAndTimelineInChinese) {
  const std::string html = tracking_html(sample_view(), templates, policy, now);
  EXPECT_TRUE(has(html, "<html lang=\"zh-CN\""));
  EXPECT_TRUE(has(html, "name=\"viewport\""));
  EXPECT_EQ(text_of(html, "title"), "停电抢修进度");
  EXPECT_EQ(text_of(html, "ticket"), "T-000123");
  EXPECT_EQ(text_of(html, "status"), "抢修人员正在赶来");
  EXPECT_EQ(text_of(html, "eta"), "14:20–14:50");  // local time (UTC+8), not UTC
  EXPECT_EQ(text_of(html, "promised"), "14:50");
  EXPECT_EQ(text_of(html, "crew"), "Wei");
  EXPECT_EQ(text_of(html, "updated"), "14:30");
  EXPECT_TRUE(has(html, "<time>14:05</time><span class=\"ev\">已受理报修</span>"));
  EXPECT_TRUE(has(html, "<time>14:15</time><span class=\"ev\">抢修人员已出发</span>"));
  EXPECT_TRUE(has(html, "data-version=\"7\""));
  EXPECT_FALSE(has(html, "id=\"eta-row\" hidden"));
  // Self-contained: no external resources.
  EXPECT_FALSE(has(html, "http://"));
  EXPECT_FALSE(has(html, "https://"));
  EXPECT_FALSE(has(html, " src="));
  // Refreshes itself: the script, and a fallback without script.
  EXPECT_TRUE(has(html, "<script>"));
  EXPECT_TRUE(has(html, "<noscript><meta http-equiv=\"refresh\" content=\"30\"></noscript>"));
}

TEST_F(TrackingPage, EnglishFromTheViewOrFromTheQuery) {
  for (const std::string& html : {tracking_html(sample_view("en"), templates, policy, now),
                                  tracking_html(sample_view("zh-CN"), templates, policy, now, "en")}) {
    EXPECT_TRUE(has(html, "<html lang=\"en\""));
    EXPECT_EQ(text_of(html, "status"), "Crew on the way");
    EXPECT_EQ(text_of(html, "eta"), "14:20–14:50");
    EXPECT_TRUE(has(html, "<span class=\"ev\">Report received</span>"));
  }
  // An unknown language is ignored: the view's.
  EXPECT_EQ(text_of(tracking_html(sample_view("en"), templates, policy, now, "fr"), "status"), "Crew on the way");
}

TEST_F(TrackingPage, MessagesKeepTheirLanguageWhenTheQueryOverridesIt) {
  CustomerView v = sample_view("zh-CN");
  v.timeline.push_back({at("14:25"), "cause_found", "已查明原因:表箱总开关跳闸"});
  const std::string html = tracking_html(v, templates, policy, now, "en");
  EXPECT_TRUE(has(html, "<span class=\"msg\" lang=\"zh-CN\">已查明原因:表箱总开关跳闸</span>"));
  EXPECT_TRUE(has(tracking_html(v, templates, policy, now), "<span class=\"msg\">已查明原因:表箱总开关跳闸</span>"));
}

TEST_F(TrackingPage, EscapesCustomerControlledText) {
  CustomerView v = sample_view();
  v.crew_first_name = "<script>alert(1)</script>";
  v.timeline.push_back({at("14:25"), "cause_found", "Cause found: \"<img src=x onerror=alert(2)>\" & 'more'"});
  const std::string html = tracking_html(v, templates, policy, now);
  EXPECT_FALSE(has(html, "<script>alert"));
  EXPECT_FALSE(has(html, "<img"));
  EXPECT_EQ(text_of(html, "crew"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_TRUE(has(html, "Cause found: &quot;&lt;img src=x onerror=alert(2)&gt;&quot; &amp; &#39;more&#39;"));
  EXPECT_EQ(html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST_F(TrackingPage, HidesWhatIsNotKnown) {
  CustomerView v = sample_view();
  v.status = TicketStatus::kReported;
  v.eta_window.reset();
  v.crew_first_name.clear();
  const std::string html = tracking_html(v, templates, policy, now);
  EXPECT_EQ(text_of(html, "status"), "已受理");
  EXPECT_TRUE(has(html, "id=\"eta-row\" hidden"));
  EXPECT_TRUE(has(html, "id=\"crew-row\" hidden"));
}

TEST_F(TrackingPage, AnotherDayShowsTheDate) {
  const std::string html = tracking_html(sample_view(), templates, policy, now + hours(24));
  EXPECT_EQ(text_of(html, "promised"), "11-22 14:50");
  EXPECT_EQ(text_of(html, "eta"), "11-22 14:20–14:50");
}

TEST_F(TrackingPage, AFinishedTicketStopsRefreshing) {
  CustomerView v = sample_view();
  v.status = TicketStatus::kClosed;
  v.eta_window.reset();
  const std::string html = tracking_html(v, templates, policy, now);
  EXPECT_EQ(text_of(html, "status"), "已完成");
  EXPECT_FALSE(has(html, "<script>"));
  EXPECT_FALSE(has(html, "http-equiv=\"refresh\""));
}

TEST_F(TrackingPage, NotFoundRevealsNothing) {
  const std::string html = not_found_html();
  EXPECT_TRUE(has(html, "未找到该页面"));
  EXPECT_TRUE(has(html, "Page not found"));
  for (const char* leak : {"T-0", "token", "expired", "过期", "closed", "<script", "http"})
    EXPECT_FALSE(has(html, leak)) << leak;
}

TEST_F(TrackingPage, JsonCarriesTheRenderedTexts) {
  const auto j = nlohmann::json::parse(tracking_json(sample_view(), templates, policy, now, "en"));
  EXPECT_EQ(j["ticket_id"], "T-000123");
  EXPECT_EQ(j["status"], "en_route");
  EXPECT_EQ(j["status_text"], "Crew on the way");
  EXPECT_EQ(j["eta_text"], "14:20–14:50");
  EXPECT_EQ(j["eta"]["from"], "2026-11-22T06:20:00Z");
  EXPECT_EQ(j["promised_text"], "14:50");
  EXPECT_EQ(j["crew_first_name"], "Wei");
  EXPECT_EQ(j["timeline"].size(), 3u);
  EXPECT_EQ(j["timeline"][0]["label"], "Report received");
  EXPECT_EQ(j["timeline"][0]["time_text"], "14:05");
  EXPECT_EQ(j["language"], "en");
  EXPECT_EQ(j["message_language"], "zh-CN");
  EXPECT_EQ(j["version"], 7);
  EXPECT_EQ(j["final"], false);
  // Invalid UTF-8 from a customer does not break the endpoint.
  CustomerView bad = sample_view();
  bad.crew_first_name = "W\xff";
  const auto parsed = nlohmann::json::parse(tracking_json(bad, templates, policy, now), nullptr, false);
  EXPECT_FALSE(parsed.is_discarded());
}

TEST_F(TrackingPage, CspAdmitsExactlyThePagesOwnScriptAndStyle) {
  const std::string html = tracking_html(sample_view(), templates, policy, now);
  const std::string& csp = tracking_csp();
  EXPECT_TRUE(has(csp, "default-src 'none'"));
  EXPECT_TRUE(has(csp, "'sha256-" + sha256_b64(inline_block(html, "script")) + "'"));
  EXPECT_TRUE(has(csp, "'sha256-" + sha256_b64(inline_block(html, "style")) + "'"));
  EXPECT_TRUE(has(csp, "'sha256-" + sha256_b64(inline_block(not_found_html(), "style")) + "'"));
  EXPECT_FALSE(has(csp, "unsafe-inline"));
  // The token is never part of the script: it reads the page's own address.
  EXPECT_FALSE(has(inline_block(html, "script"), testing::kGoodToken));
}

}  // namespace
}  // namespace linecrew::http
