// The handheld's local store on a real SQLite file. This binary is also built
// for aarch64 and run under qemu-user.
#include <gtest/gtest.h>

#include "linecrew/core/error.h"
#include "linecrew/device/app/actions.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/v1/crew_sync.pb.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew::device {
namespace {

using linecrew::testing::at;

LocalTicket ticket(const std::string& id, const char* deadline, std::uint64_t version = 1) {
  LocalTicket t;
  t.id = TicketId(id);
  t.customer_name = "李女士";
  t.customer_phone = "+8613800138000";
  t.language = "zh-CN";
  t.location = GeoPoint(30.25, 120.15);
  t.address = "1 Grid Road";
  t.deadline = t.effective_deadline = at(deadline);
  t.status = TicketStatus::kAssigned;
  t.version = version;
  return t;
}

OutboxEntry act(LocalStore& store, const TicketId& id, const std::string& action, TimePoint now) {
  ActionInput in;
  in.action = action;
  in.ticket = id;
  return record(store, DeviceId("dev-test"), in, now);
}

TEST(LocalStore, KeepsTicketsInDeadlineOrderAndNeverGoesBackAVersion) {
  linecrew::testing::TempDir dir("device-store");
  LocalStore store(dir.file("crew.db"));
  ASSERT_TRUE(store.upsert(ticket("T-000002", "15:35", 3)));
  ASSERT_TRUE(store.upsert(ticket("T-000001", "14:50")));
  auto list = store.tickets();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id.str(), "T-000001");
  EXPECT_EQ(list[0].customer_name, "李女士");
  EXPECT_FALSE(store.upsert(ticket("T-000002", "18:00", 2)));  // older than stored
  EXPECT_EQ(store.get(TicketId("T-000002"))->deadline, at("15:35"));
  EXPECT_TRUE(store.upsert(ticket("T-000002", "18:00", 4)));
  EXPECT_EQ(store.get(TicketId("T-000002"))->deadline, at("18:00"));
}

TEST(LocalStore, ActionsChangeStatusAndQueueExactlyOneOutboxRow) {
  linecrew::testing::TempDir dir("device-actions");
  LocalStore store(dir.file("crew.db"));
  store.upsert(ticket("T-000001", "14:50"));
  const TicketId id("T-000001");
  const auto a = act(store, id, "accept", at("14:10"));
  const auto b = act(store, id, "en_route", at("14:12"));
  EXPECT_NE(a.op_id, b.op_id);
  EXPECT_EQ(store.get(id)->status, TicketStatus::kEnRoute);
  auto out = store.outbox();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].action, "accept");
  EXPECT_EQ(out[1].device_time, at("14:12"));

  // An illegal transition writes nothing: neither status nor outbox.
  linecrew::testing::expect_error([&] { act(store, id, "restored", at("14:13")); }, ErrorCode::kFailedPrecondition,
                                  "en_route -> restored");
  EXPECT_EQ(store.get(id)->status, TicketStatus::kEnRoute);
  EXPECT_EQ(store.outbox().size(), 2u);
  linecrew::testing::expect_error([&] { act(store, TicketId("T-000404"), "accept", at("14:13")); },
                                  ErrorCode::kNotFound, "T-000404");

  store.acknowledge(std::vector<std::string>{a.op_id});
  out = store.outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].op_id, b.op_id);
}

TEST(LocalStore, SurvivesReopenWithCursorAndIntegrity) {
  linecrew::testing::TempDir dir("device-reopen");
  {
    LocalStore store(dir.file("crew.db"));
    store.upsert(ticket("T-000001", "14:50"));
    act(store, TicketId("T-000001"), "accept", at("14:10"));
    store.set_cursor(42);
  }
  LocalStore store(dir.file("crew.db"));
  EXPECT_EQ(store.cursor(), 42u);
  EXPECT_EQ(store.outbox().size(), 1u);
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(LocalStore, RecordsWithAValidDeviceIdAndRefusesABadOne) {
  linecrew::testing::TempDir dir("device-id");
  LocalStore store(dir.file("crew.db"));
  store.upsert(ticket("T-000001", "14:50"));
  ActionInput in;
  in.action = "accept";
  in.ticket = TicketId("T-000001");
  const auto e = record(store, DeviceId("dev-7.a_B"), in, at("14:10"));
  v1::CrewAction sent;
  ASSERT_TRUE(sent.ParseFromString(store.outbox().at(0).body));
  EXPECT_EQ(sent.op_id(), e.op_id);
  EXPECT_EQ(sent.device_id(), "dev-7.a_B");

  try {
    [[maybe_unused]] const DeviceId bad("bad id with spaces");
    ADD_FAILURE() << "a device id with spaces was accepted";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(err.field(), "device_id");
  }
}

// Issue 19: need_help is a fact, recorded offline like cause_found: it needs
// its text, keeps the status, and is kept on a ticket the server took away.
TEST(LocalStore, NeedHelpIsAFactWithItsTextAlsoOnATicketTakenAway) {
  linecrew::testing::TempDir dir("device-help");
  LocalStore store(dir.file("crew.db"));
  LocalTicket gone = ticket("T-000001", "14:50");
  gone.removed = "reassigned";
  store.upsert(gone);
  ActionInput in;
  in.action = "need_help";
  in.ticket = TicketId("T-000001");
  linecrew::testing::expect_error([&] { record(store, DeviceId("dev-test"), in, at("14:10")); },
                                  ErrorCode::kInvalidArgument, "need_help.text");
  EXPECT_EQ(store.outbox_size(), 0u);
  in.text = "truck stuck in a ditch, need a tow";
  const auto e = record(store, DeviceId("dev-test"), in, at("14:11"));
  EXPECT_EQ(e.action, "need_help");
  v1::CrewAction sent;
  ASSERT_TRUE(sent.ParseFromString(store.outbox().at(0).body));
  EXPECT_EQ(sent.action_case(), v1::CrewAction::kNeedHelp);
  EXPECT_EQ(sent.need_help().text(), in.text);
  EXPECT_EQ(sent.ticket_id(), "T-000001");
  EXPECT_EQ(store.get(TicketId("T-000001"))->status, TicketStatus::kAssigned);
  // A status action on the same ticket is refused: it is no longer the crew's.
  linecrew::testing::expect_error([&] { act(store, TicketId("T-000001"), "accept", at("14:12")); },
                                  ErrorCode::kFailedPrecondition, "reassigned");
  EXPECT_EQ(store.outbox_size(), 1u);
}

// Rules §4/§7: the handheld, offline too, refuses to start a disconnection
// before its earliest start (notice + 7 days), as the server does.
TEST(LocalStore, ADisconnectionCannotBeStartedBeforeItsEarliestStart) {
  linecrew::testing::TempDir dir("device-disconnection");
  LocalStore store(dir.file("crew.db"));
  LocalTicket t = ticket("T-000002", "18:00");
  t.kind = TicketKind::kDisconnection;
  t.earliest_start = at("16:00");
  store.upsert(t);
  EXPECT_EQ(store.get(t.id)->kind, TicketKind::kDisconnection);  // kept in the local database
  act(store, t.id, "accept", at("14:00"));
  linecrew::testing::expect_error([&] { act(store, t.id, "en_route", at("15:59")); }, ErrorCode::kFailedPrecondition,
                                  "earliest_start");
  linecrew::testing::expect_error([&] { act(store, t.id, "arrived", at("15:59")); }, ErrorCode::kFailedPrecondition,
                                  "earliest_start");
  EXPECT_EQ(store.outbox_size(), 1u);  // only the accept
  EXPECT_EQ(store.get(t.id)->status, TicketStatus::kAccepted);
  act(store, t.id, "en_route", at("16:00"));
  EXPECT_EQ(store.get(t.id)->status, TicketStatus::kEnRoute);
  // Any other kind with an earliest start (a booked visit) is the planner's business, not refused here.
  LocalTicket visit = ticket("T-000003", "18:00");
  visit.kind = TicketKind::kScheduledVisit;
  visit.earliest_start = at("17:00");
  store.upsert(visit);
  act(store, visit.id, "en_route", at("15:00"));
  EXPECT_EQ(store.get(visit.id)->status, TicketStatus::kEnRoute);
}

TEST(CrewActions, MapToTheStatusTheyLeadTo) {
  EXPECT_EQ(status_after("arrived", TicketStatus::kEnRoute), TicketStatus::kOnSite);
  EXPECT_EQ(status_after("cause_found", TicketStatus::kOnSite), TicketStatus::kOnSite);
  EXPECT_EQ(status_after("need_help", TicketStatus::kEnRoute), TicketStatus::kEnRoute);
  EXPECT_EQ(status_after("left_site", TicketStatus::kRestored), TicketStatus::kClosed);
  EXPECT_EQ(status_after("cannot_fix", TicketStatus::kOnSite), TicketStatus::kReturnVisitOwed);
  EXPECT_FALSE(status_after("teleport", TicketStatus::kOnSite).has_value());
}

}  // namespace
}  // namespace linecrew::device
