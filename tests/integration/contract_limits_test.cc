// What an outside attack client found (issue 17), against the real server
// process: times outside any sane range, streams that outlived their token,
// a crew token for no crew, limits the contract states, an echoed 10-KB id,
// and one crew replaying another crew's operation.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "sim_server.h"

namespace linecrew {
namespace {

using testing::iso;
using testing::SimServer;

constexpr std::int64_t k2pow62 = std::int64_t{1} << 62;

std::int64_t secs(const std::string& hhmm) {
  return parse_utc(iso(hhmm)).time_since_epoch().count();
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

class Contract : public ::testing::Test {
 protected:
  void SetUp() override {
    crew_token = server.add_crew("C-01", 30.26, 120.16);
    stub = v1::DispatchService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    sync = v1::CrewSyncService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  }

  v1::CreateTicketRequest ticket_request(const std::string& rid) {
    v1::CreateTicketRequest r;
    r.set_client_request_id(rid);
    r.mutable_customer()->set_name("李女士");
    r.mutable_customer()->set_phone("+8613800138000");
    r.mutable_location()->set_lat(30.25);
    r.mutable_location()->set_lon(120.15);
    r.set_address("解放路 1 号");
    r.mutable_first_contact_time()->set_seconds(secs("14:00"));
    r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
    return r;
  }

  static void expect_invalid(const grpc::Status& s, const std::string& field) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(s.error_message().rfind(field + ":", 0), 0u) << "'" << s.error_message() << "' should name " << field;
  }

  int ticket_count() {
    v1::ListTicketsResponse r;
    EXPECT_TRUE(stub->ListTickets(server.ctx().get(), {}, &r).ok());
    return r.tickets_size();
  }

  std::string issue(v1::Role role, const std::string& crew, std::int64_t ttl_s = 0, std::string* id = nullptr) {
    v1::IssueTokenRequest t;
    t.set_role(role);
    t.set_crew_id(crew);
    t.set_label("test");
    if (ttl_s) t.mutable_ttl()->set_seconds(ttl_s);
    v1::IssueTokenResponse r;
    const auto s = stub->IssueToken(server.ctx().get(), t, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (id) *id = r.token_id();
    return r.secret();
  }

  // One action through Upload as crew `token` at 14:10; returns the ack.
  v1::ActionAck upload(const std::string& token, const std::string& device, int op,
                       const std::function<void(v1::CrewAction&)>& fill) {
    return server.upload(token, secs("14:10"), device, op, fill);
  }

  SimServer server{"contract", "14:10"};
  std::string crew_token;
  std::unique_ptr<v1::DispatchService::Stub> stub;
  std::unique_ptr<v1::CrewSyncService::Stub> sync;
};

TEST_F(Contract, TimesOutsideTheirWindowAreRefusedNamingTheField) {
  v1::CreateTicketResponse resp;
  auto r = ticket_request("t1");
  r.mutable_first_contact_time()->set_seconds(-k2pow62);
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "first_contact_time.seconds");
  r.mutable_first_contact_time()->set_seconds(-62'135'596'801);  // one second before year 1
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "first_contact_time.seconds");
  r.mutable_first_contact_time()->set_seconds(secs("14:00") - 30 * 86400);  // a month ago
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "first_contact_time");
  r.mutable_first_contact_time()->set_seconds(secs("14:00"));
  r.mutable_first_contact_time()->set_nanos(-1);
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "first_contact_time.nanos");
  r.mutable_first_contact_time()->set_nanos(1'000'000'000);
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "first_contact_time.nanos");
  r.mutable_first_contact_time()->set_nanos(0);
  r.set_kind(v1::TICKET_KIND_SCHEDULED_VISIT);
  r.mutable_appointment_time()->set_seconds(k2pow62);
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "appointment_time.seconds");
  r.mutable_appointment_time()->set_seconds(secs("14:00") + 2 * 366 * 86400);  // two years ahead
  expect_invalid(stub->CreateTicket(server.ctx().get(), r, &resp), "appointment_time");
  EXPECT_EQ(ticket_count(), 0);  // nothing stored
  r.mutable_appointment_time()->set_seconds(secs("14:00") + 86400);
  ASSERT_TRUE(stub->CreateTicket(server.ctx().get(), r, &resp).ok());

  v1::ListTicketsRequest list;
  list.mutable_first_contact_from()->set_seconds(k2pow62);
  v1::ListTicketsResponse listed;
  expect_invalid(stub->ListTickets(server.ctx().get(), list, &listed), "first_contact_from.seconds");
  v1::GetReportRequest report;
  report.mutable_from()->set_seconds(0);
  report.mutable_to()->set_seconds(k2pow62);
  v1::GetReportResponse rep;
  expect_invalid(stub->GetReport(server.ctx().get(), report, &rep), "to.seconds");

  // Device times: a valid wire time is required; the event time is never
  // taken from a device clock beyond the receive time.
  v1::HelloRequest hello;
  hello.set_device_id("dev-1");
  hello.set_app_version("1.0.0");
  hello.mutable_device_time()->set_seconds(k2pow62);
  v1::HelloResponse hr;
  grpc::ClientContext hctx;
  hctx.AddMetadata("authorization", "Bearer " + crew_token);
  expect_invalid(sync->Hello(&hctx, hello, &hr), "device_time.seconds");
  const v1::ActionAck far = upload(crew_token, "dev-1", 1, [](v1::CrewAction& a) {
    a.mutable_device_time()->set_seconds(k2pow62);
    a.mutable_position()->mutable_point()->set_lat(30.25);
    a.mutable_position()->mutable_point()->set_lon(120.15);
  });
  EXPECT_EQ(far.result(), v1::ACTION_RESULT_REJECTED);
  EXPECT_EQ(far.reason().rfind("device_time.seconds", 0), 0u) << far.reason();
  v1::UploadRequest bad_send;
  bad_send.mutable_device_send_time()->set_seconds(-k2pow62);
  auto* a = bad_send.add_actions();
  a->set_op_id("00000000-0000-4000-8000-000000000002");
  a->set_device_id("dev-1");
  a->mutable_device_time()->set_seconds(secs("14:10"));
  a->mutable_position()->mutable_point()->set_lat(30.25);
  a->mutable_position()->mutable_point()->set_lon(120.15);
  grpc::ClientContext uctx;
  uctx.AddMetadata("authorization", "Bearer " + crew_token);
  v1::UploadResponse ur;
  expect_invalid(sync->Upload(&uctx, bad_send, &ur), "device_send_time.seconds");
}

// Reads a board stream until it ends; returns its status (DEADLINE_EXCEEDED
// when it outlived `limit`).
grpc::Status watch_until_end(v1::DispatchService::Stub& stub, const std::string& token, std::chrono::seconds limit,
                             const std::function<void()>& after_snapshot) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + limit);
  ctx.AddMetadata("authorization", "Bearer " + token);
  auto reader = stub.WatchBoard(&ctx, {});
  v1::WatchBoardResponse r;
  bool first = true;
  while (reader->Read(&r)) {
    if (first) after_snapshot();
    first = false;
  }
  EXPECT_FALSE(first) << "the stream sent nothing";
  return reader->Finish();
}

TEST_F(Contract, ABoardStreamEndsWhenItsTokenIsRevokedOrExpires) {
  std::string id;
  const std::string revoked = issue(v1::ROLE_DISPATCHER, "", 0, &id);
  const grpc::Status s1 = watch_until_end(*stub, revoked, std::chrono::seconds(15), [&] {
    v1::RevokeTokenRequest req;
    req.set_token_id(id);
    v1::RevokeTokenResponse resp;
    ASSERT_TRUE(stub->RevokeToken(server.ctx().get(), req, &resp).ok());
    server.create_ticket("after-revoke", "14:09");  // a change the stream must not deliver
  });
  EXPECT_EQ(s1.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s1.error_message();

  const std::string expiring = issue(v1::ROLE_DISPATCHER, "", 120);  // the server's clock is the test's file
  const grpc::Status s2 = watch_until_end(*stub, expiring, std::chrono::seconds(15), [&] {
    server.set_clock("14:13");  // three minutes on: the token has expired
    server.create_ticket("after-expiry", "14:12");
  });
  EXPECT_EQ(s2.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s2.error_message();
}

TEST_F(Contract, ACrewTokenNeedsARegisteredCrew) {
  v1::IssueTokenRequest t;
  t.set_role(v1::ROLE_CREW_DEVICE);
  t.set_crew_id("C-NOPE");
  t.set_label("handheld");
  v1::IssueTokenResponse r;
  const grpc::Status s = stub->IssueToken(server.ctx().get(), t, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("crew_id:", 0), 0u) << s.error_message();
  EXPECT_TRUE(r.secret().empty());
  server.add_crew("C-NOPE", 30.2, 120.1);  // registered: now it may have one
}

TEST_F(Contract, TheStatedLimitsAreKept) {
  const std::string id = server.create_ticket("t1", "14:05").id();
  server.pin(id, "C-01");
  // Cancel reason 1..500 characters, counted as characters.
  v1::CancelTicketRequest cancel;
  cancel.set_ticket_id(id);
  cancel.set_reason(repeat("因", 501));
  v1::CancelTicketResponse cr;
  expect_invalid(stub->CancelTicket(server.ctx().get(), cancel, &cr), "reason");
  EXPECT_NE(server.get(id).status(), v1::TICKET_STATUS_CANCELLED);

  // Crew ids 1..32 of [A-Za-z0-9_-], the error naming crew.id.
  v1::RegisterCrewRequest reg;
  auto* c = reg.mutable_crew();
  c->set_name("Crew");
  auto* m = c->add_members();
  m->set_first_name("Wei");
  m->set_staff_number("SC-01");  // C-01's member
  c->mutable_home_position()->set_lat(30.25);
  c->mutable_home_position()->set_lon(120.15);
  c->mutable_shift_start()->set_seconds(secs("08:00"));
  c->mutable_shift_end()->set_seconds(secs("20:00"));
  v1::RegisterCrewResponse rr;
  c->set_id(std::string(33, 'C'));
  expect_invalid(stub->RegisterCrew(server.ctx().get(), reg, &rr), "crew.id");
  c->set_id("C.02");
  const grpc::Status dot = stub->RegisterCrew(server.ctx().get(), reg, &rr);
  expect_invalid(dot, "crew.id");
  EXPECT_NE(dot.error_message().find("A-Z a-z 0-9 _ -"), std::string::npos) << dot.error_message();
  // Staff numbers are unique in the utility.
  c->set_id("C-02");
  const grpc::Status dup = stub->RegisterCrew(server.ctx().get(), reg, &rr);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS) << dup.error_message();
  EXPECT_EQ(dup.error_message().rfind("crew.members[0].staff_number:", 0), 0u) << dup.error_message();
  m->set_staff_number("SC-02");
  ASSERT_TRUE(stub->RegisterCrew(server.ctx().get(), reg, &rr).ok());
  v1::UpdateCrewRequest upd;
  upd.mutable_crew()->set_id("C-02");
  upd.mutable_crew()->add_members()->set_first_name("Li");
  upd.mutable_crew()->mutable_members(0)->set_staff_number("SC-01");
  upd.mutable_update_mask()->add_paths("members");
  v1::UpdateCrewResponse ur;
  EXPECT_EQ(stub->UpdateCrew(server.ctx().get(), upd, &ur).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // ListCrews: a page token it never returned, a malformed skill.
  v1::ListCrewsRequest lc;
  v1::ListCrewsResponse lr;
  lc.set_page_token("garbage!!");
  expect_invalid(stub->ListCrews(server.ctx().get(), lc, &lr), "page_token");
  lc.clear_page_token();
  lc.set_skill("UP PER");
  expect_invalid(stub->ListCrews(server.ctx().get(), lc, &lr), "skill");

  // Positions: heading in [0, 360).
  const v1::ActionAck heading = upload(crew_token, "dev-1", 10, [](v1::CrewAction& a) {
    a.mutable_position()->mutable_point()->set_lat(30.25);
    a.mutable_position()->mutable_point()->set_lon(120.15);
    a.mutable_position()->set_heading_deg(360);
  });
  EXPECT_EQ(heading.result(), v1::ACTION_RESULT_REJECTED);
  EXPECT_EQ(heading.reason().rfind("position.heading_deg", 0), 0u) << heading.reason();

  // A 900-character Chinese cause from a handheld is accepted and stored whole.
  const std::string cause = repeat("变压器", 300);
  const v1::ActionAck long_text = upload(crew_token, "dev-1", 11, [&](v1::CrewAction& a) {
    a.set_ticket_id(id);
    a.mutable_cause_found()->set_text(cause);
  });
  EXPECT_EQ(long_text.result(), v1::ACTION_RESULT_APPLIED) << long_text.reason();
  bool found = false;
  const v1::Ticket stored = server.get(id);
  for (const auto& e : stored.timeline()) found = found || e.detail().find(cause) != std::string::npos;
  EXPECT_TRUE(found) << "the whole cause text is in the timeline";
}

TEST_F(Contract, ErrorsEchoAtMost64CharactersOfAnId) {
  v1::RevokeTokenRequest req;
  req.set_token_id(std::string(10'000, 'x'));
  v1::RevokeTokenResponse resp;
  const grpc::Status s = stub->RevokeToken(server.ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_LT(s.error_message().size(), 200u) << s.error_message().size();
}

TEST_F(Contract, ACrewReplayingAnotherCrewsOperationLearnsNothing) {
  const std::string b_token = server.add_crew("C-02", 30.27, 120.17);
  const std::string id = server.create_ticket("t1", "14:05").id();
  server.pin(id, "C-02");
  const int op = 20;
  const auto accept = [&](v1::CrewAction& a) {
    a.set_ticket_id(id);
    a.mutable_accept();
  };
  ASSERT_EQ(upload(b_token, "dev-b", op, accept).result(), v1::ACTION_RESULT_APPLIED);
  const v1::ActionAck replay = upload(crew_token, "dev-b", op, accept);
  EXPECT_EQ(replay.result(), v1::ACTION_RESULT_REJECTED);
  EXPECT_EQ(replay.reason().find(id), std::string::npos) << replay.reason();
  EXPECT_EQ(replay.reason().find("applied"), std::string::npos) << replay.reason();
  EXPECT_EQ(replay.ticket_version(), 0u);
  // B's own replay is still the duplicate it always was.
  EXPECT_EQ(upload(b_token, "dev-b", op, accept).result(), v1::ACTION_RESULT_DUPLICATE);
}

}  // namespace
}  // namespace linecrew
