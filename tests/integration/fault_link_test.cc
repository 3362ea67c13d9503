// One fault, many callers (issue 19, rules §7) against the real server
// process on simulated time: twenty calls about one transformer are linked
// at intake to the first, and the plan has one stop for them; the callers
// follow the lead's crew, arrival and restoration while keeping their own
// deadlines; the desk links and unlinks with linecrewctl; a restart keeps
// the callers out of the plan; bad links are clear errors that change nothing.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ctl_run.h"
#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "sim_server.h"

namespace linecrew {
namespace {

using testing::contains;
using testing::ctl;
using testing::CtlRun;
using testing::iso;
using testing::secs;
using testing::SimServer;

// The transformer: callers within a few tens of metres of it.
constexpr double kLat = 30.2500;
constexpr double kLon = 120.1500;

class FaultLink : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"C-01", "C-02", "C-03"}) tokens.push_back(server.add_crew(id, 30.26, 120.16));
    stub = v1::DispatchService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  }

  // Twenty calls about one fault, a minute apart from 14:00, each a few metres from the last.
  std::vector<v1::Ticket> twenty_calls() {
    std::vector<v1::Ticket> out;
    for (int i = 0; i < 20; ++i) {
      char hhmm[6];
      std::snprintf(hhmm, sizeof hhmm, "14:%02d", i);
      out.push_back(server.create_ticket("call-" + std::to_string(i), hhmm, kLat + i * 0.00002, kLon));
    }
    return out;
  }

  // A full resync of `crew_token`'s handheld: the tickets it is sent and its planned stops.
  v1::PullResponse pull(const std::string& crew_token) {
    auto sync = v1::CrewSyncService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + crew_token);
    v1::PullRequest req;
    req.set_cursor(0);
    v1::PullResponse resp;
    const auto s = sync->Pull(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // The token of the crew that owns `ticket` (the planner chose it).
  std::string token_of(const v1::Ticket& t) {
    const std::string& crew = t.owner_crew_id();
    return crew == "C-01" ? tokens[0] : crew == "C-02" ? tokens[1] : tokens[2];
  }

  // Waits (up to 10 s) until every ticket in `ids` satisfies `ok`.
  template <class Pred>
  bool eventually(const std::vector<std::string>& ids, Pred ok) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      bool all = true;
      for (const auto& id : ids) all = all && ok(server.get(id));
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  SimServer server{"fault-link", "14:00", "", true};
  std::vector<std::string> tokens;
  std::unique_ptr<v1::DispatchService::Stub> stub;
};

TEST_F(FaultLink, TwentyCallsAboutOneFaultAreOnePlannedStop) {
  server.set_clock("14:19");
  const auto calls = twenty_calls();
  const std::string lead = calls[0].id();
  EXPECT_TRUE(calls[0].fault_ticket_id().empty());
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_EQ(calls[i].fault_ticket_id(), lead) << i;

  const v1::Ticket l = server.get(lead);
  EXPECT_EQ(l.fault_callers(), 19U);
  ASSERT_FALSE(l.owner_crew_id().empty());
  // The crew's handheld gets one ticket and one stop for the twenty customers.
  const v1::PullResponse p = pull(token_of(l));
  ASSERT_EQ(p.changes_size(), 1);
  EXPECT_EQ(p.changes(0).ticket().id(), lead);
  ASSERT_EQ(p.plan().stops_size(), 1);
  EXPECT_EQ(p.plan().stops(0).ticket_id(), lead);
  // No other crew is sent to the pole.
  for (const auto& tok : tokens) {
    if (tok == token_of(l)) continue;
    EXPECT_EQ(pull(tok).plan().stops_size(), 0);
  }
  // Every caller is the lead's crew's, with an ETA, and keeps its own deadline.
  std::vector<std::string> ids;
  for (const auto& c : calls) ids.push_back(c.id());
  EXPECT_TRUE(
      eventually(ids, [&](const v1::Ticket& t) { return t.owner_crew_id() == l.owner_crew_id() && t.has_eta(); }));
  EXPECT_EQ(server.get(calls[19].id()).deadline().seconds(), secs("14:19") + 45 * 60);
  EXPECT_EQ(l.deadline().seconds(), secs("14:00") + 45 * 60);

  v1::ListTicketsRequest req;
  req.set_fault_ticket_id(lead);
  v1::ListTicketsResponse linked;
  ASSERT_TRUE(stub->ListTickets(server.ctx().get(), req, &linked).ok());
  EXPECT_EQ(linked.tickets_size(), 19);
}

TEST_F(FaultLink, CallersFollowTheLeadsArrivalAndRestorationAndEachIsJudgedByItsOwnDeadline) {
  server.set_clock("14:19");
  const auto calls = twenty_calls();
  const v1::Ticket l = server.get(calls[0].id());
  const std::string tok = token_of(l);
  int op = 1;
  const auto act = [&](const std::string& hhmm, const std::function<void(v1::CrewAction&)>& fill) {
    server.set_clock(hhmm);
    const auto ack = server.upload(tok, secs(hhmm), "hh-1", op++, [&](v1::CrewAction& a) {
      a.set_ticket_id(l.id());
      fill(a);
    });
    EXPECT_EQ(ack.result(), v1::ACTION_RESULT_APPLIED) << ack.reason();
  };
  act("14:20", [](v1::CrewAction& a) { a.mutable_en_route(); });
  act("14:50", [](v1::CrewAction& a) { a.mutable_arrived(); });  // late for the first caller (14:45)
  std::vector<std::string> members;
  for (std::size_t i = 1; i < calls.size(); ++i) members.push_back(calls[i].id());
  ASSERT_TRUE(eventually(members, [](const v1::Ticket& t) {
    bool arrived_then = false;  // the lead's arrival time, on this customer's own timeline
    for (const auto& e : t.timeline())
      arrived_then = arrived_then || (e.kind() == v1::TICKET_EVENT_KIND_ARRIVED && e.time().seconds() == secs("14:50"));
    return t.status() == v1::TICKET_STATUS_ON_SITE && arrived_then;
  }));
  // 14:50 is after the 14:00 and 14:04 callers' deadlines, before the 14:05 caller's.
  EXPECT_EQ(server.get(calls[0].id()).compliance().compliance(), v1::COMPLIANCE_VIOLATION);
  EXPECT_EQ(server.get(calls[4].id()).compliance().compliance(), v1::COMPLIANCE_VIOLATION);
  EXPECT_EQ(server.get(calls[5].id()).compliance().compliance(), v1::COMPLIANCE_ON_TIME);
  act("15:30", [](v1::CrewAction& a) { a.mutable_restored(); });
  ASSERT_TRUE(eventually(members, [](const v1::Ticket& t) {
    return t.status() == v1::TICKET_STATUS_RESTORED && t.follow_ups_size() == 1;  // each customer is owed a call
  }));
}

TEST_F(FaultLink, TheDeskLinksAndUnlinksWithLinecrewctlAndBadLinksChangeNothing) {
  const v1::Ticket a = server.create_ticket("a", "14:00");
  // 2 km away: not the same fault by distance.
  const v1::Ticket b = server.create_ticket("b", "14:00", kLat + 0.018, kLon);
  EXPECT_TRUE(b.fault_ticket_id().empty());

  CtlRun r = ctl(server, "tickets link " + b.id() + " " + a.id());
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(server.get(b.id()).fault_ticket_id(), a.id());
  r = ctl(server, "tickets show " + a.id());
  EXPECT_TRUE(contains(r.out, "callers linked to this fault: 1")) << r.out;
  r = ctl(server, "tickets list --fault " + a.id());
  EXPECT_TRUE(contains(r.out, b.id())) << r.out;

  // The lead of others cannot itself be linked; nor a ticket to itself or to an unknown one.
  const v1::Ticket c = server.create_ticket("c", "14:01", kLat + 0.036, kLon);
  r = ctl(server, "tickets link " + a.id() + " " + c.id());
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "FAILED_PRECONDITION") && contains(r.out, "ticket_id")) << r.out;
  r = ctl(server, "tickets link " + c.id() + " " + c.id());
  EXPECT_TRUE(contains(r.out, "INVALID_ARGUMENT") && contains(r.out, "fault_ticket_id")) << r.out;
  r = ctl(server, "tickets link " + c.id() + " T-999999");
  EXPECT_TRUE(contains(r.out, "NOT_FOUND") && contains(r.out, "fault_ticket_id")) << r.out;
  EXPECT_TRUE(server.get(c.id()).fault_ticket_id().empty());
  EXPECT_TRUE(server.get(a.id()).fault_ticket_id().empty());

  r = ctl(server, "tickets unlink " + b.id());
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(server.get(b.id()).fault_ticket_id().empty());
  // Planned on its own again: a crew of its own.
  EXPECT_TRUE(eventually({b.id()}, [](const v1::Ticket& t) { return !t.owner_crew_id().empty(); }));
}

TEST_F(FaultLink, ARestartKeepsTheCallersOutOfThePlan) {
  server.set_clock("14:19");
  const auto calls = twenty_calls();
  server.restart();
  const v1::Ticket l = server.get(calls[0].id());
  const v1::PullResponse p = pull(token_of(l));
  EXPECT_EQ(p.plan().stops_size(), 1);
  EXPECT_EQ(l.fault_callers(), 19U);
  // The lead is planned against its earliest caller's deadline, and each caller keeps its crew.
  for (const auto& c : calls) EXPECT_EQ(server.get(c.id()).owner_crew_id(), l.owner_crew_id());
}

TEST_F(FaultLink, ACancelledLeadHandsItsCallersBackToBePlannedOnTheirOwn) {
  server.set_clock("14:02");
  const v1::Ticket a = server.create_ticket("a", "14:00");
  const v1::Ticket b = server.create_ticket("b", "14:01", kLat + 0.0001, kLon);
  ASSERT_EQ(b.fault_ticket_id(), a.id());
  ASSERT_TRUE(server.cancel(a.id(), "duplicate of an earlier report").ok());
  ASSERT_TRUE(eventually({b.id()}, [](const v1::Ticket& t) {
    return t.fault_ticket_id().empty() && !t.owner_crew_id().empty() && t.status() != v1::TICKET_STATUS_CANCELLED;
  }));
}

}  // namespace
}  // namespace linecrew
