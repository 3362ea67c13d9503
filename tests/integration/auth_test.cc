// Bearer tokens and roles against the real server process: the role matrix
// (every DispatchService method x every role x no token), revocation, and
// that a refused call writes nothing.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "linecrew/v1/customer.grpc.pb.h"
#include "linecrew/v1/dispatch.grpc.pb.h"
#include "server_process.h"

namespace linecrew {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using Stub = v1::DispatchService::Stub;

grpc::Status call_with(Stub& stub, const std::string& method, const std::string& token) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  // Minimal requests: a call that passes authorisation may still fail
  // validation; the matrix only looks at UNAUTHENTICATED / PERMISSION_DENIED.
  static const std::map<std::string, std::function<grpc::Status(Stub&, grpc::ClientContext*)>> kCalls = {
      {"CreateTicket",
       [](Stub& s, grpc::ClientContext* c) {
         v1::CreateTicketResponse r;
         return s.CreateTicket(c, {}, &r);
       }},
      {"GetTicket",
       [](Stub& s, grpc::ClientContext* c) {
         v1::GetTicketResponse r;
         return s.GetTicket(c, {}, &r);
       }},
      {"ListTickets",
       [](Stub& s, grpc::ClientContext* c) {
         v1::ListTicketsResponse r;
         return s.ListTickets(c, {}, &r);
       }},
      {"CancelTicket",
       [](Stub& s, grpc::ClientContext* c) {
         v1::CancelTicketResponse r;
         return s.CancelTicket(c, {}, &r);
       }},
      {"PinTicket",
       [](Stub& s, grpc::ClientContext* c) {
         v1::PinTicketResponse r;
         return s.PinTicket(c, {}, &r);
       }},
      {"UnpinTicket",
       [](Stub& s, grpc::ClientContext* c) {
         v1::UnpinTicketResponse r;
         return s.UnpinTicket(c, {}, &r);
       }},
      {"RegisterCrew",
       [](Stub& s, grpc::ClientContext* c) {
         v1::RegisterCrewResponse r;
         return s.RegisterCrew(c, {}, &r);
       }},
      {"UpdateCrew",
       [](Stub& s, grpc::ClientContext* c) {
         v1::UpdateCrewResponse r;
         return s.UpdateCrew(c, {}, &r);
       }},
      {"SetCrewShift",
       [](Stub& s, grpc::ClientContext* c) {
         v1::SetCrewShiftResponse r;
         return s.SetCrewShift(c, {}, &r);
       }},
      {"ListCrews",
       [](Stub& s, grpc::ClientContext* c) {
         v1::ListCrewsResponse r;
         return s.ListCrews(c, {}, &r);
       }},
      {"WatchBoard",
       [](Stub& s, grpc::ClientContext* c) {
         auto reader = s.WatchBoard(c, {});
         v1::WatchBoardResponse r;
         if (reader->Read(&r)) c->TryCancel();  // authorised and streaming: enough
         const grpc::Status st = reader->Finish();
         return st.error_code() == grpc::StatusCode::CANCELLED ? grpc::Status::OK : st;
       }},
      {"GetReport",
       [](Stub& s, grpc::ClientContext* c) {
         v1::GetReportResponse r;
         return s.GetReport(c, {}, &r);
       }},
      {"IssueToken",
       [](Stub& s, grpc::ClientContext* c) {
         v1::IssueTokenResponse r;
         return s.IssueToken(c, {}, &r);
       }},
      {"RevokeToken",
       [](Stub& s, grpc::ClientContext* c) {
         v1::RevokeTokenResponse r;
         return s.RevokeToken(c, {}, &r);
       }},
  };
  return kCalls.at(method)(stub, &ctx);
}

std::string issue(Stub& stub, const std::string& admin, v1::Role role, const std::string& crew) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin);
  v1::IssueTokenRequest req;
  req.set_role(role);
  req.set_crew_id(crew);
  req.set_label("test");
  v1::IssueTokenResponse resp;
  const grpc::Status s = stub.IssueToken(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.secret();
}

class Auth : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServerProcess>(testing::make_config(dir, dir.file("data")), dir.file("data"));
    ASSERT_TRUE(server->start()) << server->stderr_text();
    stub = v1::DispatchService::NewStub(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
    admin = server->admin_token();
    ASSERT_FALSE(admin.empty());
    // Crew-device tokens name a registered crew.
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin);
    v1::RegisterCrewRequest req;
    auto* c = req.mutable_crew();
    c->set_id("C-1");
    c->set_name("Crew 1");
    c->add_members()->set_first_name("Wei");
    c->mutable_members(0)->set_staff_number("A1");
    c->mutable_home_position()->set_lat(30.25);
    c->mutable_home_position()->set_lon(120.15);
    c->mutable_shift_start()->set_seconds(1'800'000'000);
    c->mutable_shift_end()->set_seconds(1'800'003'600);
    v1::RegisterCrewResponse resp;
    const grpc::Status s = stub->RegisterCrew(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  TempDir dir{"auth"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Stub> stub;
  std::string admin;
};

TEST_F(Auth, RoleMatrix) {
  const std::map<std::string, std::string> tokens = {
      {"none", ""},
      {"bogus", "lc_this-token-was-never-issued-by-anyone"},
      {"dispatcher", issue(*stub, admin, v1::ROLE_DISPATCHER, "")},
      {"admin", admin},
      {"crew_device", issue(*stub, admin, v1::ROLE_CREW_DEVICE, "C-1")},
  };
  const std::vector<std::string> admin_only = {"RegisterCrew", "IssueToken", "RevokeToken"};
  const std::vector<std::string> methods = {"CreateTicket", "GetTicket",    "ListTickets", "CancelTicket", "PinTicket",
                                            "UnpinTicket",  "RegisterCrew", "UpdateCrew",  "SetCrewShift", "ListCrews",
                                            "WatchBoard",   "GetReport",    "IssueToken",  "RevokeToken"};
  for (const auto& method : methods) {
    const bool only_admin = std::find(admin_only.begin(), admin_only.end(), method) != admin_only.end();
    for (const auto& [who, token] : tokens) {
      const grpc::StatusCode code = call_with(*stub, method, token).error_code();
      grpc::StatusCode want_refusal = grpc::StatusCode::OK;  // OK: "not refused by auth"
      if (who == "none" || who == "bogus")
        want_refusal = grpc::StatusCode::UNAUTHENTICATED;
      else if (who == "crew_device" || (who == "dispatcher" && only_admin))
        want_refusal = grpc::StatusCode::PERMISSION_DENIED;
      if (want_refusal == grpc::StatusCode::OK) {
        EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << method << " as " << who;
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED) << method << " as " << who;
      } else {
        EXPECT_EQ(code, want_refusal) << method << " as " << who;
      }
    }
  }
}

TEST_F(Auth, RefusedCallsWriteNothingAndRevokedTokensStopWorking) {
  const std::string dispatcher = issue(*stub, admin, v1::ROLE_DISPATCHER, "");
  v1::CreateTicketRequest req;
  req.set_client_request_id("r1");
  req.mutable_customer()->set_name("Li");
  req.mutable_customer()->set_phone("+8613800138000");
  req.mutable_location()->set_lat(30.25);
  req.mutable_location()->set_lon(120.15);
  req.set_address("1 Grid Road");
  req.set_first_contact_channel(v1::CHANNEL_HOTLINE);
  for (const std::string& token : {std::string(), std::string("lc_wrong-wrong-wrong-wrong")}) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    v1::CreateTicketResponse resp;
    EXPECT_EQ(stub->CreateTicket(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + dispatcher);
    v1::ListTicketsResponse listed;
    ASSERT_TRUE(stub->ListTickets(&ctx, {}, &listed).ok());
    EXPECT_EQ(listed.tickets_size(), 0);
  }
  // Revoke the dispatcher's token: its next call is refused.
  grpc::ClientContext list_tokens;
  v1::IssueTokenRequest ireq;
  ireq.set_role(v1::ROLE_DISPATCHER);
  ireq.set_label("to revoke");
  v1::IssueTokenResponse issued;
  list_tokens.AddMetadata("authorization", "Bearer " + admin);
  ASSERT_TRUE(stub->IssueToken(&list_tokens, ireq, &issued).ok());
  EXPECT_EQ(call_with(*stub, "ListTickets", issued.secret()).error_code(), grpc::StatusCode::OK);
  grpc::ClientContext rctx;
  rctx.AddMetadata("authorization", "Bearer " + admin);
  v1::RevokeTokenRequest rreq;
  rreq.set_token_id(issued.token_id());
  v1::RevokeTokenResponse rresp;
  ASSERT_TRUE(stub->RevokeToken(&rctx, rreq, &rresp).ok());
  const grpc::Status after = call_with(*stub, "ListTickets", issued.secret());
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(after.error_message().find("revoked"), std::string::npos) << after.error_message();
  // The request log names the token id, never its secret.
  EXPECT_EQ(server->stderr_text().find(issued.secret()), std::string::npos);
  EXPECT_NE(server->stderr_text().find(issued.token_id()), std::string::npos);
}

TEST_F(Auth, CrewTokensNeedACrewAndOthersMustNotNameOne) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin);
  v1::IssueTokenRequest req;
  req.set_role(v1::ROLE_CREW_DEVICE);
  req.set_label("handheld");
  v1::IssueTokenResponse resp;
  const grpc::Status s = stub->IssueToken(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("crew_id", 0), 0u) << s.error_message();
}

// CustomerService is outside the role matrix: the tracking token is the
// credential, so no bearer token (nor a bad one) is refused; an unknown
// tracking token is NOT_FOUND "not found" for everyone.
// DISABLED_ until server.cc registers the CustomerService (issue 6 wiring).
TEST_F(Auth, CustomerServiceTakesNoBearerToken) {
  auto customer =
      v1::CustomerService::NewStub(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
  const std::map<std::string, std::string> tokens = {
      {"none", ""},
      {"bogus", "lc_this-token-was-never-issued-by-anyone"},
      {"dispatcher", issue(*stub, admin, v1::ROLE_DISPATCHER, "")},
      {"admin", admin},
      {"crew_device", issue(*stub, admin, v1::ROLE_CREW_DEVICE, "C-1")},
  };
  for (const auto& [who, token] : tokens) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    v1::GetStatusRequest req;
    req.set_tracking_token("ZZZZEfGhIjKlMnOpQrStUv_-42");
    v1::GetStatusResponse resp;
    const grpc::Status s = customer->GetStatus(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << who;
    EXPECT_EQ(s.error_message(), "not found") << who;
  }
}

}  // namespace
}  // namespace linecrew
