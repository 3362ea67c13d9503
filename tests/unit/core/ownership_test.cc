#include <gtest/gtest.h>

#include "linecrew/core/crew.h"
#include "linecrew/core/ownership.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::expect_error;

const ActorRef kDesk{Actor::kDispatcher, "dispatcher:tok_1"};
const ActorRef kPlanner{Actor::kSystem, "system:planner"};

Ticket reported() {
  Ticket t;
  t.id = TicketId("T-000001");
  t.status = TicketStatus::kReported;
  return t;
}

TEST(Ownership, AssignAndReassignKeepOneOwnerAndHistory) {
  Ticket t = reported();
  assign(t, CrewId("C-1"), kPlanner, at("14:06"), "nearest");
  EXPECT_EQ(t.owner, CrewId("C-1"));
  EXPECT_EQ(t.status, TicketStatus::kAssigned);
  t.status = TicketStatus::kEnRoute;  // the crew drove off
  assign(t, CrewId("C-2"), kDesk, at("14:10"), "C-1 stuck");
  EXPECT_EQ(t.owner, CrewId("C-2"));
  EXPECT_EQ(t.status, TicketStatus::kAssigned);
  ASSERT_EQ(t.timeline.size(), 2u);
  EXPECT_EQ(t.timeline[1].detail, "from C-1 to C-2: C-1 stuck");
  release_to_desk(t, kDesk, at("14:12"), "crew off shift");
  EXPECT_TRUE(t.owner.empty());
  EXPECT_EQ(t.status, TicketStatus::kReported);
  EXPECT_EQ(t.timeline.back().kind, "unassigned");
}

TEST(Ownership, ACrewOnSiteKeepsItsTicket) {
  Ticket t = reported();
  assign(t, CrewId("C-1"), kPlanner, at("14:06"), "");
  t.status = TicketStatus::kOnSite;
  const auto before = t.timeline.size();
  expect_error([&] { assign(t, CrewId("C-2"), kDesk, at("14:20"), ""); }, ErrorCode::kFailedPrecondition,
               "already on site");
  expect_error([&] { release_to_desk(t, kDesk, at("14:20"), ""); }, ErrorCode::kFailedPrecondition, "status");
  expect_error([&] { cancel(t, kDesk, at("14:20"), "dup"); }, ErrorCode::kFailedPrecondition, "status");
  EXPECT_EQ(t.owner, CrewId("C-1"));
  EXPECT_EQ(t.timeline.size(), before);  // a refused change writes nothing
}

TEST(Ownership, PinAssignsAndUnpinKeepsTheOwner) {
  Ticket t = reported();
  pin(t, CrewId("C-3"), kDesk, at("14:07"));
  EXPECT_EQ(t.pinned, CrewId("C-3"));
  EXPECT_EQ(t.owner, CrewId("C-3"));
  unpin(t, kDesk, at("14:08"));
  EXPECT_TRUE(t.pinned.empty());
  EXPECT_EQ(t.owner, CrewId("C-3"));
  EXPECT_EQ(t.timeline.back().kind, "unpinned");
  const auto n = t.timeline.size();
  unpin(t, kDesk, at("14:09"));  // no-op
  EXPECT_EQ(t.timeline.size(), n);
}

TEST(Ownership, CancelNeedsTheDeskAndAReasonAndIsIdempotent) {
  Ticket t = reported();
  expect_error(
      [&] {
        cancel(t, {Actor::kCrew, "crew:C-1"}, at("14:07"), "x");
      },
      ErrorCode::kFailedPrecondition, "crew may not");
  expect_error([&] { cancel(t, kDesk, at("14:07"), ""); }, ErrorCode::kInvalidArgument, "reason");
  cancel(t, kDesk, at("14:07"), "customer fixed it");
  EXPECT_EQ(t.status, TicketStatus::kCancelled);
  const auto n = t.timeline.size();
  cancel(t, kDesk, at("14:08"), "again");
  EXPECT_EQ(t.timeline.size(), n);
  expect_error([&] { pin(t, CrewId("C-1"), kDesk, at("14:09")); }, ErrorCode::kFailedPrecondition, "cancelled");
}

TEST(CrewValidation, NamesTheBadField) {
  Crew c;
  c.id = CrewId("C-1");
  c.name = "城区抢修一班";
  c.members = {{"伟", "张伟", "A1024"}};
  c.skills = {"lv_cable"};
  c.shift_start = at("08:00");
  c.shift_end = at("20:00");
  c.callback_phone = "0571 8888 6666";
  EXPECT_EQ(validated(c, "CN").callback_phone, "+8657188886666");
  const auto bad = [&](auto mutate, const std::string& needle) {
    Crew x = c;
    mutate(x);
    expect_error([&] { validated(x, "CN"); }, ErrorCode::kInvalidArgument, needle);
  };
  bad([](Crew& x) { x.name = ""; }, "crew.name");
  bad([](Crew& x) { x.members.clear(); }, "crew.members");
  bad([](Crew& x) { x.members[0].staff_number = ""; }, "crew.members[0].staff_number");
  bad([](Crew& x) { x.skills = {"HV"}; }, "crew.skills[0]");
  bad([](Crew& x) { x.shift_end = x.shift_start; }, "crew.shift_end");
  bad([](Crew& x) { x.callback_phone = "95598"; }, "crew.callback_phone: '95598' is not a valid phone number in CN");
  bad([](Crew& x) { x.callback_phone = "5718888666"; }, "crew.callback_phone");
  c.callback_phone.clear();
  EXPECT_EQ(validated(c, "CN").callback_phone, "");  // optional
  EXPECT_TRUE(available(
      [&] {
        Crew x = c;
        x.on_shift = true;
        return x;
      }(),
      at("12:00")));
  EXPECT_FALSE(available(c, at("12:00")));  // off shift
}

}  // namespace
}  // namespace linecrew
