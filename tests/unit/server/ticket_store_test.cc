// SqliteStore and app::Dispatch on a real SQLite file, driven directly
// with a manual clock.
#include <gtest/gtest.h>

#include <functional>
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
    EXPECT_NE(listed[k].timeline.back().detail.find(listed[k].owner.str()), std::string::npos)  // "pinned to C-…"
        << listed[k].timeline.back().detail;
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

// Follow-ups and complaints (rules §7), built directly: the store's business
// is keeping them, not the rules that make them.
FollowUp follow_up(std::uint32_t n, const std::string& key, TimePoint due) {
  FollowUp f;
  f.n = n;
  f.reason = n == 1 ? FollowUpReason::kRestoration : FollowUpReason::kPromise;
  f.key = key;
  f.detail = "call about " + key;
  f.opened = at("14:06");
  f.first_due = due;
  f.due = due;
  f.opened_by = "system";
  return f;
}

Complaint complaint(std::uint32_t n, ComplaintCause cause, ComplaintSeverity severity, TimePoint recorded) {
  Complaint c;
  c.n = n;
  c.name = "Li Na";
  c.address = "1 Grid Road";
  c.phone = "+8613800138000";
  c.cause = cause;
  c.reason = "nobody told me";
  c.severity = severity;
  c.recorded_by = "desk 3 (tok_a)";
  c.recorded = recorded;
  return c;
}

// Stored with their ticket by create and mutate, changed as the rules allow,
// and read back the same after a reopen.
TEST_F(Store, FollowUpsAndComplaintsAreStoredWithTheirTicketAndSurviveAReopen) {
  Ticket expected_a, expected_b;
  {
    storage::SqliteStore store(dir.file("fc.db"));
    app::Dispatch dispatch(clock, zones, policy, store, store);
    // Created with them (create's path).
    Ticket t = intake(draft("fc1"), zones, policy, clock.now());
    t.tracking_token = app::new_tracking_token();
    t.follow_ups = {follow_up(1, "restored", at("20:00")), follow_up(2, "promise:1", at("18:00"))};
    t.follow_ups[1].parent = 1;
    t.complaints = {complaint(1, ComplaintCause::kNotInformed, ComplaintSeverity::kSerious, at("14:06"))};
    const Ticket a = store.create(t).ticket;
    EXPECT_EQ(store.get(a.id)->follow_ups, t.follow_ups);
    EXPECT_EQ(store.get(a.id)->complaints, t.complaints);

    // Appended later (mutate's path), then changed the ways the rules allow, each its own version.
    const TicketId b = dispatch.create_ticket(draft("fc2")).ticket.id;
    store.mutate(b, [&](Ticket& x) {
      x.follow_ups.push_back(follow_up(1, "cannot_fix:1", at("16:00")));
      x.complaints.push_back(complaint(1, ComplaintCause::kLateArrival, ComplaintSeverity::kOrdinary, at("14:10")));
      x.complaints.push_back(complaint(2, ComplaintCause::kOther, ComplaintSeverity::kOrdinary, at("14:20")));
    });
    const Ticket called = store.mutate(b, [&](Ticket& x) {  // unreachable, then an overdue apology
      FollowUp& f = x.follow_ups[0];
      f.attempts = 2;
      f.last_attempt = at("15:00");
      f.apologies = 1;
      f.due = at("19:00");
    });
    EXPECT_EQ(called.version, 3U);
    const auto seq = store.last_sequence();
    const Ticket done = store.mutate(b, [&](Ticket& x) {
      FollowUp& f = x.follow_ups[0];
      f.outcome = FollowUpOutcome::kNotSatisfied;
      f.done_at = at("18:30");
      f.done_by = "desk 4 (tok_b)";
      f.note = "still cross";
      Complaint& c = x.complaints[1];
      c.closed_at = at("18:40");
      c.closed_by = "desk 4 (tok_b)";
      c.outcome = "apologised; crew briefed";
    });
    EXPECT_EQ(done.version, 4U);  // a change to the records alone is a change
    EXPECT_GT(store.last_sequence(), seq);
    expected_a = *store.get(a.id);
    expected_b = *store.get(b);
    EXPECT_EQ(expected_b.follow_ups, done.follow_ups);
    EXPECT_EQ(expected_b.complaints, done.complaints);
  }
  storage::SqliteStore store(dir.file("fc.db"));  // reopened: read back from the file
  const Ticket a = *store.get(expected_a.id);
  EXPECT_EQ(a.follow_ups, expected_a.follow_ups);
  EXPECT_EQ(a.complaints, expected_a.complaints);
  ASSERT_EQ(a.follow_ups.size(), 2U);
  EXPECT_EQ(a.follow_ups[1].parent, 1U);
  EXPECT_EQ(a.follow_ups[1].reason, FollowUpReason::kPromise);
  EXPECT_FALSE(a.follow_ups[0].outcome);
  EXPECT_FALSE(a.follow_ups[0].last_attempt);
  const Ticket b = *store.get(expected_b.id);
  EXPECT_EQ(b.follow_ups, expected_b.follow_ups);
  EXPECT_EQ(b.complaints, expected_b.complaints);
  ASSERT_EQ(b.follow_ups.size(), 1U);
  EXPECT_EQ(b.follow_ups[0].outcome, FollowUpOutcome::kNotSatisfied);
  EXPECT_EQ(b.follow_ups[0].due, at("19:00"));
  EXPECT_EQ(b.follow_ups[0].first_due, at("16:00"));
  EXPECT_EQ(b.follow_ups[0].last_attempt, at("15:00"));
  EXPECT_EQ(b.follow_ups[0].attempts, 2U);
  EXPECT_EQ(b.follow_ups[0].done_by, "desk 4 (tok_b)");
  ASSERT_EQ(b.complaints.size(), 2U);
  EXPECT_TRUE(b.complaints[0].open());
  EXPECT_EQ(b.complaints[1].closed_at, at("18:40"));
  EXPECT_EQ(b.complaints[1].outcome, "apologised; crew briefed");
  EXPECT_EQ(b.complaints[0].cause, ComplaintCause::kLateArrival);
  // The list reads them too.
  storage::TicketFilter all;
  const auto listed = store.list(all).tickets;
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].follow_ups, a.follow_ups);
  EXPECT_EQ(listed[1].complaints, b.complaints);
}

// The desk's queues: owed follow-ups (by reply time, by ticket, page by
// page), the overdue sweep's tickets, open complaints, and the figures.
TEST_F(Store, FollowUpsAndComplaintsAreListedAcrossTicketsPageByPage) {
  storage::SqliteStore store(dir.file("fl.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  std::vector<TicketId> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(dispatch.create_ticket(draft("fl" + std::to_string(i))).ticket.id);
  // Ticket i: F1 due 15:00 + i h, F2 due 20:00; ticket 1's F1 is done, ticket 3's F2 is done.
  // Complaints: ticket 0 two (one closed), ticket 2 one serious; ticket 1 and 3 none.
  for (int i = 0; i < 4; ++i)
    store.mutate(ids[i], [&](Ticket& t) {
      t.follow_ups.push_back(follow_up(1, "restored", at("15:00") + hours(i)));
      t.follow_ups.push_back(follow_up(2, "promise:1", at("20:00")));
      t.follow_ups[1].attempts = 1;
      t.follow_ups[1].apologies = static_cast<std::uint32_t>(i);
      if (i == 1) {
        t.follow_ups[0].outcome = FollowUpOutcome::kSatisfied;
        t.follow_ups[0].done_at = at("15:30");
      }
      if (i == 3) {
        t.follow_ups[1].outcome = FollowUpOutcome::kSatisfied;
        t.follow_ups[1].done_at = at("16:00");
      }
      if (i == 0) {
        t.complaints.push_back(complaint(1, ComplaintCause::kLateArrival, ComplaintSeverity::kOrdinary, at("14:30")));
        t.complaints.push_back(complaint(2, ComplaintCause::kOther, ComplaintSeverity::kOrdinary, at("14:40")));
        t.complaints[1].closed_at = at("15:40");
        t.complaints[1].closed_by = "desk";
        t.complaints[1].outcome = "fixed";
      }
      if (i == 2)
        t.complaints.push_back(complaint(1, ComplaintCause::kStaffConduct, ComplaintSeverity::kSerious, at("14:20")));
    });
  const auto names = [](const storage::FollowUpPage& page) {
    std::vector<std::string> out;
    for (const auto& e : page.follow_ups) out.push_back(follow_up_id(e.ticket, e.follow_up.n));
    return out;
  };
  const auto id = [&](int i, int n) { return follow_up_id(ids[i], static_cast<std::uint32_t>(n)); };

  storage::FollowUpFilter owed;  // owed_only by default
  EXPECT_EQ(names(store.list_follow_ups(owed)),
            (std::vector<std::string>{id(0, 1), id(0, 2), id(1, 2), id(2, 1), id(2, 2), id(3, 1)}));
  storage::FollowUpFilter every;
  every.owed_only = false;
  EXPECT_EQ(store.list_follow_ups(every).follow_ups.size(), 8U);
  storage::FollowUpFilter overdue;
  overdue.due_before = at("16:30");  // 15:00, 16:00 owed; 16:00 on ticket 1 is done
  EXPECT_EQ(names(store.list_follow_ups(overdue)), (std::vector<std::string>{id(0, 1)}));
  overdue.due_before = at("17:30");
  EXPECT_EQ(names(store.list_follow_ups(overdue)), (std::vector<std::string>{id(0, 1), id(2, 1)}));
  storage::FollowUpFilter one;
  one.ticket = ids[1];
  one.owed_only = false;
  const auto of_one = store.list_follow_ups(one).follow_ups;
  ASSERT_EQ(of_one.size(), 2U);
  EXPECT_EQ(of_one[0].ticket, ids[1]);
  EXPECT_EQ(of_one[0].follow_up.outcome, FollowUpOutcome::kSatisfied);
  EXPECT_EQ(of_one[1].follow_up.key, "promise:1");
  one.ticket = TicketId("T-999999");
  EXPECT_TRUE(store.list_follow_ups(one).follow_ups.empty());

  // Page by page: 6 owed in pages of 4 and 2; the cursor is the last id.
  storage::FollowUpFilter paged;
  paged.limit = 4;
  const auto first = store.list_follow_ups(paged);
  ASSERT_EQ(first.follow_ups.size(), 4U);
  EXPECT_EQ(first.next_after, id(2, 1));
  paged.after = first.next_after;
  const auto second = store.list_follow_ups(paged);
  EXPECT_EQ(names(second), (std::vector<std::string>{id(2, 2), id(3, 1)}));
  EXPECT_TRUE(second.next_after.empty());
  paged.limit = 2;
  paged.after = id(1, 2);
  const auto full = store.list_follow_ups(paged);
  EXPECT_EQ(names(full), (std::vector<std::string>{id(2, 1), id(2, 2)}));
  EXPECT_EQ(full.next_after, id(2, 2));
  paged.after = id(2, 1);  // an exact fit: no page after it
  const auto exact = store.list_follow_ups(paged);
  EXPECT_EQ(names(exact), (std::vector<std::string>{id(2, 2), id(3, 1)}));
  EXPECT_TRUE(exact.next_after.empty());
  paged.limit = 0;  // clamped to 1
  paged.after.clear();
  EXPECT_EQ(store.list_follow_ups(paged).follow_ups.size(), 1U);
  for (const std::string& bad : std::vector<std::string>{"not-an-id", ids[0].str() + "/1", ids[0].str() + "/C1"}) {
    storage::FollowUpFilter f;
    f.after = bad;
    testing::expect_error([&] { store.list_follow_ups(f); }, ErrorCode::kInvalidArgument, "page_token");
  }

  EXPECT_TRUE(store.tickets_with_overdue_follow_ups(at("15:00")).empty());  // due 15:00 is not yet overdue at 15:00
  EXPECT_EQ(store.tickets_with_overdue_follow_ups(at("17:30")), (std::vector<TicketId>{ids[0], ids[2]}));
  EXPECT_EQ(store.tickets_with_overdue_follow_ups(at("21:00")),
            (std::vector<TicketId>{ids[0], ids[1], ids[2], ids[3]}));

  const FollowUpFigures figures = store.owed_follow_ups(at("17:30"));
  EXPECT_EQ(figures.opened, 6U);  // only the owed ones are read
  EXPECT_EQ(figures.done, 0U);
  EXPECT_EQ(figures.overdue, 2U);
  EXPECT_EQ(figures.fell_due, 2U);
  EXPECT_EQ(figures.apologies, 0U + 1U + 2U);  // ticket 3's F2 is done
  EXPECT_EQ(figures.unreachable_attempts, 3U);

  storage::ComplaintFilter open;  // open_only by default
  const auto open_page = store.list_complaints(open);
  ASSERT_EQ(open_page.complaints.size(), 2U);
  EXPECT_EQ(complaint_id(open_page.complaints[0].ticket, open_page.complaints[0].complaint.n), ids[0].str() + "/C1");
  EXPECT_EQ(complaint_id(open_page.complaints[1].ticket, open_page.complaints[1].complaint.n), ids[2].str() + "/C1");
  EXPECT_EQ(open_page.complaints[1].complaint.severity, ComplaintSeverity::kSerious);
  EXPECT_TRUE(open_page.next_after.empty());
  storage::ComplaintFilter all;
  all.open_only = false;
  all.limit = 2;
  const auto all_first = store.list_complaints(all);
  ASSERT_EQ(all_first.complaints.size(), 2U);
  EXPECT_EQ(all_first.complaints[1].complaint.outcome, "fixed");
  EXPECT_EQ(all_first.next_after, ids[0].str() + "/C2");
  all.after = all_first.next_after;
  const auto all_second = store.list_complaints(all);
  ASSERT_EQ(all_second.complaints.size(), 1U);
  EXPECT_EQ(all_second.complaints[0].ticket, ids[2]);
  EXPECT_TRUE(all_second.next_after.empty());
  storage::ComplaintFilter of_ticket;
  of_ticket.open_only = false;
  of_ticket.ticket = ids[0];
  EXPECT_EQ(store.list_complaints(of_ticket).complaints.size(), 2U);
  storage::ComplaintFilter bad;
  bad.after = ids[0].str() + "/F1";
  testing::expect_error([&] { store.list_complaints(bad); }, ErrorCode::kInvalidArgument, "page_token");

  const ComplaintFigures complaints = store.open_complaints();
  EXPECT_EQ(complaints.recorded, 2U);  // only the open ones are read
  EXPECT_EQ(complaints.open, 2U);
  EXPECT_EQ(complaints.serious, 1U);
  EXPECT_EQ(complaints.satisfied, 0U);
  EXPECT_EQ(complaints.oldest_open, at("14:20"));
  EXPECT_EQ(complaints.by_cause[static_cast<std::size_t>(ComplaintCause::kStaffConduct)], 1U);
  EXPECT_EQ(complaints.by_cause[static_cast<std::size_t>(ComplaintCause::kLateArrival)], 1U);
}

// What a follow-up or complaint was may not be rewritten, nor may either be
// removed: the change is refused (kInternal) and nothing is written.
TEST_F(Store, RewritingOrRemovingAFollowUpOrComplaintWritesNothing) {
  storage::SqliteStore store(dir.file("fr.db"));
  app::Dispatch dispatch(clock, zones, policy, store, store);
  const TicketId id = dispatch.create_ticket(draft("fr1")).ticket.id;
  store.mutate(id, [&](Ticket& t) {
    t.follow_ups.push_back(follow_up(1, "restored", at("16:00")));
    t.complaints.push_back(complaint(1, ComplaintCause::kOther, ComplaintSeverity::kOrdinary, at("14:06")));
  });
  const Ticket before = *store.get(id);
  const auto seq = store.last_sequence();
  const auto refused = [&](const std::function<void(Ticket&)>& change, const std::string& needle) {
    testing::expect_error([&] { store.mutate(id, change); }, ErrorCode::kInternal, needle);
    const Ticket after = *store.get(id);
    EXPECT_EQ(after.version, before.version);
    EXPECT_EQ(after.follow_ups, before.follow_ups);
    EXPECT_EQ(after.complaints, before.complaints);
    EXPECT_EQ(after.timeline.size(), before.timeline.size());
    EXPECT_EQ(store.last_sequence(), seq);
  };
  refused(
      [](Ticket& t) {
        t.follow_ups[0].key = "cannot_fix:1";
        t.follow_ups[0].outcome = FollowUpOutcome::kSatisfied;  // allowed alone, not with the key
        t.timeline.push_back({at("14:07"), "note", "system", "x"});
      },
      "a follow-up may only");
  refused([](Ticket& t) { t.follow_ups[0].first_due = at("17:00"); }, "a follow-up may only");
  refused(
      [](Ticket& t) {
        t.complaints[0].severity = ComplaintSeverity::kSerious;
        t.complaints[0].closed_at = at("15:00");
      },
      "a complaint may only be closed");
  refused([](Ticket& t) { t.follow_ups.clear(); }, "appended");
  refused([](Ticket& t) { t.complaints.pop_back(); }, "appended");
  // In a batch, the refused ticket is left as it was and the others are written.
  const TicketId other = dispatch.create_ticket(draft("fr2")).ticket.id;
  const auto results = store.mutate_many({id, other}, [](Ticket& t) {
    if (t.follow_ups.empty())
      t.follow_ups.push_back(follow_up(1, "restored", at("16:00")));
    else
      t.follow_ups[0].reason = FollowUpReason::kCannotFix;
  });
  ASSERT_EQ(results.size(), 2U);
  EXPECT_FALSE(results[0]);
  ASSERT_TRUE(results[1]);
  EXPECT_EQ(store.get(id)->follow_ups, before.follow_ups);
  EXPECT_EQ(store.get(other)->follow_ups.size(), 1U);
}

// A stored follow-up or complaint that no longer parses is a broken invariant.
TEST_F(Store, AFollowUpOrComplaintThatDoesNotParseIsAnInternalError) {
  const std::string file = dir.file("fx.db");
  TicketId id;
  {
    storage::SqliteStore store(file);
    app::Dispatch dispatch(clock, zones, policy, store, store);
    id = dispatch.create_ticket(draft("fx1")).ticket.id;
    store.mutate(id, [&](Ticket& t) {
      t.follow_ups.push_back(follow_up(1, "restored", at("16:00")));
      t.complaints.push_back(complaint(1, ComplaintCause::kOther, ComplaintSeverity::kOrdinary, at("14:06")));
    });
  }
  const auto after = [&](const char* sql) {
    storage::Database::open(file).exec(sql);
    return storage::SqliteStore(file).get(id);
  };
  testing::expect_error([&] { after("UPDATE follow_ups SET outcome = 'pleased'"); }, ErrorCode::kInternal,
                        "corrupt follow-up outcome");
  EXPECT_FALSE(after("UPDATE follow_ups SET outcome = ''")->follow_ups[0].outcome);  // '': none yet
  testing::expect_error([&] { after("UPDATE complaints SET severity = 'grave'"); }, ErrorCode::kInternal,
                        "corrupt complaint severity");
}

TEST(TrackingToken, Is128RandomBitsInBase64Url) {
  const std::string a = app::new_tracking_token(), b = app::new_tracking_token();
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
  for (const char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << a;
}

}  // namespace
}  // namespace linecrew
