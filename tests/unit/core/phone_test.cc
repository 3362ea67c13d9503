// Phone numbers to E.164 with libphonenumber (issue 19 item 9): national
// numbers read in the policy's region, errors naming the field.
#include <gtest/gtest.h>

#include "linecrew/core/phone.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::expect_error;

TEST(Phone, MainlandMobileWithoutCountryCodeIsChinese) {
  // Once "+13800138000", a US number the crew's call prompt would have dialled.
  EXPECT_EQ(normalise_phone("13800138000", "CN", "customer.phone"), "+8613800138000");
}

TEST(Phone, LandlineWithAreaCode) {
  EXPECT_EQ(normalise_phone("010 1234 5678", "CN", "customer.phone"), "+861012345678");
  EXPECT_EQ(normalise_phone("0571-8888-6666", "CN", "crew.callback_phone"), "+8657188886666");
}

TEST(Phone, InternationalNumbersKeepTheirCountry) {
  EXPECT_EQ(normalise_phone("+1 650 253 0000", "CN", "customer.phone"), "+16502530000");
  EXPECT_EQ(normalise_phone("+8613800138000", "US", "customer.phone"), "+8613800138000");
}

TEST(Phone, SpacesDashesAndParenthesesAreDropped) {
  EXPECT_EQ(normalise_phone("+86 138-0013-8000", "CN", "customer.phone"), "+8613800138000");
  EXPECT_EQ(normalise_phone("138 0013 8000", "CN", "customer.phone"), "+8613800138000");
  EXPECT_EQ(normalise_phone("(010) 1234-5678", "CN", "customer.phone"), "+861012345678");
  EXPECT_EQ(normalise_phone("+1 (650) 253-0000", "CN", "customer.phone"), "+16502530000");
}

TEST(Phone, InvalidNumbersNameTheFieldAndSayWhy) {
  const auto bad = [](const char* raw, const std::string& field, const std::string& needle) {
    expect_error([&] { normalise_phone(raw, "CN", field); }, ErrorCode::kInvalidArgument, needle);
    try {
      normalise_phone(raw, "CN", field);
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), field);
    }
  };
  bad("", "customer.phone", "is required");
  bad("1380013800", "customer.phone", "customer.phone: '1380013800' is not a valid phone number in CN");
  bad("138001380001", "customer.phone", "not a valid phone number in CN");
  bad("+86 955 98", "crew.callback_phone", "not a valid phone number (too short)");  // a service short code
  bad("+8612345678901", "customer.phone", "not a valid phone number (no such number range)");
  bad("+999 1234 5678", "customer.phone", "unknown country code");
  bad("12", "customer.phone", "not a valid phone number in CN (too short)");
  bad("12ab", "customer.phone", "'12ab' may hold only digits, spaces, - ( ) and a leading +");
  bad("1-800-FLOWERS", "customer.phone", "may hold only digits");    // no keypad letters
  bad("13800138000 x12", "customer.phone", "may hold only digits");  // no extensions
  bad("86+13800138000", "customer.phone", "may hold only digits");   // "+" only in front
  bad(" - ( ) ", "customer.phone", "not a valid phone number");
}

TEST(Phone, KnownRegions) {
  EXPECT_TRUE(known_phone_region("CN"));
  EXPECT_TRUE(known_phone_region("US"));
  EXPECT_FALSE(known_phone_region("XX"));
  EXPECT_FALSE(known_phone_region("cn"));  // as libphonenumber spells it: upper case
  EXPECT_FALSE(known_phone_region(""));
}

TEST(Phone, TheRegionComesFromThePolicy) {
  EXPECT_EQ(ServicePolicy{}.phone_region, "CN");
  EXPECT_EQ(ServicePolicy::load_file(testing::config_path("policy.json")).phone_region, "CN");
  const ServicePolicy us = ServicePolicy::from_json(R"({"phone_region": "US"})", "p.json");
  EXPECT_EQ(us.phone_region, "US");

  const ZoneMap zones = ZoneMap::load_file(testing::config_path("zones.geojson"));
  TicketDraft d;
  d.client_request_id = "hotline:call-1";
  d.customer = {"Ms Li", "6502530000", "en"};
  d.location = GeoPoint(30.25, 120.15);
  d.address = "1 Grid Road";
  d.channel = Channel::kHotline;
  const TimePoint now = testing::at("14:06");
  EXPECT_EQ(intake(d, zones, us, now).customer.phone, "+16502530000");
  expect_error([&] { intake(d, zones, ServicePolicy{}, now); }, ErrorCode::kInvalidArgument,
               "customer.phone: '6502530000' is not a valid phone number in CN");
  d.customer.phone = "13800138000";
  EXPECT_EQ(intake(d, zones, ServicePolicy{}, now).customer.phone, "+8613800138000");
}

TEST(Phone, APolicyWithAnUnknownRegionIsRefused) {
  expect_error([] { ServicePolicy::from_json(R"({"phone_region": "XX"})", "policy.json"); },
               ErrorCode::kInvalidArgument, "policy.json: phone_region: 'XX' is not a region libphonenumber knows");
  expect_error([] { ServicePolicy::from_json(R"({"phone_region": "cn"})", "policy.json"); },
               ErrorCode::kInvalidArgument, "phone_region: 'cn' is not a region");
  expect_error([] { ServicePolicy::from_json(R"({"phone_region": 86})", "policy.json"); }, ErrorCode::kInvalidArgument,
               "phone_region: must be a region code");
  expect_error([] { ServicePolicy::from_json(R"({"phone_regoin": "CN"})", "policy.json"); },
               ErrorCode::kInvalidArgument, "phone_regoin: unknown key");
}

}  // namespace
}  // namespace linecrew
