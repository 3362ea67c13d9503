// The service loop (issue 19, rules §7) against the real server process on
// simulated time. Escalations: a refused delay call uploaded by the crew
// opens one that the board stream carries and `linecrewctl escalations`
// lists, acknowledges and resolves; a stalled ticket escalates through the
// server's own sweep; bad answers are clear errors that change nothing.
// Disconnection notices: the server sets the earliest start from the notice,
// refuses an earlier one, and a crew cannot start before it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <thread>

#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "sim_server.h"

namespace linecrew {
namespace {

using testing::iso;
using testing::SimServer;

std::int64_t secs(const std::string& hhmm) {
  return parse_utc(iso(hhmm)).time_since_epoch().count();
}

struct CtlRun {
  int rc;
  std::string out;  // stdout and stderr
};

// linecrewctl with the server and token from the environment, as a dispatcher would run it.
CtlRun ctl(const SimServer& server, const std::string& args) {
  const std::string cmd = "LINECREW_SERVER=" + server.address() + " LINECREW_TOKEN=" + server.admin_token() + " " +
                          LINECREW_CTL_BIN + " " + args + " 2>&1";
  CtlRun r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class ServiceLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    crew_token = server.add_crew("C-01", 30.26, 120.16);
    stub = v1::DispatchService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  }

  v1::ActionAck refuse_call(const std::string& ticket, const std::string& hhmm, int op) {
    return server.upload(crew_token, secs(hhmm), "hh-1", op, [&](v1::CrewAction& a) {
      a.set_ticket_id(ticket);
      auto* c = a.mutable_contact_attempt();
      c->mutable_time()->set_seconds(secs(hhmm));
      c->set_reason(v1::DELAY_REASON_TRAFFIC);
      c->mutable_proposed_arrival_time()->set_seconds(secs(hhmm) + 1800);
      c->set_consent(v1::CONSENT_REFUSED);
    });
  }

  v1::ListEscalationsResponse list(const v1::ListEscalationsRequest& req = {}) {
    v1::ListEscalationsResponse resp;
    const auto s = stub->ListEscalations(server.ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  SimServer server{"service-loop", "14:05", "\"escalation_sweep_ms\": 100"};
  std::string crew_token;
  std::unique_ptr<v1::DispatchService::Stub> stub;
};

TEST_F(ServiceLoop, ARefusedDelayCallIsOnTheBoardAndTheDeskAnswersItWithLinecrewctl) {
  const v1::Ticket t = server.create_ticket("r1", "14:05");
  server.pin(t.id(), "C-01");
  // The board, from now on: the escalation must arrive as a ticket change.
  grpc::ClientContext watch;
  watch.AddMetadata("authorization", "Bearer " + server.admin_token());
  watch.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto reader = stub->WatchBoard(&watch, v1::WatchBoardRequest());

  server.set_clock("14:40");  // the handheld's clock agrees with the server's: the call is at 14:40
  ASSERT_EQ(refuse_call(t.id(), "14:40", 1).result(), v1::ACTION_RESULT_APPLIED);
  const std::string id = t.id() + "/1";

  bool on_board = false;
  v1::WatchBoardResponse msg;
  while (!on_board && reader->Read(&msg))
    for (const auto& u : msg.updates())
      if (u.has_ticket() && u.ticket().id() == t.id() && u.ticket().escalations_size() == 1) {
        const auto& e = u.ticket().escalations(0);
        EXPECT_EQ(e.id(), id);
        EXPECT_EQ(e.kind(), v1::ESCALATION_KIND_DELAY_CALL_REFUSED);
        EXPECT_EQ(e.state(), v1::ESCALATION_STATE_OPEN);
        on_board = true;
      }
  watch.TryCancel();
  EXPECT_TRUE(on_board) << "the board stream never carried the escalation";

  CtlRun r = ctl(server, "escalations list");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, id)) << r.out;
  EXPECT_TRUE(contains(r.out, "delay_call_refused")) << r.out;
  EXPECT_TRUE(contains(r.out, "open")) << r.out;

  // A second refusal while it is unresolved opens nothing new.
  ASSERT_EQ(refuse_call(t.id(), "14:42", 2).result(), v1::ACTION_RESULT_APPLIED);
  EXPECT_EQ(list().escalations_size(), 1);

  server.set_clock("14:45");
  r = ctl(server, "escalations ack " + id);
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "acknowledged by bootstrap admin (")) << r.out;  // the token label and id
  r = ctl(server, "escalations ack " + id);
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "FAILED_PRECONDITION")) << r.out;
  EXPECT_TRUE(contains(r.out, "already acknowledged")) << r.out;

  r = ctl(server, "escalations resolve " + id + " --note ''");
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "INVALID_ARGUMENT")) << r.out;
  EXPECT_TRUE(contains(r.out, "note")) << r.out;
  r = ctl(server, "escalations resolve " + id + " --note 'called the customer back: 15:10 agreed'");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "resolved")) << r.out;

  EXPECT_EQ(list().escalations_size(), 0);  // the queue is empty
  r = ctl(server, "escalations list --all");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "15:10 agreed")) << r.out;
  const v1::Ticket after = server.get(t.id());
  ASSERT_EQ(after.escalations_size(), 1);
  EXPECT_EQ(after.escalations(0).state(), v1::ESCALATION_STATE_RESOLVED);
  EXPECT_EQ(after.escalations(0).acknowledged_time().seconds(), secs("14:45"));

  // The report counts it, with the time to acknowledge (14:40 -> 14:45).
  v1::GetReportRequest rq;
  rq.mutable_from()->set_seconds(secs("00:00"));
  rq.mutable_to()->set_seconds(secs("23:00"));
  v1::GetReportResponse rep;
  ASSERT_TRUE(stub->GetReport(server.ctx().get(), rq, &rep).ok());
  EXPECT_EQ(rep.escalations().resolved(), 1u);
  EXPECT_EQ(rep.escalations().mean_time_to_acknowledge().seconds(), 300);
}

TEST_F(ServiceLoop, AStalledTicketEscalatesThroughTheServersSweepOnce) {
  const v1::Ticket t = server.create_ticket("s1", "14:05");
  server.set_clock("16:30");  // 2 h 25 min without progress (the shipped policy: 120 min)
  v1::ListEscalationsRequest stalled;
  stalled.add_kinds(v1::ESCALATION_KIND_STALLED);
  int found = 0;
  for (int i = 0; i < 100 && found == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    found = list(stalled).escalations_size();
  }
  ASSERT_EQ(found, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several more sweeps
  const auto again = list(stalled);
  ASSERT_EQ(again.escalations_size(), 1);
  EXPECT_EQ(again.escalations(0).ticket_id(), t.id());
  EXPECT_TRUE(contains(again.escalations(0).detail(), "no progress")) << again.escalations(0).detail();
}

TEST_F(ServiceLoop, BadAnswersAreClearErrorsThatChangeNothing) {
  const v1::Ticket t = server.create_ticket("b1", "14:05");
  server.pin(t.id(), "C-01");
  ASSERT_EQ(refuse_call(t.id(), "14:06", 1).result(), v1::ACTION_RESULT_APPLIED);
  v1::AcknowledgeEscalationRequest ack;
  v1::AcknowledgeEscalationResponse out;
  for (const char* bad : {"", "T-000001", "T-000001/0", "T-000001/x"}) {
    ack.set_escalation_id(bad);
    const auto s = stub->AcknowledgeEscalation(server.ctx().get(), ack, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad << ": " << s.error_message();
    EXPECT_EQ(s.error_message().rfind("escalation_id:", 0), 0u) << s.error_message();
  }
  for (const std::string& unknown : {t.id() + "/2", std::string("T-999999/1")}) {
    ack.set_escalation_id(unknown);
    const auto s = stub->AcknowledgeEscalation(server.ctx().get(), ack, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << unknown << ": " << s.error_message();
  }
  v1::ResolveEscalationRequest res;
  res.set_escalation_id(t.id() + "/1");
  res.set_note(std::string(501, 'x'));
  v1::ResolveEscalationResponse rout;
  const auto s = stub->ResolveEscalation(server.ctx().get(), res, &rout);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("note:", 0), 0u) << s.error_message();
  v1::ListEscalationsRequest bad_kind;
  bad_kind.add_kinds(static_cast<v1::EscalationKind>(99));
  v1::ListEscalationsResponse lout;
  EXPECT_EQ(stub->ListEscalations(server.ctx().get(), bad_kind, &lout).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const auto q = list();
  ASSERT_EQ(q.escalations_size(), 1);
  EXPECT_EQ(q.escalations(0).state(), v1::ESCALATION_STATE_OPEN);  // nothing changed
  // A crew's token may not answer the desk's queue.
  grpc::ClientContext crew_ctx;
  crew_ctx.AddMetadata("authorization", "Bearer " + crew_token);
  ack.set_escalation_id(t.id() + "/1");
  EXPECT_EQ(stub->AcknowledgeEscalation(&crew_ctx, ack, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServiceLoop, ADisconnectionWithANoticeThreeDaysOldCannotBeStartedByACrew) {
  // Reported through linecrewctl, as the billing desk would: notice delivered 3 days ago.
  const std::string common =
      "tickets add --request-id disc-1 --name 王先生 --phone 13800138000 --lat 30.25 --lon 120.15 "
      "--address '解放路 2 号' --channel service_counter --kind disconnection "
      "--appointment 2026-11-27T10:00+08:00 --notice-delivered 2026-11-19T14:00+08:00 "
      "--notice-method posted_at_premises --notice-by 'S1024 张工'";
  CtlRun r = ctl(server, common + " --earliest-start 2026-11-24T09:00+08:00");  // before notice + 7 days
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "INVALID_ARGUMENT")) << r.out;
  EXPECT_TRUE(contains(r.out, "earliest_start")) << r.out;
  EXPECT_TRUE(contains(r.out, "notice period")) << r.out;
  v1::ListTicketsResponse none;
  ASSERT_TRUE(stub->ListTickets(server.ctx().get(), {}, &none).ok());
  EXPECT_EQ(none.tickets_size(), 0);  // nothing stored

  r = ctl(server, "--json " + common);
  ASSERT_EQ(r.rc, 0) << r.out;
  v1::ListTicketsResponse listed;
  ASSERT_TRUE(stub->ListTickets(server.ctx().get(), {}, &listed).ok());
  ASSERT_EQ(listed.tickets_size(), 1);
  const v1::Ticket& t = listed.tickets(0);
  EXPECT_EQ(t.kind(), v1::TICKET_KIND_DISCONNECTION);
  EXPECT_EQ(t.earliest_start().seconds(), parse_utc("2026-11-26T14:00:00+08:00").time_since_epoch().count());
  EXPECT_EQ(t.disconnection_notice().method(), v1::NOTICE_DELIVERY_METHOD_POSTED_AT_PREMISES);
  EXPECT_EQ(t.disconnection_notice().delivered_by(), "S1024 张工");
  EXPECT_EQ(t.customer().phone(), "+8613800138000");

  server.pin(t.id(), "C-01");
  for (int op = 1; op <= 2; ++op) {
    const v1::ActionAck ack = server.upload(crew_token, secs("14:10"), "hh-1", op, [&](v1::CrewAction& a) {
      a.set_ticket_id(t.id());
      if (op == 1)
        a.mutable_en_route();
      else
        a.mutable_arrived();
    });
    EXPECT_EQ(ack.result(), v1::ACTION_RESULT_REJECTED) << op;
    EXPECT_EQ(ack.reason().rfind("earliest_start: a disconnection may not start before", 0), 0u) << ack.reason();
  }
  const v1::Ticket after = server.get(t.id());
  EXPECT_EQ(after.status(), v1::TICKET_STATUS_ASSIGNED);  // nothing started
}

// Rules §4: "cannot fix" makes a return visit linked to its original; when the
// desk cancels the return visit (with a reason) the original no longer owes it.
TEST_F(ServiceLoop, AReturnVisitIsLinkedToItsOriginalAndSettlesIt) {
  const v1::Ticket t = server.create_ticket("rv-1", "14:05");
  server.pin(t.id(), "C-01");
  int op = 0;
  const auto act = [&](const std::function<void(v1::CrewAction&)>& fill) {
    return server.upload(crew_token, secs("14:05"), "hh-1", ++op, [&](v1::CrewAction& a) {
      a.set_ticket_id(t.id());
      fill(a);
    });
  };
  ASSERT_EQ(act([](v1::CrewAction& a) { a.mutable_arrived(); }).result(), v1::ACTION_RESULT_APPLIED);
  ASSERT_EQ(act([](v1::CrewAction& a) {
              a.mutable_cannot_fix()->set_reason("transformer must be replaced");
              a.mutable_cannot_fix()->mutable_committed_return_time()->set_seconds(secs("18:00"));
            }).result(),
            v1::ACTION_RESULT_APPLIED);
  EXPECT_EQ(server.get(t.id()).status(), v1::TICKET_STATUS_RETURN_VISIT_OWED);
  v1::ListTicketsResponse all;
  ASSERT_TRUE(stub->ListTickets(server.ctx().get(), {}, &all).ok());
  ASSERT_EQ(all.tickets_size(), 2);
  const v1::Ticket& visit = all.tickets(1);
  EXPECT_EQ(visit.kind(), v1::TICKET_KIND_RETURN_VISIT);
  EXPECT_EQ(visit.parent_ticket_id(), t.id());
  EXPECT_EQ(visit.deadline().seconds(), secs("18:00"));

  ASSERT_TRUE(server.cancel(visit.id(), "customer's own electrician fixed it").ok());
  const v1::Ticket settled = server.get(t.id());
  EXPECT_EQ(settled.status(), v1::TICKET_STATUS_CLOSED);
  EXPECT_EQ(settled.timeline(settled.timeline_size() - 1).detail(), "return visit " + visit.id() + " cancelled");
}

TEST_F(ServiceLoop, AParentTicketIdThatDoesNotExistIsRefusedNamingTheField) {
  v1::CreateTicketRequest r;
  r.set_client_request_id("child-1");
  r.mutable_customer()->set_name("李女士");
  r.mutable_customer()->set_phone("13800138000");
  r.mutable_location()->set_lat(30.25);
  r.mutable_location()->set_lon(120.15);
  r.set_address("解放路 1 号");
  r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
  r.set_kind(v1::TICKET_KIND_RETURN_VISIT);
  r.mutable_appointment_time()->set_seconds(secs("18:00"));
  v1::CreateTicketResponse resp;
  r.set_parent_ticket_id("T-999999");
  grpc::Status s = stub->CreateTicket(server.ctx().get(), r, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("parent_ticket_id:", 0), 0u) << s.error_message();
  r.set_parent_ticket_id("not an id!");
  s = stub->CreateTicket(server.ctx().get(), r, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("parent_ticket_id:", 0), 0u) << s.error_message();
  v1::ListTicketsResponse none;
  ASSERT_TRUE(stub->ListTickets(server.ctx().get(), {}, &none).ok());
  EXPECT_EQ(none.tickets_size(), 0);  // nothing stored
  const v1::Ticket parent = server.create_ticket("p-1", "14:05");
  r.set_parent_ticket_id(parent.id());
  s = stub->CreateTicket(server.ctx().get(), r, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.ticket().parent_ticket_id(), parent.id());
}

}  // namespace
}  // namespace linecrew
