// The service loop (issue 19, rules §7) against the real server process on
// simulated time. Escalations: a refused delay call uploaded by the crew
// opens one that the board stream carries and `linecrewctl escalations`
// lists, acknowledges and resolves; a stalled ticket escalates through the
// server's own sweep; bad answers are clear errors that change nothing.
// Disconnection notices: the server sets the earliest start from the notice,
// refuses an earlier one, and a crew cannot start before it. Complaints and
// follow-ups (rules §4, §7): what is stored, escalated and told to the
// customer through the SMS gateway (tests/support/sms_gateway.h).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "ctl_run.h"
#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "sim_server.h"
#include "sms_gateway.h"

namespace linecrew {
namespace {

using testing::contains;
using testing::ctl;
using testing::CtlRun;
using testing::iso;
using testing::secs;
using testing::SimServer;

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

constexpr std::int64_t kHour = 3600;

constexpr const char* kGatewaySecret = "gateway-secret-0123456789";

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

  // The ticket's escalations of `kind`, in any state.
  v1::ListEscalationsResponse escalations_of(const std::string& ticket, v1::EscalationKind kind) {
    v1::ListEscalationsRequest req;
    req.set_ticket_id(ticket);
    req.add_kinds(kind);
    for (const auto st : {v1::ESCALATION_STATE_OPEN, v1::ESCALATION_STATE_ACKNOWLEDGED, v1::ESCALATION_STATE_RESOLVED})
      req.add_states(st);
    return list(req);
  }

  v1::ListFollowUpsResponse follow_ups(bool include_done = false) {
    v1::ListFollowUpsRequest req;
    req.set_include_done(include_done);
    v1::ListFollowUpsResponse resp;
    const auto s = stub->ListFollowUps(server.ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::ListComplaintsResponse complaints(bool include_closed = false) {
    v1::ListComplaintsRequest req;
    req.set_include_closed(include_closed);
    v1::ListComplaintsResponse resp;
    const auto s = stub->ListComplaints(server.ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::GetReportResponse report(std::int64_t from, std::int64_t to) {
    v1::GetReportRequest rq;
    rq.mutable_from()->set_seconds(from);
    rq.mutable_to()->set_seconds(to);
    v1::GetReportResponse rep;
    const auto s = stub->GetReport(server.ctx().get(), rq, &rep);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rep;
  }

  // The simulated clock at `t` (seconds since the epoch, any day), written as SimServer::set_clock does.
  void set_clock_at(std::int64_t t) {
    const std::string tmp = server.dir().file("clock.txt.tmp");
    std::ofstream(tmp) << format_utc(TimePoint(Duration(t))) << "\n";
    std::rename(tmp.c_str(), server.dir().file("clock.txt").c_str());
  }

  // server.json keys: a fast escalation sweep, and customer messages to the test's gateway.
  std::string server_keys() {
    testing::write_file(secrets.file("webhook.key"), std::string(kGatewaySecret) + "\n");
    return "\"escalation_sweep_ms\": 100, \"notify_webhook_url\": \"" + gateway.url() +
           "\", \"notify_webhook_secret_file\": \"" + secrets.file("webhook.key") + "\", \"notify_retry_max_ms\": 300";
  }

  testing::SmsGateway gateway{kGatewaySecret};
  testing::TempDir secrets{"service-loop-secrets"};
  SimServer server{"service-loop", "14:05", server_keys()};
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
  EXPECT_EQ(visit.earliest_start().seconds(), secs("17:50"));  // its window: the committed time, not before

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

// Rules §7, complaints: taken down whole or not at all; the phone normalised;
// a serious one is on the desk's queue at once and the complainant gets one
// apology message; only the customer's "satisfied" closes it.
TEST_F(ServiceLoop, AComplaintIsStoredWholeEscalatedWhenSeriousAndClosedOnlyWhenTheCustomerIsSatisfied) {
  const v1::Ticket t = server.create_ticket("cp-1", "14:05");  // 14:05: inside contact hours
  v1::RecordComplaintRequest rq;
  rq.set_ticket_id(t.id());
  rq.set_name("张先生");
  rq.set_address("解放路 1 号 3 单元");
  rq.set_phone("13800138000");
  rq.set_cause(v1::COMPLAINT_CAUSE_LATE_ARRIVAL);
  rq.set_reason("说好两点到,四点才来,也没人打电话");
  rq.set_severity(v1::COMPLAINT_SEVERITY_SERIOUS);
  v1::RecordComplaintResponse out;
  for (const std::string field : {"phone", "reason"}) {
    v1::RecordComplaintRequest bad = rq;
    if (field == "phone")
      bad.clear_phone();
    else
      bad.clear_reason();
    const auto s = stub->RecordComplaint(server.ctx().get(), bad, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
    EXPECT_TRUE(starts_with(s.error_message(), field + ":")) << s.error_message();
  }
  EXPECT_EQ(server.get(t.id()).complaints_size(), 0);  // nothing stored
  EXPECT_EQ(complaints(true).complaints_size(), 0);
  EXPECT_EQ(list().escalations_size(), 0);  // nor escalated

  grpc::Status s = stub->RecordComplaint(server.ctx().get(), rq, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::Complaint& c = out.complaint();
  const std::string id = t.id() + "/C1";
  EXPECT_EQ(c.id(), id);
  EXPECT_EQ(c.ticket_id(), t.id());
  EXPECT_EQ(c.phone(), "+8613800138000");
  EXPECT_EQ(c.severity(), v1::COMPLAINT_SEVERITY_SERIOUS);
  EXPECT_TRUE(c.open());
  EXPECT_EQ(c.recorded_time().seconds(), secs("14:05"));
  EXPECT_TRUE(starts_with(c.recorded_by(), "bootstrap admin (")) << c.recorded_by();  // signed
  EXPECT_EQ(server.get(t.id()).complaints_size(), 1);

  // On the desk's queue at once.
  const auto serious = escalations_of(t.id(), v1::ESCALATION_KIND_SERIOUS_COMPLAINT);
  ASSERT_EQ(serious.escalations_size(), 1);
  EXPECT_EQ(serious.escalations(0).id(), t.id() + "/1");
  EXPECT_EQ(serious.escalations(0).state(), v1::ESCALATION_STATE_OPEN);
  EXPECT_EQ(serious.escalations(0).opened_time().seconds(), secs("14:05"));
  EXPECT_TRUE(contains(serious.escalations(0).detail(), id)) << serious.escalations(0).detail();
  CtlRun r = ctl(server, "escalations list");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, t.id() + "/1")) << r.out;
  EXPECT_TRUE(contains(r.out, "serious_complaint")) << r.out;

  // The complainant's apology, at once (contact hours), once.
  auto sent = gateway.wait_for("complaint_received", t.id(), 1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].value("to", ""), "+8613800138000");
  EXPECT_EQ(sent[0].value("message_id", ""), t.id() + "/complaint:1");
  const std::string text = sent[0].value("text", "");
  EXPECT_TRUE(contains(text, "张先生")) << text;  // the complainant, by name
  EXPECT_TRUE(contains(text, t.id())) << text;

  // "Not satisfied" does not close it.
  server.set_clock("15:00");
  v1::CloseComplaintRequest close;
  close.set_complaint_id(id);
  close.set_outcome("已向客户道歉,班组负责人已约谈当班人员");
  close.set_customer_answer(v1::CUSTOMER_ANSWER_NOT_SATISFIED);
  v1::CloseComplaintResponse closed;
  s = stub->CloseComplaint(server.ctx().get(), close, &closed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "customer_answer:")) << s.error_message();
  auto open = complaints();
  ASSERT_EQ(open.complaints_size(), 1);
  EXPECT_EQ(open.complaints(0).id(), id);
  EXPECT_TRUE(open.complaints(0).open());

  r = ctl(server, "complaints close " + id + " --outcome '已向客户道歉,班组负责人已约谈当班人员' --answer satisfied");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "closed")) << r.out;
  EXPECT_EQ(complaints().complaints_size(), 0);  // off the desk's list
  const auto every = complaints(true);
  ASSERT_EQ(every.complaints_size(), 1);
  EXPECT_FALSE(every.complaints(0).open());
  EXPECT_EQ(every.complaints(0).closed_time().seconds(), secs("15:00"));
  EXPECT_EQ(every.complaints(0).outcome(), "已向客户道歉,班组负责人已约谈当班人员");
  EXPECT_TRUE(starts_with(every.complaints(0).closed_by(), "bootstrap admin (")) << every.complaints(0).closed_by();

  close.set_customer_answer(v1::CUSTOMER_ANSWER_SATISFIED);
  s = stub->CloseComplaint(server.ctx().get(), close, &closed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "complaint_id:")) << s.error_message();
  r = ctl(server, "complaints close " + id + " --outcome again --answer satisfied");
  EXPECT_NE(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "FAILED_PRECONDITION")) << r.out;
  EXPECT_EQ(complaints(true).complaints(0).closed_time().seconds(), secs("15:00"));  // unchanged

  const auto rep = report(secs("00:00"), secs("23:00"));
  EXPECT_EQ(rep.complaints().recorded(), 1u);
  EXPECT_EQ(rep.complaints().serious(), 1u);
  EXPECT_EQ(rep.complaints().open(), 0u);
  EXPECT_EQ(rep.complaints().satisfied(), 1u);
  EXPECT_EQ(rep.complaints().mean_time_to_satisfaction().seconds(), 55 * 60);
  EXPECT_EQ(gateway.posts("complaint_received", t.id()).size(), 1u);  // still the one message
}

// Rules §4, §7: a restoration owes the customer a follow-up within 48 h; past
// due, the server's sweep escalates once, apologises once (one message) and
// agrees a new reply time; the call's outcome counts in the report.
TEST_F(ServiceLoop, ARestorationOwesAFollowUpThatApologisesOnceWhenOverdue) {
  const v1::Ticket t = server.create_ticket("fu-1", "14:05");
  server.pin(t.id(), "C-01");
  server.set_clock("14:10");
  int op = 0;
  const auto act = [&](const std::function<void(v1::CrewAction&)>& fill) {
    return server.upload(crew_token, secs("14:10"), "hh-1", ++op, [&](v1::CrewAction& a) {
      a.set_ticket_id(t.id());
      fill(a);
    });
  };
  ASSERT_EQ(act([](v1::CrewAction& a) { a.mutable_arrived(); }).result(), v1::ACTION_RESULT_APPLIED);
  ASSERT_EQ(act([](v1::CrewAction& a) { a.mutable_cause_found()->set_text("树枝搭线"); }).result(),
            v1::ACTION_RESULT_APPLIED);
  ASSERT_EQ(act([](v1::CrewAction& a) { a.mutable_restored(); }).result(), v1::ACTION_RESULT_APPLIED);
  const std::int64_t restored = secs("14:10");
  const std::int64_t due = restored + 48 * kHour;  // 2026-11-24 14:10 local
  const std::string fid = t.id() + "/F1";

  auto owed = follow_ups();
  ASSERT_EQ(owed.follow_ups_size(), 1);
  {
    const v1::FollowUp& f = owed.follow_ups(0);
    EXPECT_EQ(f.id(), fid);
    EXPECT_EQ(f.ticket_id(), t.id());
    EXPECT_EQ(f.reason(), v1::FOLLOW_UP_REASON_RESTORATION);
    EXPECT_EQ(f.detail(), "树枝搭线");
    EXPECT_EQ(f.opened_by(), "system");
    EXPECT_EQ(f.due_time().seconds(), due);
    EXPECT_EQ(f.first_due_time().seconds(), due);
    EXPECT_EQ(f.apologies(), 0u);
    EXPECT_FALSE(f.overdue());
    EXPECT_EQ(f.outcome(), v1::FOLLOW_UP_OUTCOME_UNSPECIFIED);
  }
  // The same restoration uploaded again owes nothing more.
  ASSERT_EQ(act([](v1::CrewAction& a) { a.mutable_restored(); }).result(), v1::ACTION_RESULT_APPLIED);
  EXPECT_EQ(follow_ups(true).follow_ups_size(), 1);

  v1::RecordFollowUpRequest rec;
  rec.set_outcome(v1::FOLLOW_UP_OUTCOME_SATISFIED);
  v1::RecordFollowUpResponse recorded;
  for (const std::string& unknown : {std::string("T-999999/F1"), t.id() + "/F2"}) {
    rec.set_follow_up_id(unknown);
    const auto s = stub->RecordFollowUp(server.ctx().get(), rec, &recorded);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << unknown << ": " << s.error_message();
    EXPECT_TRUE(starts_with(s.error_message(), "follow_up_id:")) << s.error_message();
  }
  for (const std::string& bad : {std::string(""), std::string("F1"), t.id(), t.id() + "/F0", t.id() + "/Fx",
                                 t.id() + "/C1", std::string("not an id!/F1")}) {
    rec.set_follow_up_id(bad);
    const auto s = stub->RecordFollowUp(server.ctx().get(), rec, &recorded);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad << ": " << s.error_message();
    EXPECT_TRUE(starts_with(s.error_message(), "follow_up_id:")) << s.error_message();
  }
  owed = follow_ups();
  ASSERT_EQ(owed.follow_ups_size(), 1);  // still owed: nothing recorded
  EXPECT_EQ(owed.follow_ups(0).outcome(), v1::FOLLOW_UP_OUTCOME_UNSPECIFIED);

  v1::GetFollowUpScriptRequest sq;
  sq.set_follow_up_id(fid);
  sq.set_team("城南抢修C-01");
  sq.set_staff_number("SC-01");
  v1::GetFollowUpScriptResponse script;
  grpc::Status s = stub->GetFollowUpScript(server.ctx().get(), sq, &script);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(script.language(), "zh-CN");
  ASSERT_EQ(script.steps_size(), 7);
  EXPECT_TRUE(std::any_of(script.steps().begin(), script.steps().end(),
                          [&](const std::string& step) { return contains(step, t.id()); }));
  EXPECT_TRUE(contains(script.steps(0), "SC-01")) << script.steps(0);
  EXPECT_TRUE(contains(script.steps(3), "树枝搭线")) << script.steps(3);  // the outcome: the cause
  EXPECT_TRUE(contains(script.steps(3), "14:10")) << script.steps(3);     // and the restoration, local time
  EXPECT_EQ(script.answers_size(), 4);
  EXPECT_EQ(script.next_call_time().seconds(), secs("14:10"));  // in contact hours: now

  // 1 s past due, in contact hours (14:10:01 local): the server's own sweep.
  set_clock_at(due + 1);
  int found = 0;
  for (int i = 0; i < 100 && found == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    found = escalations_of(t.id(), v1::ESCALATION_KIND_FOLLOW_UP_OVERDUE).escalations_size();
  }
  ASSERT_EQ(found, 1);
  const auto check_once = [&] {
    const auto overdue = escalations_of(t.id(), v1::ESCALATION_KIND_FOLLOW_UP_OVERDUE);
    ASSERT_EQ(overdue.escalations_size(), 1);
    EXPECT_EQ(overdue.escalations(0).state(), v1::ESCALATION_STATE_OPEN);
    EXPECT_EQ(overdue.escalations(0).opened_time().seconds(), due + 1);
    EXPECT_TRUE(contains(overdue.escalations(0).detail(), fid)) << overdue.escalations(0).detail();
    const auto all = follow_ups(true);
    ASSERT_EQ(all.follow_ups_size(), 1);
    const v1::FollowUp& f = all.follow_ups(0);
    EXPECT_EQ(f.apologies(), 1u);
    EXPECT_EQ(f.due_time().seconds(), due + 1 + 48 * kHour);  // a new reply time, 48 h on
    EXPECT_EQ(f.first_due_time().seconds(), due);             // the one first owed stays
    EXPECT_FALSE(f.overdue());
  };
  check_once();
  auto apologies = gateway.wait_for("follow_up_apology", t.id(), 1);
  ASSERT_EQ(apologies.size(), 1u);
  EXPECT_EQ(apologies[0].value("to", ""), "+8613800138000");
  EXPECT_EQ(apologies[0].value("message_id", ""), t.id() + "/apology:1");
  const std::string text = apologies[0].value("text", "");
  EXPECT_TRUE(contains(text, "11-26 14:10")) << text;            // the new reply time, local
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // several more sweeps
  check_once();
  EXPECT_EQ(gateway.posts("follow_up_apology", t.id()).size(), 1u);

  CtlRun r = ctl(server, "follow-ups record " + fid + " --outcome satisfied --note '客户表示满意'");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, fid)) << r.out;
  EXPECT_TRUE(contains(r.out, "satisfied")) << r.out;
  EXPECT_EQ(follow_ups().follow_ups_size(), 0);  // nothing owed
  const auto done = follow_ups(true);
  ASSERT_EQ(done.follow_ups_size(), 1);
  EXPECT_EQ(done.follow_ups(0).outcome(), v1::FOLLOW_UP_OUTCOME_SATISFIED);
  EXPECT_EQ(done.follow_ups(0).done_time().seconds(), due + 1);
  EXPECT_EQ(done.follow_ups(0).note(), "客户表示满意");

  const auto rep = report(secs("00:00"), secs("23:00"));  // the ticket's day
  EXPECT_EQ(rep.follow_ups().opened(), 1u);
  EXPECT_EQ(rep.follow_ups().done(), 1u);
  EXPECT_EQ(rep.follow_ups().done_in_time(), 0u);  // after the first reply time
  EXPECT_EQ(rep.follow_ups().apologies(), 1u);
  EXPECT_EQ(rep.follow_ups().satisfied(), 1u);
  EXPECT_EQ(rep.follow_ups().not_satisfied(), 0u);
  EXPECT_DOUBLE_EQ(rep.follow_ups().satisfaction_rate(), 1.0);
  EXPECT_EQ(rep.follow_ups_due(), 1u);
  EXPECT_EQ(rep.follow_ups_in_time(), 0u);
}

// Rules §7: a promise is a follow-up; a new request on it needs an agreed
// reply time (at most 48 h) and opens a follow-up linked to it; a follow-up
// call is refused outside contact hours (rules §4).
TEST_F(ServiceLoop, ANewRequestOnAFollowUpOpensALinkedOneByTheAgreedReplyTime) {
  const v1::Ticket t = server.create_ticket("nr-1", "14:05");
  server.set_clock("14:30");
  v1::AddFollowUpRequest add;
  add.set_ticket_id(t.id());
  add.set_promise("查明本月两次停电的原因后回复客户");
  v1::AddFollowUpResponse added;
  grpc::Status s = stub->AddFollowUp(server.ctx().get(), add, &added);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string first = t.id() + "/F1";
  EXPECT_EQ(added.follow_up().id(), first);
  EXPECT_EQ(added.follow_up().reason(), v1::FOLLOW_UP_REASON_PROMISE);
  EXPECT_EQ(added.follow_up().detail(), "查明本月两次停电的原因后回复客户");
  EXPECT_EQ(added.follow_up().due_time().seconds(), secs("14:30") + 48 * kHour);
  EXPECT_TRUE(starts_with(added.follow_up().opened_by(), "bootstrap admin (")) << added.follow_up().opened_by();

  v1::RecordFollowUpRequest rec;
  rec.set_follow_up_id(first);
  rec.set_outcome(v1::FOLLOW_UP_OUTCOME_NEW_REQUEST);
  rec.set_new_request("希望把电表箱移到院墙外");
  v1::RecordFollowUpResponse out;
  s = stub->RecordFollowUp(server.ctx().get(), rec, &out);  // no reply time agreed
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "reply_by")) << s.error_message();
  rec.mutable_reply_by_time()->set_seconds(secs("14:30") + 49 * kHour);  // beyond 48 h
  s = stub->RecordFollowUp(server.ctx().get(), rec, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "reply_by")) << s.error_message();
  auto owed = follow_ups(true);
  ASSERT_EQ(owed.follow_ups_size(), 1);  // nothing changed
  EXPECT_EQ(owed.follow_ups(0).outcome(), v1::FOLLOW_UP_OUTCOME_UNSPECIFIED);

  const std::int64_t reply_by = secs("14:30") + 24 * kHour;
  rec.mutable_reply_by_time()->set_seconds(reply_by);
  s = stub->RecordFollowUp(server.ctx().get(), rec, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.follow_up().id(), first);
  EXPECT_EQ(out.follow_up().outcome(), v1::FOLLOW_UP_OUTCOME_NEW_REQUEST);
  EXPECT_EQ(out.follow_up().done_time().seconds(), secs("14:30"));
  ASSERT_TRUE(out.has_opened());
  const v1::FollowUp& opened = out.opened();
  EXPECT_EQ(opened.id(), t.id() + "/F2");
  EXPECT_EQ(opened.reason(), v1::FOLLOW_UP_REASON_NEW_REQUEST);
  EXPECT_EQ(opened.parent_id(), first);
  EXPECT_EQ(opened.detail(), "希望把电表箱移到院墙外");
  EXPECT_EQ(opened.due_time().seconds(), reply_by);
  EXPECT_EQ(opened.first_due_time().seconds(), reply_by);
  owed = follow_ups();
  ASSERT_EQ(owed.follow_ups_size(), 1);  // the desk's queue: the new one only
  EXPECT_EQ(owed.follow_ups(0).id(), t.id() + "/F2");
  EXPECT_EQ(owed.follow_ups(0).parent_id(), first);

  // 20:30 local: outside contact hours, the call is not recorded.
  server.set_clock("20:30");
  v1::RecordFollowUpRequest late;
  late.set_follow_up_id(t.id() + "/F2");
  late.set_outcome(v1::FOLLOW_UP_OUTCOME_SATISFIED);
  s = stub->RecordFollowUp(server.ctx().get(), late, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "follow_up_id:")) << s.error_message();
  EXPECT_TRUE(contains(s.error_message(), "08:00")) << s.error_message();  // the next allowed time
  owed = follow_ups();
  ASSERT_EQ(owed.follow_ups_size(), 1);
  EXPECT_EQ(owed.follow_ups(0).outcome(), v1::FOLLOW_UP_OUTCOME_UNSPECIFIED);
}

}  // namespace
}  // namespace linecrew

namespace linecrew {
namespace {

// Rules §4: a scheduled visit is on the desk's confirmation queue from 3 h
// before its agreed arrival; a new time agreed on the call moves the deadline
// in force, the customer is told it, and the visit leaves the queue.
TEST_F(ServiceLoop, AScheduledVisitIsConfirmedByTheDeskTwoToThreeHoursAhead) {
  v1::CreateTicketRequest r;
  r.set_client_request_id("visit-1");
  r.mutable_customer()->set_name("赵先生");
  r.mutable_customer()->set_phone("13900139000");
  r.mutable_location()->set_lat(30.25);
  r.mutable_location()->set_lon(120.15);
  r.set_address("解放路 9 号");
  r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
  r.set_kind(v1::TICKET_KIND_SCHEDULED_VISIT);
  r.mutable_appointment_time()->set_seconds(secs("18:00"));  // window 15:00-16:00 local
  v1::CreateTicketResponse created;
  ASSERT_TRUE(stub->CreateTicket(server.ctx().get(), r, &created).ok());
  const std::string id = created.ticket().id();
  const auto queue = [&] {
    v1::ListConfirmationCallsResponse resp;
    const auto s = stub->ListConfirmationCalls(server.ctx().get(), {}, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  };
  EXPECT_EQ(queue().calls_size(), 0);  // 14:05: not yet
  EXPECT_NE(ctl(server, "confirmations list").out.find("no confirmation calls due"), std::string::npos);

  set_clock_at(secs("15:10"));
  const auto due = queue();
  ASSERT_EQ(due.calls_size(), 1);
  EXPECT_EQ(due.calls(0).ticket().id(), id);
  EXPECT_EQ(due.calls(0).due_time().seconds(), secs("16:00"));
  EXPECT_FALSE(due.calls(0).overdue());

  // Bad answers: clear errors naming the field; nothing changes.
  v1::RecordConfirmationCallRequest rec;
  rec.set_ticket_id(id);
  rec.set_outcome(v1::CONFIRMATION_OUTCOME_NEW_TIME_AGREED);
  v1::RecordConfirmationCallResponse out;
  grpc::Status s = stub->RecordConfirmationCall(server.ctx().get(), rec, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "new_time:")) << s.error_message();
  rec.set_outcome(v1::CONFIRMATION_OUTCOME_UNSPECIFIED);
  s = stub->RecordConfirmationCall(server.ctx().get(), rec, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_TRUE(starts_with(s.error_message(), "outcome:")) << s.error_message();
  rec.set_ticket_id("T-999999");
  rec.set_outcome(v1::CONFIRMATION_OUTCOME_CONFIRMED);
  s = stub->RecordConfirmationCall(server.ctx().get(), rec, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_EQ(queue().calls_size(), 1);

  // Unreachable: still due, one attempt; then a new time agreed through linecrewctl.
  const CtlRun unreachable = ctl(server, "confirmations record " + id + " --outcome unreachable");
  EXPECT_EQ(unreachable.rc, 0) << unreachable.out;
  ASSERT_EQ(queue().calls_size(), 1);
  EXPECT_EQ(queue().calls(0).attempts(), 1u);
  const CtlRun agreed =
      ctl(server, "confirmations record " + id + " --outcome new_time_agreed --new-time " + iso("19:00"));
  EXPECT_EQ(agreed.rc, 0) << agreed.out;
  EXPECT_EQ(queue().calls_size(), 0);
  v1::GetTicketRequest get;
  get.set_ticket_id(id);
  v1::GetTicketResponse t;
  ASSERT_TRUE(stub->GetTicket(server.ctx().get(), get, &t).ok());
  EXPECT_EQ(t.ticket().effective_deadline().seconds(), secs("19:00"));
  EXPECT_EQ(t.ticket().deadline().seconds(), secs("18:00"));
  const auto told = gateway.wait_for("new_time_agreed", id, 1);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_TRUE(contains(told[0].value("text", ""), "19:00")) << told[0].dump();
  // Confirmed once: a second call is refused.
  rec.set_ticket_id(id);
  s = stub->RecordConfirmationCall(server.ctx().get(), rec, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
}

}  // namespace
}  // namespace linecrew
