#include <gtest/gtest.h>

#include "linecrew/core/ticket.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

class Intake : public ::testing::Test {
 protected:
  ZoneMap zones = ZoneMap::load_file(config_path("zones.geojson"));
  ServicePolicy policy;

  static TicketDraft draft(double lat, double lon) {
    TicketDraft d;
    d.client_request_id = "hotline:call-1";
    d.customer = {"李女士", "+86 138-0013-8000", ""};
    d.location = GeoPoint(lat, lon);
    d.address = "1 Grid Road";
    d.first_contact = at("14:05");
    d.channel = Channel::kHotline;
    return d;
  }
};

TEST_F(Intake, DeadlineFollowsTheZoneOfTheFaultLocation) {
  const struct {
    double lat, lon;
    ZoneClass zone;
    const char* deadline;
  } cases[] = {{30.25, 120.15, ZoneClass::kUrban, "14:50"},
               {30.05, 120.35, ZoneClass::kRural, "15:35"},
               {30.75, 119.55, ZoneClass::kRemote, "16:05"},
               {25.00, 125.00, ZoneClass::kUrban, "14:50"}};  // in no polygon: the urban default
  for (const auto& c : cases) {
    const Ticket t = intake(draft(c.lat, c.lon), zones, policy, at("14:06"));
    EXPECT_EQ(t.zone_class, c.zone) << c.lat << "," << c.lon;
    EXPECT_EQ(t.deadline, at(c.deadline)) << c.lat << "," << c.lon;
    EXPECT_EQ(t.effective_deadline(), t.deadline);
    EXPECT_EQ(t.status, TicketStatus::kReported);
    EXPECT_TRUE(t.owner.empty());  // the dispatch desk owns it
    ASSERT_EQ(t.timeline.size(), 1u);
    EXPECT_EQ(t.timeline[0].kind, "reported");
  }
}

TEST_F(Intake, NormalisesAndDefaults) {
  TicketDraft d = draft(30.25, 120.15);
  d.first_contact.reset();
  const Ticket t = intake(d, zones, policy, at("09:00"));
  EXPECT_EQ(t.customer.phone, "+8613800138000");
  EXPECT_EQ(t.customer.language, "zh-CN");
  EXPECT_EQ(t.first_contact, at("09:00"));
  EXPECT_EQ(t.deadline, at("09:45"));
  EXPECT_EQ(t.service_duration, policy.default_service);
}

TEST_F(Intake, AppointmentsSetTheDeadline) {
  TicketDraft d = draft(30.25, 120.15);
  d.kind = TicketKind::kScheduledVisit;
  d.appointment = at("18:00");
  EXPECT_EQ(intake(d, zones, policy, at("14:06")).deadline, at("18:00"));
  d.appointment.reset();
  expect_error([&] { intake(d, zones, policy, at("14:06")); }, ErrorCode::kInvalidArgument, "appointment_time");
}

TEST_F(Intake, BadFieldsAreNamed) {
  const auto bad = [&](auto mutate, const std::string& needle) {
    TicketDraft d = draft(30.25, 120.15);
    mutate(d);
    expect_error([&] { intake(d, zones, policy, at("14:06")); }, ErrorCode::kInvalidArgument, needle);
  };
  bad([](TicketDraft& d) { d.customer.phone = ""; }, "customer.phone: is required");
  bad([](TicketDraft& d) { d.customer.phone = "12ab"; }, "customer.phone");
  bad([](TicketDraft& d) { d.customer.phone = "1380013800"; }, "customer.phone: '1380013800' is not a valid phone");
  bad([](TicketDraft& d) { d.customer.name = ""; }, "customer.name: is required");
  bad([](TicketDraft& d) { d.location.reset(); }, "location: is required");
  bad([](TicketDraft& d) { d.priority = 10; }, "priority: 10 is outside");
  bad([](TicketDraft& d) { d.channel.reset(); }, "first_contact_channel");
  bad([](TicketDraft& d) { d.first_contact = at("15:00"); }, "first_contact_time");
  bad([](TicketDraft& d) { d.service_duration = seconds(-1); }, "service_duration");
  bad([](TicketDraft& d) { d.required_skills = {"HV switching"}; }, "required_skills[0]");
  bad([](TicketDraft& d) { d.client_request_id = ""; }, "client_request_id");
  bad([](TicketDraft& d) { d.customer.language = "fr"; }, "customer.language");
}

TEST_F(Intake, WorkedCaseCloseOutNeedsCauseAndExplanation) {
  // Rules §2: restored at 15:55 (meter-box main switch tripped), left without explaining.
  Ticket t = intake(draft(30.25, 120.15), zones, policy, at("14:06"));
  t.timeline.push_back({at("15:50"), "cause_found", "crew:C-1", "meter-box main switch tripped"});
  t.timeline.push_back({at("15:55"), "restored", "crew:C-1", ""});
  EXPECT_EQ(closeout_missing(t), std::vector<std::string>{"explained_to_customer"});
  t.timeline.push_back({at("15:57"), "explained_to_customer", "crew:C-1", ""});
  EXPECT_TRUE(closeout_missing(t).empty());
}

TEST_F(Intake, FingerprintChangesWithContentOnly) {
  const TicketDraft a = draft(30.25, 120.15);
  TicketDraft b = a;
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  b.address = "2 Grid Road";
  EXPECT_NE(fingerprint(a), fingerprint(b));
  b = a;
  b.location = GeoPoint(30.2500001, 120.15);
  EXPECT_NE(fingerprint(a), fingerprint(b));
}

}  // namespace
}  // namespace linecrew

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

TEST(IntakeWindow, FirstContactAndBookedTimesStayNearNow) {
  const ZoneMap zones = ZoneMap::load_file(config_path("zones.geojson"));
  const ServicePolicy policy{};
  TicketDraft d;
  d.client_request_id = "r1";
  d.customer = {"李女士", "+8613800138000", ""};
  d.location = GeoPoint(30.25, 120.15);
  d.address = "1 Grid Road";
  d.channel = Channel::kHotline;
  const TimePoint now = at("14:00");
  // First contact: up to report_max_age ago (7 days by default), never from another era.
  d.first_contact = now - policy.max_report_age;
  EXPECT_NO_THROW(intake(d, zones, policy, now));
  d.first_contact = now - policy.max_report_age - seconds(1);
  expect_error([&] { intake(d, zones, policy, now); }, ErrorCode::kInvalidArgument, "first_contact_time: ");
  d.first_contact = TimePoint(Duration(kMinWireSeconds));
  expect_error([&] { intake(d, zones, policy, now); }, ErrorCode::kInvalidArgument, "first_contact_time: ");
  // Appointments within the booking horizon (366 days by default).
  d.first_contact = now;
  d.kind = TicketKind::kScheduledVisit;
  d.appointment = now + policy.booking_horizon;
  EXPECT_NO_THROW(intake(d, zones, policy, now));
  d.appointment = now + policy.booking_horizon + seconds(1);
  expect_error([&] { intake(d, zones, policy, now); }, ErrorCode::kInvalidArgument, "appointment_time: ");
  d.appointment = TimePoint(Duration(kMaxWireSeconds));
  expect_error([&] { intake(d, zones, policy, now); }, ErrorCode::kInvalidArgument, "appointment_time: ");
  // Earliest start likewise, on both sides.
  d.appointment = now + hours(24 * 10);
  d.earliest_start = now - policy.booking_horizon - seconds(1);
  expect_error([&] { intake(d, zones, policy, now); }, ErrorCode::kInvalidArgument, "earliest_start: ");
}

}  // namespace
}  // namespace linecrew

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

// Rules §4/§7: a disconnection carries its notice; the server, not the
// client, decides the earliest start (notice + 7 days).
class Disconnection : public ::testing::Test {
 protected:
  ZoneMap zones = ZoneMap::load_file(config_path("zones.geojson"));
  ServicePolicy policy;

  static TicketDraft draft() {
    TicketDraft d;
    d.client_request_id = "billing:disc-1";
    d.customer = {"王先生", "+8613800138000", ""};
    d.location = GeoPoint(30.25, 120.15);
    d.address = "2 Grid Road";
    d.first_contact = at("09:00");
    d.channel = Channel::kServiceCounter;
    d.kind = TicketKind::kDisconnection;
    d.notice = DisconnectionNotice{at("09:00") - hours(24 * 3), NoticeDelivery::kInPerson, "S1024 张工"};
    d.appointment = at("09:00") + hours(24 * 5);
    return d;
  }
};

TEST_F(Disconnection, TheEarliestStartIsTheNoticePlusTheNoticePeriod) {
  const Ticket t = intake(draft(), zones, policy, at("09:01"));
  ASSERT_TRUE(t.earliest_start);
  EXPECT_EQ(*t.earliest_start, at("09:00") + hours(24 * 4));  // delivered 3 days ago + 7 days
  ASSERT_TRUE(t.notice);
  EXPECT_EQ(t.notice->delivered_by, "S1024 张工");
  TicketDraft later = draft();
  later.earliest_start = at("09:00") + hours(24 * 4) + hours(1);  // later than the notice allows: kept
  EXPECT_EQ(*intake(later, zones, policy, at("09:01")).earliest_start, *later.earliest_start);
}

TEST_F(Disconnection, AnEarlierStartThanTheNoticeAllowsIsRefusedWhateverTheClientSends) {
  TicketDraft d = draft();
  d.earliest_start = at("09:00") + hours(24 * 4) - seconds(1);
  expect_error(
      [&] { intake(d, zones, policy, at("09:01")); }, ErrorCode::kInvalidArgument,
      "earliest_start: 2026-11-26T00:59:59Z is before the notice period ends: notice 2026-11-19T01:00:00Z + 7 days");
  d = draft();
  d.notice.reset();
  expect_error([&] { intake(d, zones, policy, at("09:01")); }, ErrorCode::kInvalidArgument, "disconnection_notice");
  d = draft();
  d.notice->delivered_by.clear();
  expect_error([&] { intake(d, zones, policy, at("09:01")); }, ErrorCode::kInvalidArgument,
               "disconnection_notice.delivered_by");
  d = draft();
  d.notice->delivered = at("10:00");  // an hour in the future
  expect_error([&] { intake(d, zones, policy, at("09:01")); }, ErrorCode::kInvalidArgument,
               "disconnection_notice.delivered_time");
  d = draft();
  d.kind = TicketKind::kScheduledVisit;  // only a disconnection carries a notice
  expect_error([&] { intake(d, zones, policy, at("09:01")); }, ErrorCode::kInvalidArgument, "disconnection_notice");
}

TEST_F(Disconnection, ACrewCannotStartBeforeTheEarliestStart) {
  const Ticket t = intake(draft(), zones, policy, at("09:01"));
  const auto why = too_early_to_start(t, at("09:00") + hours(24 * 4) - seconds(1));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("earliest_start"), std::string::npos) << *why;
  EXPECT_FALSE(too_early_to_start(t, at("09:00") + hours(24 * 4)));
  Ticket repair = t;
  repair.kind = TicketKind::kFaultRepair;
  EXPECT_FALSE(too_early_to_start(repair, at("09:01")));
}

TEST_F(Disconnection, TheNoticeIsPartOfTheIdempotencyFingerprint) {
  TicketDraft a = draft();
  TicketDraft b = draft();
  b.notice->delivered_by = "S2048";
  EXPECT_NE(fingerprint(a), fingerprint(b));
  TicketDraft plain = draft();
  plain.notice.reset();
  plain.kind = TicketKind::kFaultRepair;
  TicketDraft plain2 = plain;
  EXPECT_EQ(fingerprint(plain), fingerprint(plain2));
}

}  // namespace
}  // namespace linecrew

namespace linecrew {
namespace {

using testing::at;

TEST(ReturnVisit, ClosingOrCancellingItSettlesTheOriginalOnce) {
  Ticket parent;
  parent.id = TicketId("T-000001");
  parent.status = TicketStatus::kReturnVisitOwed;
  Ticket child;
  child.id = TicketId("T-000002");
  child.parent = parent.id;
  child.status = TicketStatus::kAssigned;
  EXPECT_FALSE(settle_return_visit(parent, child, at("18:00")));  // still open: nothing
  child.status = TicketStatus::kClosed;
  EXPECT_TRUE(settle_return_visit(parent, child, at("18:30")));
  EXPECT_EQ(parent.status, TicketStatus::kClosed);
  EXPECT_EQ(parent.timeline.back().detail, "return visit T-000002 closed");
  EXPECT_FALSE(settle_return_visit(parent, child, at("18:31")));  // once
  Ticket other = parent;
  other.status = TicketStatus::kReturnVisitOwed;
  child.parent = TicketId("T-000009");  // not its parent
  EXPECT_FALSE(settle_return_visit(other, child, at("18:32")));
}

}  // namespace
}  // namespace linecrew
