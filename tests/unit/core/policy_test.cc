#include <gtest/gtest.h>

#include "linecrew/core/policy.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

TEST(Policy, DefaultsAreTheRules) {
  const ServicePolicy p{};
  EXPECT_EQ(p.limit(ZoneClass::kUrban), minutes(45));
  EXPECT_EQ(p.limit(ZoneClass::kRural), minutes(90));
  EXPECT_EQ(p.limit(ZoneClass::kRemote), minutes(120));
  EXPECT_EQ(p.outside_zone_class, ZoneClass::kUrban);
  EXPECT_EQ(p.delay_call_lead, minutes(10));
}

TEST(Policy, ShippedFileLoadsWithTheRulesFigures) {
  const ServicePolicy p = ServicePolicy::load_file(config_path("policy.json"));
  EXPECT_EQ(p.limit(ZoneClass::kUrban), minutes(45));
  EXPECT_EQ(p.limit(ZoneClass::kRemote), minutes(120));
  EXPECT_EQ(p.utc_offset, hours(8));
  EXPECT_EQ(p.follow_up_due, hours(48));
}

TEST(Policy, TimeWindowsAreConfigurableAndBounded) {
  const ServicePolicy p = ServicePolicy::from_json(
      R"({"report_max_age_days": 2, "booking_horizon_days": 30, "tracking_retention_days": 3})", "p");
  EXPECT_EQ(p.max_report_age, hours(48));
  EXPECT_EQ(p.booking_horizon, hours(24 * 30));
  EXPECT_EQ(p.notify.tracking_retention, hours(72));
  expect_error([] { ServicePolicy::from_json(R"({"report_max_age_days": 0})", "p"); }, ErrorCode::kInvalidArgument,
               "report_max_age_days");
  expect_error([] { ServicePolicy::from_json(R"({"booking_horizon_days": 5000})", "p"); }, ErrorCode::kInvalidArgument,
               "booking_horizon_days");
  expect_error([] { ServicePolicy::from_json(R"({"tracking_retention_days": "7"})", "p"); },
               ErrorCode::kInvalidArgument, "tracking_retention_days");
}

TEST(Policy, DeadlineIsFirstContactPlusLimitAndNotExceedingMeansInclusive) {
  const ServicePolicy p{};
  EXPECT_EQ(p.deadline(at("14:05"), ZoneClass::kUrban), at("14:50"));
  EXPECT_EQ(p.deadline(at("14:05"), ZoneClass::kRural), at("15:35"));
  EXPECT_EQ(p.deadline(at("14:05"), ZoneClass::kRemote), at("16:05"));
}

TEST(Policy, FiguresAreConfigurable) {
  const ServicePolicy p = ServicePolicy::from_json(
      R"({"arrival_limit_minutes":{"urban":30},"outside_zone_class":"rural","delay_call_lead_minutes":15})", "p");
  EXPECT_EQ(p.limit(ZoneClass::kUrban), minutes(30));
  EXPECT_EQ(p.limit(ZoneClass::kRural), minutes(90));  // untouched keys keep their defaults
  EXPECT_EQ(p.outside_zone_class, ZoneClass::kRural);
  EXPECT_EQ(p.delay_call_lead, minutes(15));
}

TEST(Policy, FaultLinkingIsConfigurableAndBounded) {
  const ServicePolicy d{};
  EXPECT_FALSE(d.fault_link.automatic);  // a utility turns it on (the shipped policy.json does)
  EXPECT_TRUE(ServicePolicy::load_file(testing::config_path("policy.json")).fault_link.automatic);
  EXPECT_EQ(d.fault_link.distance_m, 300);
  EXPECT_EQ(d.fault_link.window, minutes(120));
  EXPECT_EQ(d.fault_link.auto_confidence, 0.7);
  const ServicePolicy p = ServicePolicy::from_json(
      R"({"fault_link_auto":true,"fault_link_distance_m":150.5,"fault_link_window_minutes":30,
          "fault_link_auto_confidence":0.9})",
      "p");
  EXPECT_TRUE(p.fault_link.automatic);
  EXPECT_EQ(p.fault_link.distance_m, 150.5);
  EXPECT_EQ(p.fault_link.window, minutes(30));
  EXPECT_EQ(p.fault_link.auto_confidence, 0.9);
  expect_error([] { ServicePolicy::from_json(R"({"fault_link_auto":"yes"})", "p.json"); }, ErrorCode::kInvalidArgument,
               "fault_link_auto: must be true or false");
  expect_error([] { ServicePolicy::from_json(R"({"fault_link_distance_m":0})", "p.json"); },
               ErrorCode::kInvalidArgument, "fault_link_distance_m: must be a number in (0, 5000]");
  expect_error([] { ServicePolicy::from_json(R"({"fault_link_auto_confidence":1.5})", "p.json"); },
               ErrorCode::kInvalidArgument, "fault_link_auto_confidence");
  expect_error([] { ServicePolicy::from_json(R"({"fault_link_window_minutes":0})", "p.json"); },
               ErrorCode::kInvalidArgument, "fault_link_window_minutes");
}

TEST(Policy, NonUrgentCallsOnlyInContactHoursOutsideTheBreak) {
  const ServicePolicy p{};
  EXPECT_FALSE(p.non_urgent_call_allowed(at("07:59")));
  EXPECT_TRUE(p.non_urgent_call_allowed(at("08:00")));
  EXPECT_TRUE(p.non_urgent_call_allowed(at("11:59")));
  EXPECT_FALSE(p.non_urgent_call_allowed(at("12:30")));
  EXPECT_TRUE(p.non_urgent_call_allowed(at("14:00")));
  EXPECT_FALSE(p.non_urgent_call_allowed(at("20:00")));
}

TEST(Policy, MalformedFilesNameTheFileAndTheKey) {
  expect_error([] { ServicePolicy::from_json("{not json", "policy.json"); }, ErrorCode::kInvalidArgument,
               "policy.json: not valid JSON");
  expect_error([] { ServicePolicy::from_json(R"({"arival_limit_minutes":{}})", "policy.json"); },
               ErrorCode::kInvalidArgument, "policy.json: arival_limit_minutes: unknown key");
  expect_error([] { ServicePolicy::from_json(R"({"arrival_limit_minutes":{"urban":-5}})", "policy.json"); },
               ErrorCode::kInvalidArgument, "arrival_limit_minutes.urban: -5 is outside");
  expect_error([] { ServicePolicy::from_json(R"({"arrival_limit_minutes":{"city":45}})", "policy.json"); },
               ErrorCode::kInvalidArgument, "arrival_limit_minutes.city: unknown zone class");
  expect_error([] { ServicePolicy::from_json(R"({"arrival_limit_minutes":{"urban":"45"}})", "p.json"); },
               ErrorCode::kInvalidArgument, "whole number of minutes");
  expect_error([] { ServicePolicy::from_json(R"({"outside_zone_class":"sea"})", "p.json"); },
               ErrorCode::kInvalidArgument, "outside_zone_class");
  expect_error([] { ServicePolicy::from_json(R"({"contact_hours":["20:00","08:00"]})", "p.json"); },
               ErrorCode::kInvalidArgument, "contact_hours: the end must be after the start");
  expect_error([] { ServicePolicy::load_file("/nonexistent/policy.json"); }, ErrorCode::kInvalidArgument,
               "/nonexistent/policy.json");
}

}  // namespace
}  // namespace linecrew

namespace linecrew {
namespace {

TEST(Policy, SkillCatalogueIsConfigurableAndEnforced) {
  const ServicePolicy p = ServicePolicy::from_json(R"({"skills":["lv_cable","meter"]})", "p.json");
  EXPECT_NO_THROW(p.require_known_skill("meter", "required_skills[0]"));
  testing::expect_error([&] { p.require_known_skill("hv_switching", "required_skills[1]"); },
                        ErrorCode::kInvalidArgument, "required_skills[1]: unknown skill 'hv_switching'");
  testing::expect_error([] { ServicePolicy::from_json(R"({"skills":["Meter"]})", "p.json"); },
                        ErrorCode::kInvalidArgument, "p.json: skills[0]");
  testing::expect_error([] { ServicePolicy::from_json(R"({"skills":["a","a"]})", "p.json"); },
                        ErrorCode::kInvalidArgument, "duplicate skill");
}

}  // namespace
}  // namespace linecrew
