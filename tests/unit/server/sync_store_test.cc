// SqliteStore's handheld sync upkeep: the statement cache on the upload path,
// and pruning of dedup records and the crews' feed.
#include <gtest/gtest.h>

#include <algorithm>

#include "linecrew/core/ownership.h"
#include "linecrew/server/app/dispatch.h"
#include "linecrew/server/storage/sqlite_store.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;

class SyncStore : public ::testing::Test {
 protected:
  testing::TempDir dir{"sync-store"};
  ManualClock clock{at("14:06")};
  ServicePolicy policy;
  ZoneMap zones = ZoneMap::load_file(config_path("zones.geojson"));
  const CrewId crew{"C-1"};

  // A ticket given to `crew`: one feed row for it. Returns the ticket and the feed head after.
  TicketId give(storage::SqliteStore& store, app::Dispatch& dispatch, const std::string& rid) {
    TicketDraft d;
    d.client_request_id = rid;
    d.customer = {"Li", "+8613800138000", "en"};
    d.location = GeoPoint(30.25, 120.15);
    d.address = "1 Grid Road";
    d.first_contact = at("14:05");
    d.channel = Channel::kApp;
    const TicketId id = dispatch.create_ticket(d).ticket.id;
    store.mutate(id, [&](Ticket& t) { assign(t, crew, {Actor::kDispatcher, "d"}, clock.now(), "test"); });
    return id;
  }

  // An op that adds a timeline entry to `ticket`.
  static storage::SyncOp note(const std::string& op_id, const TicketId& ticket) {
    storage::SyncOp op;
    op.op_id = op_id;
    op.fingerprint = "fp-" + op_id;
    op.ticket = ticket;
    op.on_ticket = [op_id](Ticket& t) {
      t.timeline.push_back({t.created, "cause_found", "crew:C-1", op_id});
      return ActionVerdict{};
    };
    return op;
  }
};

TEST_F(SyncStore, UploadsReuseTheirStatements) {
  storage::SqliteStore store(dir.file("a.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  const TicketId id = give(store, dispatch, "r1");
  std::vector<storage::SyncOp> first{note("op-1", id), note("op-2", id)};
  store.apply_ops(DeviceId("dev-1"), crew, first, clock.now());
  const std::size_t kept = store.cached_statements();
  const std::uint64_t prepared = store.statement_cache_misses();
  EXPECT_GE(kept, 8u);  // lookup, savepoints, ticket read and write, history, board change, feed, dedup record
  std::vector<storage::SyncOp> more;
  for (int i = 3; i < 40; ++i) more.push_back(note("op-" + std::to_string(i), id));
  const auto acks = store.apply_ops(DeviceId("dev-1"), crew, more, clock.now());
  ASSERT_EQ(acks.size(), more.size());
  for (const auto& a : acks) EXPECT_EQ(a.result, storage::SyncResult::kApplied) << a.reason;
  EXPECT_EQ(store.get(id)->timeline.back().detail, "op-39");
  EXPECT_EQ(store.cached_statements(), kept);
  EXPECT_EQ(store.statement_cache_misses(), prepared);  // nothing prepared again
}

TEST_F(SyncStore, DedupStillWorksAfterPruningWithinTheRetention) {
  storage::SqliteStore store(dir.file("b.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  const TicketId id = give(store, dispatch, "r1");
  std::vector<storage::SyncOp> ops{note("op-1", id)};
  ASSERT_EQ(store.apply_ops(DeviceId("dev-1"), crew, ops, clock.now())[0].result, storage::SyncResult::kApplied);
  const TimePoint six_days = clock.now() + std::chrono::hours(24 * 6);
  EXPECT_EQ(store.prune_sync(six_days).sync_ops, 0);
  std::vector<storage::SyncOp> again{note("op-1", id)};
  const auto ack = store.apply_ops(DeviceId("dev-1"), crew, again, six_days)[0];  // also prunes: due after an hour
  EXPECT_EQ(ack.result, storage::SyncResult::kDuplicate) << ack.reason;
  const auto timeline = store.get(id)->timeline;
  EXPECT_EQ(std::count_if(timeline.begin(), timeline.end(), [](const TicketEvent& e) { return e.detail == "op-1"; }),
            1);  // applied once
  // Past the retention the record goes.
  EXPECT_EQ(store.prune_sync(clock.now() + std::chrono::hours(24 * 8)).sync_ops, 1);
}

TEST_F(SyncStore, PruningKeepsWhatADeviceWithAnOldCursorStillNeeds) {
  storage::SqliteStore store(dir.file("c.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  give(store, dispatch, "r1");
  give(store, dispatch, "r2");
  const std::uint64_t old_cursor = store.crew_feed_head();
  give(store, dispatch, "r3");
  give(store, dispatch, "r4");
  const std::uint64_t head = store.crew_feed_head();
  ASSERT_EQ(store.crew_feed(crew, old_cursor, 10).entries.size(), 2u);
  store.note_cursor(DeviceId("old-dev"), crew, old_cursor, clock.now());
  store.note_cursor(DeviceId("new-dev"), crew, head, clock.now());

  const auto pruned = store.prune_sync(clock.now());
  EXPECT_EQ(pruned.feed_rows, 2);  // only what both devices hold
  const auto page = store.crew_feed(crew, old_cursor, 10);
  EXPECT_FALSE(page.resync);
  ASSERT_EQ(page.entries.size(), 2u);  // the old device still pulls its changes
  EXPECT_GT(page.entries.front().sequence, old_cursor);
  EXPECT_TRUE(store.crew_feed(crew, old_cursor - 1, 10).resync);  // below what is gone: full resync
  EXPECT_TRUE(store.crew_feed(crew, 0, 10).resync);

  // Once the old device has caught up, the rest goes; the head does not move back.
  store.note_cursor(DeviceId("old-dev"), crew, head, clock.now());
  EXPECT_EQ(store.prune_sync(clock.now()).feed_rows, 2);
  EXPECT_EQ(store.crew_feed_head(), head);
  const auto caught_up = store.crew_feed(crew, head, 10);
  EXPECT_FALSE(caught_up.resync);
  EXPECT_TRUE(caught_up.entries.empty());
  EXPECT_EQ(store.crew_snapshot(crew).tickets.size(), 4u);  // the resync still has every open ticket
  EXPECT_EQ(store.crew_snapshot(crew).head, head);

  // A new change after pruning reaches the devices normally.
  give(store, dispatch, "r5");
  const auto next = store.crew_feed(crew, head, 10);
  EXPECT_FALSE(next.resync);
  EXPECT_EQ(next.entries.size(), 1u);
}

TEST_F(SyncStore, NotedCursorsAreWrittenByTheNextUploadAndSurviveAReopen) {
  std::uint64_t cursor = 0;
  {
    storage::SqliteStore store(dir.file("d.db"));
    app::Dispatch dispatch(clock, zones, policy, store, store);
    const TicketId id = give(store, dispatch, "r1");
    give(store, dispatch, "r2");
    cursor = store.crew_feed_head();
    give(store, dispatch, "r3");
    store.note_cursor(DeviceId("dev-1"), crew, cursor, clock.now());
    std::vector<storage::SyncOp> ops{note("op-1", id)};
    store.apply_ops(DeviceId("dev-1"), crew, ops, clock.now());  // writes the cursor, prunes (first upload)
    EXPECT_TRUE(store.crew_feed(crew, cursor - 1, 10).resync);
    EXPECT_FALSE(store.crew_feed(crew, cursor, 10).resync);
  }
  storage::SqliteStore store(dir.file("d.db"));
  // Reopened with nothing noted: the stored cursor still holds the floor where it was.
  EXPECT_EQ(store.prune_sync(clock.now() + std::chrono::hours(2)).feed_rows, 0);
  const auto page = store.crew_feed(crew, cursor, 10);
  EXPECT_FALSE(page.resync);
  EXPECT_EQ(page.entries.size(), 2u);  // r3's assignment and op-1's change
}

TEST_F(SyncStore, DevicesUnseenForTheRetentionAreForgottenAndOldRowsGo) {
  storage::SqliteStore store(dir.file("e.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  give(store, dispatch, "r1");
  const std::uint64_t cursor = store.crew_feed_head();
  store.note_cursor(DeviceId("gone-dev"), crew, cursor, clock.now());
  give(store, dispatch, "r2");
  EXPECT_EQ(store.prune_sync(clock.now() + std::chrono::hours(24 * 6)).feed_rows, 1);  // what the device holds
  const auto later = store.prune_sync(clock.now() + std::chrono::hours(24 * 8));
  EXPECT_EQ(later.devices, 1);
  EXPECT_EQ(later.feed_rows, 1);                          // no device left: rows older than the retention go
  EXPECT_TRUE(store.crew_feed(crew, cursor, 10).resync);  // a returning device resyncs
  EXPECT_EQ(store.crew_snapshot(crew).tickets.size(), 2u);
}

}  // namespace
}  // namespace linecrew
