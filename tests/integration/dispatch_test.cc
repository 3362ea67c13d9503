// Crews, pins, cancellations, shifts and the live board through the real
// server process over gRPC.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "linecrew/v1/dispatch.grpc.pb.h"
#include "server_process.h"

namespace linecrew {
namespace {

class Dispatch : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<testing::ServerProcess>(testing::make_config(dir, dir.file("data"), extra_config()),
                                                      dir.file("data"));
    ASSERT_TRUE(server->start()) << server->stderr_text();
    stub = v1::DispatchService::NewStub(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
    token = server->admin_token();
  }

  virtual std::string extra_config() const { return ""; }

  std::unique_ptr<grpc::ClientContext> ctx() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    c->AddMetadata("authorization", "Bearer " + token);
    return c;
  }

  v1::Crew register_crew(const std::string& id, std::vector<std::string> skills = {}, bool on_shift = true) {
    v1::RegisterCrewRequest req;
    auto* c = req.mutable_crew();
    c->set_id(id);
    c->set_name("Crew " + id);
    auto* m = c->add_members();
    m->set_first_name("Wei");
    m->set_staff_number("A" + id);
    for (auto& s : skills) c->add_skills(s);
    c->mutable_home_position()->set_lat(30.25);
    c->mutable_home_position()->set_lon(120.15);
    const auto now = std::chrono::system_clock::now();
    c->mutable_shift_start()->set_seconds(std::chrono::system_clock::to_time_t(now - std::chrono::hours(1)));
    c->mutable_shift_end()->set_seconds(std::chrono::system_clock::to_time_t(now + std::chrono::hours(8)));
    c->set_on_shift(on_shift);
    v1::RegisterCrewResponse resp;
    const grpc::Status s = stub->RegisterCrew(ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.crew();
  }

  v1::Ticket create_ticket(const std::string& rid, std::vector<std::string> skills = {}) {
    v1::CreateTicketRequest r;
    r.set_client_request_id(rid);
    r.mutable_customer()->set_name("Li");
    r.mutable_customer()->set_phone("+8613800138000");
    r.mutable_location()->set_lat(30.25);
    r.mutable_location()->set_lon(120.15);
    r.set_address("1 Grid Road");
    r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
    for (auto& s : skills) r.add_required_skills(s);
    v1::CreateTicketResponse resp;
    const grpc::Status s = stub->CreateTicket(ctx().get(), r, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.ticket();
  }

  grpc::Status pin(const std::string& ticket, const std::string& crew, v1::PinTicketResponse* resp) {
    v1::PinTicketRequest req;
    req.set_ticket_id(ticket);
    req.set_crew_id(crew);
    return stub->PinTicket(ctx().get(), req, resp);
  }

  testing::TempDir dir{"dispatch"};
  std::unique_ptr<testing::ServerProcess> server;
  std::unique_ptr<v1::DispatchService::Stub> stub;
  std::string token;
};

TEST_F(Dispatch, CrewsRegisterListAndRejectDuplicatesAndBadFields) {
  register_crew("C-1", {"lv_cable"});
  register_crew("C-2", {}, false);
  v1::RegisterCrewRequest dup;
  *dup.mutable_crew() = register_crew("C-3");
  v1::RegisterCrewResponse r;
  EXPECT_EQ(stub->RegisterCrew(ctx().get(), dup, &r).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  dup.mutable_crew()->set_id("C-4");
  dup.mutable_crew()->mutable_home_position()->set_lat(95);
  const grpc::Status bad = stub->RegisterCrew(ctx().get(), dup, &r);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message().rfind("crew.home_position.lat", 0), 0u) << bad.error_message();

  v1::ListCrewsRequest list;
  v1::ListCrewsResponse crews;
  ASSERT_TRUE(stub->ListCrews(ctx().get(), list, &crews).ok());
  EXPECT_EQ(crews.crews_size(), 3);
  list.set_on_shift_only(true);
  list.set_skill("lv_cable");
  crews.Clear();
  ASSERT_TRUE(stub->ListCrews(ctx().get(), list, &crews).ok());
  ASSERT_EQ(crews.crews_size(), 1);
  EXPECT_EQ(crews.crews(0).id(), "C-1");
}

TEST_F(Dispatch, PinAssignsWithHistoryAndChecksTheCrew) {
  register_crew("C-1", {"lv_cable"});
  register_crew("C-2");
  register_crew("C-off", {}, false);
  const v1::Ticket t = create_ticket("p1", {"lv_cable"});
  v1::PinTicketResponse resp;
  EXPECT_EQ(pin(t.id(), "C-404", &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(pin("T-999999", "C-1", &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  const grpc::Status skill = pin(t.id(), "C-2", &resp);
  EXPECT_EQ(skill.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(skill.error_message().find("lv_cable"), std::string::npos) << skill.error_message();
  EXPECT_EQ(pin(t.id(), "C-off", &resp).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(pin(t.id(), "C-1", &resp).ok());
  EXPECT_EQ(resp.ticket().owner_crew_id(), "C-1");
  EXPECT_EQ(resp.ticket().pinned_crew_id(), "C-1");
  EXPECT_EQ(resp.ticket().status(), v1::TICKET_STATUS_ASSIGNED);
  bool saw_assigned = false, saw_pinned = false;
  for (const auto& e : resp.ticket().timeline()) {
    saw_assigned |= e.kind() == v1::TICKET_EVENT_KIND_ASSIGNED;
    saw_pinned |= e.kind() == v1::TICKET_EVENT_KIND_PINNED;
  }
  EXPECT_TRUE(saw_assigned && saw_pinned);

  v1::UnpinTicketRequest un;
  un.set_ticket_id(t.id());
  v1::UnpinTicketResponse unpinned;
  ASSERT_TRUE(stub->UnpinTicket(ctx().get(), un, &unpinned).ok());
  EXPECT_EQ(unpinned.ticket().pinned_crew_id(), "");
  EXPECT_EQ(unpinned.ticket().owner_crew_id(), "C-1");  // exactly one owner, still
}

TEST_F(Dispatch, OffShiftReleasesUnpinnedTicketsToTheDesk) {
  register_crew("C-1");
  const v1::Ticket a = create_ticket("s1");
  const v1::Ticket b = create_ticket("s2");
  v1::PinTicketResponse resp;
  ASSERT_TRUE(pin(a.id(), "C-1", &resp).ok());
  ASSERT_TRUE(pin(b.id(), "C-1", &resp).ok());
  v1::UnpinTicketRequest un;
  un.set_ticket_id(b.id());
  v1::UnpinTicketResponse unpinned;
  ASSERT_TRUE(stub->UnpinTicket(ctx().get(), un, &unpinned).ok());

  v1::SetCrewShiftRequest off;
  off.set_crew_id("C-1");
  off.set_on_shift(false);
  v1::SetCrewShiftResponse shift;
  ASSERT_TRUE(stub->SetCrewShift(ctx().get(), off, &shift).ok());
  EXPECT_FALSE(shift.crew().on_shift());
  ASSERT_EQ(shift.released_ticket_ids_size(), 1);
  EXPECT_EQ(shift.released_ticket_ids(0), b.id());
  v1::GetTicketRequest get;
  get.set_ticket_id(b.id());
  v1::GetTicketResponse got;
  ASSERT_TRUE(stub->GetTicket(ctx().get(), get, &got).ok());
  EXPECT_EQ(got.ticket().owner_crew_id(), "");
  EXPECT_EQ(got.ticket().status(), v1::TICKET_STATUS_REPORTED);
}

TEST_F(Dispatch, CancelIsDeskOnlyAndIdempotent) {
  const v1::Ticket t = create_ticket("c1");
  v1::CancelTicketRequest req;
  req.set_ticket_id(t.id());
  v1::CancelTicketResponse resp;
  EXPECT_EQ(stub->CancelTicket(ctx().get(), req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // reason
  req.set_reason("customer reports power back");
  ASSERT_TRUE(stub->CancelTicket(ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.ticket().status(), v1::TICKET_STATUS_CANCELLED);
  ASSERT_TRUE(stub->CancelTicket(ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.ticket().status(), v1::TICKET_STATUS_CANCELLED);
}

TEST_F(Dispatch, WatchBoardSendsASnapshotThenChangesAndResumes) {
  register_crew("C-1");
  const v1::Ticket first = create_ticket("w1");
  grpc::ClientContext watch_ctx;
  watch_ctx.AddMetadata("authorization", "Bearer " + token);
  watch_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto reader = stub->WatchBoard(&watch_ctx, v1::WatchBoardRequest());
  v1::WatchBoardResponse msg;
  ASSERT_TRUE(reader->Read(&msg));
  ASSERT_EQ(msg.updates_size(), 1);
  ASSERT_TRUE(msg.updates(0).has_snapshot());
  EXPECT_TRUE(msg.updates(0).snapshot().first());
  EXPECT_TRUE(msg.updates(0).snapshot().last());
  EXPECT_EQ(msg.updates(0).snapshot().tickets_size(), 1);
  EXPECT_EQ(msg.updates(0).snapshot().crews_size(), 1);
  const std::uint64_t snapshot_seq = msg.updates(0).sequence();

  const v1::Ticket second = create_ticket("w2");
  v1::PinTicketResponse pinned;
  ASSERT_TRUE(pin(second.id(), "C-1", &pinned).ok());
  // Expect the new ticket, then its assignment, in sequence order.
  std::vector<v1::BoardUpdate> seen;
  while (seen.size() < 2 && reader->Read(&msg))
    for (const auto& u : msg.updates()) seen.push_back(u);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_GT(seen[0].sequence(), snapshot_seq);
  EXPECT_GT(seen[1].sequence(), seen[0].sequence());
  EXPECT_EQ(seen[1].ticket().owner_crew_id(), "C-1");
  watch_ctx.TryCancel();
  reader->Finish();

  // Resume from the snapshot's sequence: the same two changes, no snapshot.
  grpc::ClientContext again;
  again.AddMetadata("authorization", "Bearer " + token);
  again.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchBoardRequest from;
  from.set_from_sequence(snapshot_seq);
  auto resumed = stub->WatchBoard(&again, from);
  ASSERT_TRUE(resumed->Read(&msg));
  ASSERT_GE(msg.updates_size(), 1);
  EXPECT_FALSE(msg.updates(0).has_snapshot());
  EXPECT_EQ(msg.updates(0).sequence(), seen[0].sequence());
  again.TryCancel();
  resumed->Finish();
}

}  // namespace
}  // namespace linecrew

namespace linecrew {
namespace {

// The desk assigns by hand: no planner moves anything between the writes and the checks.
class DeskOnly : public Dispatch {
  std::string extra_config() const override { return R"("planner": false)"; }
};

TEST_F(DeskOnly, Kill9KeepsEveryAcknowledgedAssignmentAndPin) {
  register_crew("C-1");
  std::vector<std::string> pinned_ids, desk_ids;
  for (int i = 0; i < 20; ++i) {
    const v1::Ticket t = create_ticket("kp" + std::to_string(i));
    if (i % 2) {
      v1::PinTicketResponse resp;
      ASSERT_TRUE(pin(t.id(), "C-1", &resp).ok());
      pinned_ids.push_back(t.id());
    } else {
      desk_ids.push_back(t.id());
    }
  }
  server->kill(SIGKILL);
  server->wait_exit();
  ASSERT_TRUE(server->start()) << server->stderr_text();
  stub = v1::DispatchService::NewStub(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
  const auto owner_of = [&](const std::string& id) {
    v1::GetTicketRequest get;
    get.set_ticket_id(id);
    v1::GetTicketResponse got;
    EXPECT_TRUE(stub->GetTicket(ctx().get(), get, &got).ok()) << id;
    return std::make_pair(got.ticket().owner_crew_id(), got.ticket().pinned_crew_id());
  };
  for (const auto& id : pinned_ids) EXPECT_EQ(owner_of(id), std::make_pair(std::string("C-1"), std::string("C-1")));
  for (const auto& id : desk_ids) EXPECT_EQ(owner_of(id), std::make_pair(std::string(), std::string()));
}

TEST_F(Dispatch, ReportCountsOverdueTicketsAsViolationsByZone) {
  // Reported 3 hours ago and never reached: overdue in every zone (limits ≤ 2 h).
  const auto now = std::chrono::system_clock::now();
  const long reported = std::chrono::system_clock::to_time_t(now - std::chrono::hours(3));
  const struct {
    const char* id;
    double lat, lon;
  } sites[] = {{"r-u", 30.25, 120.15}, {"r-r", 30.05, 120.35}, {"r-m", 30.75, 119.55}};
  for (const auto& s : sites) {
    v1::CreateTicketRequest r;
    r.set_client_request_id(s.id);
    r.mutable_customer()->set_name("Li");
    r.mutable_customer()->set_phone("+8613800138000");
    r.mutable_location()->set_lat(s.lat);
    r.mutable_location()->set_lon(s.lon);
    r.set_address("x");
    r.set_first_contact_channel(v1::CHANNEL_WEB);
    r.mutable_first_contact_time()->set_seconds(reported);
    v1::CreateTicketResponse resp;
    ASSERT_TRUE(stub->CreateTicket(ctx().get(), r, &resp).ok());
  }
  v1::GetReportRequest req;
  req.mutable_from()->set_seconds(reported - 60);
  req.mutable_to()->set_seconds(reported + 60);
  v1::GetReportResponse rep;
  const grpc::Status s = stub->GetReport(ctx().get(), req, &rep);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(rep.by_zone_size(), 3);
  for (const auto& z : rep.by_zone()) EXPECT_EQ(z.violations(), 1u) << z.zone_class();
  EXPECT_EQ(rep.violations_size(), 3);
  EXPECT_EQ(rep.stalled_size(), 3);                      // no progress for 3 h > 2 h
  EXPECT_DOUBLE_EQ(rep.delay_notice_compliance(), 1.0);  // no late arrivals yet

  v1::GetReportRequest bad;
  bad.mutable_from()->set_seconds(reported);
  bad.mutable_to()->set_seconds(reported - 1);
  const grpc::Status err = stub->GetReport(ctx().get(), bad, &rep);
  EXPECT_EQ(err.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(err.error_message().rfind("to:", 0), 0u) << err.error_message();
}

TEST_F(Dispatch, AThousandTicketsEachHaveOneOwnerAndTheirZoneDeadline) {
  const long limits[] = {45, 90, 120};
  const double lats[] = {30.25, 30.05, 30.75}, lons[] = {120.15, 120.35, 119.55};
  register_crew("C-1");
  register_crew("C-2");
  for (int i = 0; i < 1000; ++i) {
    v1::CreateTicketRequest r;
    r.set_client_request_id("k" + std::to_string(i));
    r.mutable_customer()->set_name("Li");
    r.mutable_customer()->set_phone("+8613800138000");
    r.mutable_location()->set_lat(lats[i % 3]);
    r.mutable_location()->set_lon(lons[i % 3]);
    r.set_address("x");
    r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
    v1::CreateTicketResponse resp;
    ASSERT_TRUE(stub->CreateTicket(ctx().get(), r, &resp).ok());
    if (i % 100 == 0) {
      v1::PinTicketResponse pinned;
      ASSERT_TRUE(pin(resp.ticket().id(), "C-2", &pinned).ok());
    }
  }
  v1::ListTicketsRequest list;
  list.set_page_size(1000);
  list.set_include_timeline(true);
  v1::ListTicketsResponse all;
  ASSERT_TRUE(stub->ListTickets(ctx().get(), list, &all).ok());
  ASSERT_EQ(all.tickets_size(), 1000);
  int planned = 0;
  for (const v1::Ticket& t : all.tickets()) {
    const int k = std::stoi(t.client_request_id().substr(1));
    EXPECT_EQ(t.deadline().seconds() - t.first_contact_time().seconds(), limits[k % 3] * 60) << t.id();
    if (k % 100 == 0) {
      EXPECT_EQ(t.owner_crew_id(), "C-2") << t.id();  // pins hold
    }
    // Exactly one owner, and the history agrees: replaying the assignment
    // events ends at the current owner ("desk" = the dispatch desk).
    std::string owner = "desk";
    for (const auto& e : t.timeline()) {
      if (e.kind() != v1::TICKET_EVENT_KIND_ASSIGNED && e.kind() != v1::TICKET_EVENT_KIND_UNASSIGNED) continue;
      const auto to = e.detail().find(" to ");
      ASSERT_NE(to, std::string::npos) << e.detail();
      owner = e.detail().substr(to + 4, e.detail().find(':', to) - (to + 4));
    }
    EXPECT_EQ(owner, t.owner_crew_id().empty() ? "desk" : t.owner_crew_id()) << t.id();
    planned += !t.owner_crew_id().empty();
  }
  EXPECT_GT(planned, 10);  // the planner gave crews work within the requests
}

TEST_F(Dispatch, NewTicketsAreAssignedWithinTheRequestWithAnEta) {
  register_crew("C-1");
  const v1::Ticket t = create_ticket("plan-1");
  EXPECT_EQ(t.owner_crew_id(), "C-1");
  EXPECT_EQ(t.status(), v1::TICKET_STATUS_ASSIGNED);
  EXPECT_TRUE(t.has_eta());
  EXPECT_GE(t.eta().seconds(), t.first_contact_time().seconds());
  EXPECT_NE(t.risk(), v1::RISK_UNSPECIFIED);
  v1::ListTicketsRequest at_risk;
  at_risk.set_at_risk_only(true);
  v1::ListTicketsResponse risky;
  ASSERT_TRUE(stub->ListTickets(ctx().get(), at_risk, &risky).ok());
  EXPECT_EQ(risky.tickets_size(), t.risk() == v1::RISK_NONE ? 0 : 1);
  // A ticket needing a skill nobody has stays with the desk, with the reason.
  const v1::Ticket hv = create_ticket("plan-2", {"hv_switching"});
  EXPECT_EQ(hv.owner_crew_id(), "");
  EXPECT_EQ(hv.risk(), v1::RISK_PREDICTED_MISS);
  EXPECT_NE(hv.risk_reason().find("hv_switching"), std::string::npos) << hv.risk_reason();
  risky.Clear();
  ASSERT_TRUE(stub->ListTickets(ctx().get(), at_risk, &risky).ok());
  bool listed = false;
  for (const auto& r : risky.tickets()) listed |= r.id() == hv.id();
  EXPECT_TRUE(listed);  // the unassignable ticket is on the at-risk list
}

}  // namespace
}  // namespace linecrew
