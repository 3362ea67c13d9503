// SqliteStore and app::Dispatch on a real SQLite file, driven directly
// with a manual clock.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "linecrew/core/crew_action.h"
#include "linecrew/core/error.h"
#include "linecrew/core/ownership.h"
#include "linecrew/core/travel.h"
#include "linecrew/server/app/dispatch.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/storage/paging.h"
#include "linecrew/server/storage/sqlite_store.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;

class Store : public ::testing::Test {
 protected:
  testing::TempDir dir{"store"};
  ManualClock clock{at("14:06")};
  ServicePolicy policy;
  ZoneMap zones = ZoneMap::load_file(config_path("zones.geojson"));

  static TicketDraft draft(const std::string& id, double lat = 30.25, double lon = 120.15) {
    TicketDraft d;
    d.client_request_id = id;
    d.customer = {"Li", "+8613800138000", "en"};
    d.location = GeoPoint(lat, lon);
    d.address = "1 Grid Road";
    d.first_contact = at("14:05");
    d.channel = Channel::kApp;
    return d;
  }

  // A crew on shift 13:00-23:00 at the test tickets' default location.
  static Crew crew_one() {
    Crew crew;
    crew.id = CrewId("C-1");
    crew.name = "Crew one";
    crew.members = {{"Wei", "Wang Wei", "A1"}};
    crew.home = GeoPoint(30.25, 120.15);
    crew.shift_start = at("13:00");
    crew.shift_end = at("23:00");
    crew.on_shift = true;
    crew.callback_phone = "+8613800138001";
    return crew;
  }
};

TEST_F(Store, StoresAndReadsBackEveryField) {
  storage::SqliteStore store(dir.file("a.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  TicketDraft d = draft("r1", 30.05, 120.35);
  d.required_skills = {"lv_cable", "meter"};
  d.priority = 7;
  d.description = "sparks at the pole";
  const auto created = dispatch.create_ticket(d);
  ASSERT_TRUE(created.created);
  EXPECT_EQ(created.ticket.id.str(), "T-000001");
  const Ticket t = dispatch.get_ticket(created.ticket.id);
  EXPECT_EQ(t.zone_class, ZoneClass::kRural);
  EXPECT_EQ(t.zone_name, "Farm belt");
  EXPECT_EQ(t.deadline, at("15:35"));
  EXPECT_EQ(t.required_skills, (std::vector<std::string>{"lv_cable", "meter"}));
  EXPECT_EQ(t.priority, 7u);
  EXPECT_EQ(t.channel, Channel::kApp);
  EXPECT_EQ(t.description, "sparks at the pole");
  EXPECT_EQ(t.tracking_token, created.ticket.tracking_token);
  EXPECT_EQ(t.version, 1u);
  ASSERT_EQ(t.timeline.size(), 1u);
  EXPECT_EQ(t.timeline[0].time, at("14:05"));
}

TEST_F(Store, IdempotentReplayAndConflict) {
  storage::SqliteStore store(dir.file("b.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  const auto a = dispatch.create_ticket(draft("x"));
  const auto b = dispatch.create_ticket(draft("x"));
  EXPECT_FALSE(b.created);
  EXPECT_EQ(a.ticket.id, b.ticket.id);
  EXPECT_EQ(a.ticket.tracking_token, b.ticket.tracking_token);  // the stored one, not a new one
  testing::expect_error([&] { dispatch.create_ticket(draft("x", 30.26)); }, ErrorCode::kAlreadyExists,
                        "client_request_id: 'x' was already used for ticket T-000001");
  EXPECT_EQ(store.count(), 1);
  testing::expect_error([&] { dispatch.get_ticket(TicketId("T-000009")); }, ErrorCode::kNotFound, "ticket_id");
}

TEST_F(Store, PagesThroughFilteredTickets) {
  storage::SqliteStore store(dir.file("c.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  for (int i = 0; i < 25; ++i) dispatch.create_ticket(draft("u" + std::to_string(i)));
  for (int i = 0; i < 5; ++i) dispatch.create_ticket(draft("m" + std::to_string(i), 30.75, 119.55));
  storage::TicketFilter f;
  f.zone_classes = {ZoneClass::kUrban};
  f.limit = 10;
  std::size_t seen = 0, pages = 0;
  do {
    const auto page = dispatch.list_tickets(f);
    for (const Ticket& t : page.tickets) EXPECT_EQ(t.zone_class, ZoneClass::kUrban);
    seen += page.tickets.size();
    ++pages;
    f.after = page.next_after;
  } while (f.after != 0);
  EXPECT_EQ(seen, 25u);
  EXPECT_EQ(pages, 3u);
}

// storage/paging.h: the loops behind the board, the report, the planner's
// rebuild and the sweeps read every match, whatever the page size.
TEST_F(Store, ThePagingHelpersReadEveryMatch) {
  storage::SqliteStore store(dir.file("paging.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  std::vector<std::string> urban_ids;
  for (int i = 0; i < 7; ++i)
    urban_ids.push_back(dispatch.create_ticket(draft("p" + std::to_string(i))).ticket.id.str());
  dispatch.create_ticket(draft("far", 30.75, 119.55));
  storage::TicketFilter urban;
  urban.zone_classes = {ZoneClass::kUrban};
  urban.limit = 2;  // the helpers read full pages whatever the caller's filter says

  std::vector<std::string> seen;
  std::size_t pages = 0;
  const auto pages_of_three = [&](const storage::TicketFilter& f) {
    EXPECT_EQ(f.limit, storage::kFullPage);
    ++pages;
    storage::TicketFilter small = f;
    small.limit = 3;
    return store.list(small);
  };
  storage::for_each_ticket_in(pages_of_three, urban, [&](Ticket& t) { seen.push_back(t.id.str()); });
  EXPECT_EQ(seen, urban_ids);
  EXPECT_EQ(pages, 3u);  // 3 + 3 + 1

  std::vector<std::string> all;
  for (const Ticket& t : storage::all_tickets(store, urban)) all.push_back(t.id.str());
  EXPECT_EQ(all, urban_ids);

  for (const char* id : {"C-2", "C-1", "C-3"}) {
    Crew c;
    c.id = CrewId(id);
    c.name = id;
    store.add_crew(c);
  }
  std::vector<std::string> crews;
  storage::for_each_crew(store, {}, [&](Crew& c) { crews.push_back(c.id.str()); });
  EXPECT_EQ(crews, (std::vector<std::string>{"C-1", "C-2", "C-3"}));
}

TEST_F(Store, ReopeningKeepsTicketsAndTellsACleanClose) {
  {
    storage::SqliteStore store(dir.file("d.db"));
    app::Dispatch(clock, zones, policy, store, store).create_ticket(draft("keep"));
    EXPECT_FALSE(store.recovered_from_unclean_shutdown());
  }
  storage::SqliteStore again(dir.file("d.db"));
  EXPECT_FALSE(again.recovered_from_unclean_shutdown());
  EXPECT_EQ(again.count(), 1);
}

TEST_F(Store, ConcurrentCreatesAreGroupCommittedWithoutLosingIdempotency) {
  storage::SqliteStore store(dir.file("g.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::map<std::string, std::set<std::string>> ids_by_request;  // request id -> ticket ids returned
  int conflicts = 0;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every request id is sent by two threads (a retry race); thread 7 changes the content.
        const std::string rid = "g" + std::to_string((t / 2) * kEach + i);
        try {
          const auto r = dispatch.create_ticket(draft(rid, t == 7 ? 30.26 : 30.25));
          std::lock_guard lock(mu);
          ids_by_request[rid].insert(r.ticket.id.str());
        } catch (const Error& e) {
          std::lock_guard lock(mu);
          EXPECT_EQ(e.code(), ErrorCode::kAlreadyExists);
          ++conflicts;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.count(), kThreads / 2 * kEach);  // one ticket per request id
  for (const auto& [rid, ids] : ids_by_request) EXPECT_EQ(ids.size(), 1u) << rid;
  EXPECT_EQ(conflicts, kEach);  // thread 7's content differs from thread 6's for each of its ids
}

TEST_F(Store, AChangeThatChangesNothingWritesNothing) {
  storage::SqliteStore store(dir.file("n.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  const TicketId id = dispatch.create_ticket(draft("n1")).ticket.id;
  const auto seq = store.last_sequence();
  const Ticket same = store.mutate(id, [](Ticket&) {});
  EXPECT_EQ(same.version, 1u);
  EXPECT_EQ(store.last_sequence(), seq);  // no board change either
  const Ticket pinned = store.mutate(id, [&](Ticket& t) {
    pin(t, CrewId("C-1"), {Actor::kDispatcher, "d"}, clock.now());
  });
  EXPECT_EQ(pinned.version, 2u);
  EXPECT_GT(store.last_sequence(), seq);
}

TEST_F(Store, AFilteredPageScatteredOverTheTableHasEachTicketsOwnHistory) {
  storage::SqliteStore store(dir.file("s.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  std::vector<TicketId> pinned;
  for (int i = 0; i < 200; ++i) {
    const TicketId id = dispatch.create_ticket(draft("s" + std::to_string(i))).ticket.id;
    if (i % 37 == 0 || i == 101 || i == 102) {  // far apart, and two neighbours
      store.mutate(id, [&](Ticket& t) {
        pin(t, CrewId("C-" + std::to_string(i)), {Actor::kDispatcher, "d"}, clock.now());
      });
      pinned.push_back(id);
    }
  }
  storage::TicketFilter f;
  f.statuses = {TicketStatus::kAssigned};
  f.limit = 3;
  std::vector<Ticket> listed;
  for (;;) {
    auto page = store.list(f);
    for (auto& t : page.tickets) listed.push_back(std::move(t));
    if (page.next_after == 0) break;
    f.after = page.next_after;
  }
  ASSERT_EQ(listed.size(), pinned.size());
  for (std::size_t k = 0; k < listed.size(); ++k) {
    EXPECT_EQ(listed[k].id, pinned[k]);
    const Ticket alone = *store.get(pinned[k]);
    ASSERT_EQ(listed[k].timeline.size(), alone.timeline.size()) << pinned[k].str();
    ASSERT_GE(listed[k].timeline.size(), 2u);  // created, then the pin's events
    for (std::size_t e = 0; e < alone.timeline.size(); ++e)
      EXPECT_EQ(listed[k].timeline[e].detail, alone.timeline[e].detail);
    EXPECT_NE(listed[k].timeline[1].detail.find(listed[k].owner.str()), std::string::npos)
        << listed[k].timeline[1].detail;
  }
}

TEST_F(Store, ReservedIdsAreStoredAsGivenAndAnAssignedNewTicketIsOnItsCrewsFeed) {
  storage::SqliteStore store(dir.file("r.db"));
  const auto ticket = [&](const std::string& request, const TicketId& id) {
    Ticket t = intake(draft(request), zones, policy, clock.now());
    t.tracking_token = app::new_tracking_token();
    t.id = id;
    return t;
  };
  const TicketId a = store.reserve_ticket_id(), b = store.reserve_ticket_id();
  EXPECT_EQ(a.str(), "T-000001");
  EXPECT_EQ(b.str(), "T-000002");
  Ticket tb = ticket("rb", b);
  assign(tb, CrewId("C-1"), {Actor::kSystem, "system:planner"}, clock.now(), "planned");
  ASSERT_TRUE(store.create(tb).created);  // b before a: each keeps its reserved id
  ASSERT_TRUE(store.create(ticket("ra", a)).created);
  const Ticket stored = *store.get(b);
  EXPECT_EQ(stored.owner, CrewId("C-1"));
  EXPECT_EQ(stored.status, TicketStatus::kAssigned);
  EXPECT_EQ(stored.timeline.size(), 2u);  // created, assigned
  EXPECT_EQ(store.get(a)->owner, CrewId());
  const auto snap = store.crew_snapshot(CrewId("C-1"));
  ASSERT_EQ(snap.tickets.size(), 1u);
  EXPECT_EQ(snap.tickets[0].id, b);
  EXPECT_GE(snap.head, 1u);  // the crew's feed has a row for it
  // Without a reserved id the store takes the next one.
  EXPECT_EQ(store.create(ticket("rc", TicketId())).ticket.id.str(), "T-000003");
  // A replay carrying a fresh reservation gets the stored ticket; the reservation is a gap.
  const auto replay = store.create(ticket("rb", store.reserve_ticket_id()));
  EXPECT_FALSE(replay.created);
  EXPECT_EQ(replay.ticket.id, b);
  EXPECT_EQ(store.reserve_ticket_id().str(), "T-000005");
  EXPECT_EQ(store.find_by_request_id("rb")->id, b);
  EXPECT_FALSE(store.find_by_request_id("nobody"));
  testing::expect_error([&] { store.create(ticket("rx", TicketId("X-1"))); }, ErrorCode::kInternal, "ticket_id");
  EXPECT_EQ(store.count(), 3);
}

TEST_F(Store, WithThePlannerConcurrentReplaysStoreAndPlanEachRequestOnce) {
  storage::SqliteStore store(dir.file("p.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  dispatch.register_crew(crew_one());
  const GeoTravelModel travel(zones, GeoTravelModel::Speeds{}, 1.3);
  app::Planning planning(clock, policy, travel, store, store, dispatch.changes(), std::chrono::milliseconds(20));
  planning.start();
  dispatch.set_planning(&planning);
  constexpr int kThreads = 6, kEach = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {  // every request id from two threads: a retry race
        const auto r = dispatch.create_ticket(draft("p" + std::to_string((t / 2) * kEach + i), 30.25 + 0.001 * i));
        if (!r.ticket.owner.empty()) {
          EXPECT_EQ(r.ticket.status, TicketStatus::kAssigned);
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.count(), kThreads / 2 * kEach);
  // The losers of each race took their planned copy back out: one plan entry per stored ticket.
  EXPECT_EQ(planning.stats().planned, static_cast<std::size_t>(store.count()));
  storage::TicketFilter f;
  f.limit = 1000;
  int assigned = 0;
  for (const Ticket& t : store.list(f).tickets) {
    ASSERT_TRUE(planning.view(t.id)) << t.id.str();
    if (!t.owner.empty()) ++assigned;
  }
  EXPECT_GT(assigned, 0);  // planned at intake and stored with the crew
  dispatch.set_planning(nullptr);
}

// Escalations (rules §7) are stored with their ticket, survive a reopen,
// and the desk's queue lists them by state, kind and ticket, page by page.
TEST_F(Store, EscalationsAreStoredWithTheirTicketAndListedByStatePageByPage) {
  std::vector<TicketId> ids;
  {
    storage::SqliteStore store(dir.file("e.db"));
    app::Dispatch dispatch(clock, zones, policy, store, store);
    for (int i = 0; i < 5; ++i) ids.push_back(dispatch.create_ticket(draft("e" + std::to_string(i))).ticket.id);
    for (const TicketId& id : ids)
      store.mutate(id, [&](Ticket& t) {
        open_escalation(t, EscalationKind::kStalled, "stalled:1", "no progress", at("16:10"));
        open_escalation(t, EscalationKind::kCrewNeedsHelp, "help:1", "crew asks for help", at("16:11"));
      });
    const auto acked = dispatch.acknowledge_escalation(ids[1].str() + "/2", "desk 3 (tok_a)");
    EXPECT_EQ(acked.escalation.state(), EscalationState::kAcknowledged);
    dispatch.resolve_escalation(ids[2].str() + "/1", "desk 3 (tok_a)", "crew reached by radio");
    testing::expect_error([&] { dispatch.acknowledge_escalation(ids[2].str() + "/1", "desk 4 (tok_b)"); },
                          ErrorCode::kFailedPrecondition, "already resolved");
    testing::expect_error([&] { dispatch.acknowledge_escalation("T-999999/1", "desk"); }, ErrorCode::kNotFound,
                          "escalation_id");
    testing::expect_error([&] { dispatch.acknowledge_escalation(ids[0].str() + "/9", "desk"); }, ErrorCode::kNotFound,
                          "escalation_id");
    testing::expect_error([&] { dispatch.acknowledge_escalation("T-000001", "desk"); }, ErrorCode::kInvalidArgument,
                          "escalation_id");
    // A rejected answer stored nothing: the escalation is as it was.
    EXPECT_EQ(dispatch.get_ticket(ids[0]).escalations.size(), 2U);
    EXPECT_EQ(dispatch.get_ticket(ids[0]).escalations[1].state(), EscalationState::kOpen);
  }
  storage::SqliteStore store(dir.file("e.db"));  // reopened: read back from the file
  const Ticket t1 = *store.get(ids[1]);
  ASSERT_EQ(t1.escalations.size(), 2U);
  EXPECT_EQ(t1.escalations[1].kind, EscalationKind::kCrewNeedsHelp);
  EXPECT_EQ(t1.escalations[1].acknowledged_by, "desk 3 (tok_a)");
  EXPECT_EQ(t1.escalations[1].acknowledged_at, at("14:06"));
  EXPECT_EQ(t1.escalations[0].opened, at("16:10"));
  EXPECT_EQ(store.get(ids[2])->escalations[0].resolution, "crew reached by radio");

  storage::EscalationFilter open;
  open.states = {EscalationState::kOpen};
  open.limit = 3;
  std::vector<std::string> seen;
  for (;;) {
    const auto page = store.list_escalations(open);
    for (const auto& e : page.escalations) seen.push_back(escalation_id(e.ticket, e.escalation.n));
    if (page.next_after.empty()) break;
    open.after = page.next_after;
  }
  // 10 opened, one acknowledged, one resolved: 8 open, in ticket order then number.
  ASSERT_EQ(seen.size(), 8U);
  EXPECT_EQ(seen.front(), ids[0].str() + "/1");
  EXPECT_EQ(seen[2], ids[1].str() + "/1");
  EXPECT_EQ(seen[3], ids[2].str() + "/2");
  storage::EscalationFilter help;
  help.kinds = {EscalationKind::kCrewNeedsHelp};
  help.states = {EscalationState::kOpen, EscalationState::kAcknowledged};
  EXPECT_EQ(store.list_escalations(help).escalations.size(), 5U);
  storage::EscalationFilter one;
  one.ticket = ids[2];
  const auto all_of_one = store.list_escalations(one).escalations;
  ASSERT_EQ(all_of_one.size(), 2U);
  EXPECT_EQ(all_of_one[0].escalation.state(), EscalationState::kResolved);
  const EscalationFigures f = store.unresolved_escalations();
  EXPECT_EQ(f.open, 8U);
  EXPECT_EQ(f.acknowledged, 1U);
  EXPECT_EQ(f.resolved, 0U);  // resolved ones are not read
  storage::EscalationFilter bad;
  bad.after = "not-an-id";
  testing::expect_error([&] { store.list_escalations(bad); }, ErrorCode::kInvalidArgument, "page_token");
}

// The stall sweep opens one escalation per stalled open ticket, once.
TEST_F(Store, TheStallSweepEscalatesStalledTicketsOnce) {
  storage::SqliteStore store(dir.file("s.db"));
  policy.stalled_after = minutes(120);
  app::Dispatch dispatch(clock, zones, policy, store, store);
  const TicketId a = dispatch.create_ticket(draft("s1")).ticket.id;
  const TicketId b = dispatch.create_ticket(draft("s2")).ticket.id;
  dispatch.cancel_ticket(b, "duplicate", {Actor::kDispatcher, "dispatcher:tok_1"});
  EXPECT_EQ(dispatch.sweep_stalled(), 0U);
  clock.set(at("16:06") + seconds(1));
  EXPECT_EQ(dispatch.sweep_stalled(), 1U);
  EXPECT_EQ(dispatch.sweep_stalled(), 0U);
  const Ticket t = dispatch.get_ticket(a);
  ASSERT_EQ(t.escalations.size(), 1U);
  EXPECT_EQ(t.escalations[0].kind, EscalationKind::kStalled);
  EXPECT_TRUE(dispatch.get_ticket(b).escalations.empty());
}

// Issue 19: a ticket waiting for its return visit (RETURN_VISIT_OWED: the
// crew has been and committed a return time; the return-visit ticket is what
// gets planned) is not the planner's; after a restart it must not come back
// into the plan and take a crew's time.
TEST_F(Store, AfterARestartATicketOwingAReturnVisitIsNotPlanned) {
  storage::SqliteStore store(dir.file("rv.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  dispatch.register_crew(crew_one());
  const TicketId owed = dispatch.create_ticket(draft("rv1")).ticket.id;
  const TicketId open = dispatch.create_ticket(draft("rv2", 30.26)).ticket.id;
  const ActorRef planner{Actor::kSystem, "system:planner"};
  store.mutate(owed, [&](Ticket& t) {
    assign(t, CrewId("C-1"), planner, at("14:06"), "planned");
    CrewAction a;
    a.crew = CrewId("C-1");
    for (const auto k : {CrewActionKind::kAccept, CrewActionKind::kArrived, CrewActionKind::kCannotFix}) {
      a.kind = k;
      a.event_time = at("14:30");
      a.text = "transformer needs replacing";
      a.committed_return = at("18:00");
      ASSERT_EQ(apply_crew_action(t, a, at("14:30")).outcome, ActionOutcome::kApplied);
    }
  });
  ASSERT_EQ(store.get(owed)->status, TicketStatus::kReturnVisitOwed);
  // The server starts again: the plan is rebuilt from the store.
  const GeoTravelModel travel(zones, GeoTravelModel::Speeds{}, 1.3);
  app::Planning planning(clock, policy, travel, store, store, dispatch.changes(), std::chrono::milliseconds(20));
  planning.start();
  EXPECT_FALSE(planning.view(owed)) << "a RETURN_VISIT_OWED ticket was loaded into the plan";
  EXPECT_TRUE(planning.view(open));
  for (const auto& stop : planning.crew_route(CrewId("C-1"))) EXPECT_NE(stop.ticket, owed);
  EXPECT_EQ(planning.stats().planned, 1U);
  EXPECT_EQ(store.get(owed)->status, TicketStatus::kReturnVisitOwed);  // left as the crew left it
}

TEST(TrackingToken, Is128RandomBitsInBase64Url) {
  const std::string a = app::new_tracking_token(), b = app::new_tracking_token();
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
  for (const char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << a;
}

}  // namespace
}  // namespace linecrew
