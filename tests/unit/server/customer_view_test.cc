#include <gtest/gtest.h>

#include "linecrew/server/app/customer_view.h"
#include "test_support.h"

namespace linecrew::app {
namespace {

using testing::at;
using testing::config_path;

class CustomerViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t.id = TicketId("T-000009");
    t.customer = {"李女士", "+8613800138000", "zh-CN"};
    t.status = TicketStatus::kEnRoute;
    t.owner = CrewId("C-01");
    t.deadline = at("14:50");
    t.version = 5;
    t.created = at("14:05");
    t.timeline = {{at("14:05"), "reported", "system", ""},
                  {at("14:06"), "assigned", "system", "from desk to C-01"},
                  {at("14:07"), "pinned", "dispatcher:王", "to C-01"},
                  {at("14:20"), "contact_attempt", "crew:C-01", "traffic, refused"},
                  {at("14:25"), "contact_attempt", "crew:C-01", "traffic, agreed 2026-11-22T07:10:00Z"},
                  {at("14:25"), "accepted", "crew:C-01", ""},
                  {at("14:26"), "en_route", "crew:C-01", ""}};
    crew.id = CrewId("C-01");
    crew.members = {{"伟", "王伟", "A1024"}};
    told.eta = at("14:40");
    told.view_version = 2;
  }
  Ticket t;
  Crew crew;
  ToldState told;
  NoticeTemplates templates = NoticeTemplates::load_file(config_path("notify_templates.json"));
  ServicePolicy policy;
};

TEST_F(CustomerViewTest, ShowsOnlyWhatTheCustomerMaySee) {
  const CustomerView v = customer_view(t, told, crew, templates, policy, at("14:30"));
  EXPECT_EQ(v.ticket, t.id);
  EXPECT_EQ(v.crew_first_name, "伟");  // never the full name or the staff number
  ASSERT_TRUE(v.eta_window);
  EXPECT_EQ(v.eta_window->from, at("14:30"));
  EXPECT_EQ(v.eta_window->to, at("15:00"));
  std::vector<std::string> kinds;
  for (const auto& e : v.timeline) kinds.push_back(e.kind);
  // No pin, no refused call, no internal acceptance.
  EXPECT_EQ(kinds, (std::vector<std::string>{"reported", "assigned", "contact_attempt", "en_route"}));
  EXPECT_EQ(v.timeline[2].message, "已与您约定新的到达时间:15:10");
  EXPECT_EQ(v.language, "zh-CN");
}

TEST_F(CustomerViewTest, TheVersionGrowsWithTheTicketAndWithWhatWasTold) {
  const auto v1 = customer_view(t, told, crew, templates, policy, at("14:30")).version;
  told.view_version++;
  const auto v2 = customer_view(t, told, crew, templates, policy, at("14:30")).version;
  t.version++;
  const auto v3 = customer_view(t, told, crew, templates, policy, at("14:30")).version;
  EXPECT_LT(v1, v2);
  EXPECT_LT(v2, v3);
}

TEST_F(CustomerViewTest, NoWindowOnceArrivedAndCauseTextsLoseLongNumbers) {
  t.status = TicketStatus::kOnSite;
  t.timeline.push_back({at("14:45"), "arrived", "crew:C-01", ""});
  t.timeline.push_back({at("14:50"), "cause_found", "crew:C-01", "3 号杆熔断器烧毁, 回电 13800138000"});
  const CustomerView v = customer_view(t, told, crew, templates, policy, at("14:50"));
  EXPECT_FALSE(v.eta_window);
  EXPECT_EQ(v.timeline.back().message, "已查明原因:3 号杆熔断器烧毁, 回电 …");
}

// Issue 17: a spaced phone number, the crew's staff number and a member's
// full name typed into the cause reach neither the view nor the messages.
TEST_F(CustomerViewTest, CauseTextsLosePhoneNumbersStaffNumbersAndFullNames) {
  t.status = TicketStatus::kOnSite;
  t.timeline.push_back({at("14:45"), "arrived", "crew:C-01", ""});
  t.timeline.push_back({at("14:50"), "cause_found", "crew:C-01", "王伟(工号 a1024)换了熔断器, 电话 138 0013 8000"});
  const CustomerView v = customer_view(t, told, crew, templates, policy, at("14:50"));
  EXPECT_EQ(v.timeline.back().message, "已查明原因:…(工号 …)换了熔断器, 电话 …");
  EXPECT_EQ(v.crew_first_name, "伟");
  const PlaceholderValues values = notice_values(t, crew, policy, std::nullopt, "");
  EXPECT_EQ(values.at("cause"), "…(工号 …)换了熔断器, 电话 …");
  // Without the crew (unassigned) the phone number still goes.
  EXPECT_EQ(notice_values(t, std::nullopt, policy, std::nullopt, "").at("cause"), "王伟(工号 a1024)换了熔断器, 电话 …");
}

TEST_F(CustomerViewTest, ATrackingLinkExpiresAfterTheRetention) {
  EXPECT_TRUE(tracking_valid(t, at("14:30") + hours(24 * 30), policy));  // open: always
  t.status = TicketStatus::kClosed;
  t.timeline.push_back({at("15:30"), "closed", "crew:C-01", ""});
  EXPECT_TRUE(tracking_valid(t, at("15:30") + hours(24 * 7) - seconds(1), policy));
  EXPECT_FALSE(tracking_valid(t, at("15:30") + hours(24 * 7), policy));
}

}  // namespace
}  // namespace linecrew::app
