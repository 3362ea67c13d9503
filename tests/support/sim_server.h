// A real server process in simulation mode (its clock is a file the test
// writes) with an admin client: for the device sync tests and the server's
// own simulated-time tests (notifications).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "linecrew/core/time.h"
#include "linecrew/v1/crew_sync.grpc.pb.h"
#include "linecrew/v1/dispatch.grpc.pb.h"
#include "server_process.h"

namespace linecrew::testing {

// "14:05" on the test day, local time (UTC+8), as the server's clock file wants it.
inline std::string iso(const std::string& hhmm) {
  return "2026-11-22T" + hhmm + ":00+08:00";
}

// Seconds since the epoch of `hhmm` on the test day (as iso()).
inline std::int64_t secs(const std::string& hhmm) {
  return parse_utc(iso(hhmm)).time_since_epoch().count();
}

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class SimServer {
 public:
  // `extra` is added to server.json; `fault_links` keeps the shipped policy's automatic fault links (see make_config).
  explicit SimServer(const std::string& tag, const std::string& start = "14:00", const std::string& extra = "",
                     bool fault_links = false)
      : dir_(tag) {
    set_clock(start);
    server_ = std::make_unique<ServerProcess>(
        make_config(dir_, dir_.file("data"),
                    "\"clock_file\": \"" + dir_.file("clock.txt") + "\"" + (extra.empty() ? "" : ", " + extra),
                    fault_links),
        dir_.file("data"));
    if (!server_->start()) throw std::runtime_error("server did not start: " + server_->stderr_text());
    admin_token_ = server_->admin_token();
    stub_ = v1::DispatchService::NewStub(grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  const TempDir& dir() const { return dir_; }
  // kill -9, then start again on the same data (it may listen on another port).
  void restart() {
    server_->kill(SIGKILL);
    server_->wait_exit();
    if (!server_->start()) throw std::runtime_error("server did not restart: " + server_->stderr_text());
    stub_ = v1::DispatchService::NewStub(grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }
  ServerProcess& process() { return *server_; }
  std::string address() const { return server_->address(); }
  const std::string& admin_token() const { return admin_token_; }

  void set_clock(const std::string& hhmm) {
    const std::string tmp = dir_.file("clock.txt.tmp");
    std::ofstream(tmp) << iso(hhmm) << "\n";
    std::rename(tmp.c_str(), dir_.file("clock.txt").c_str());
  }

  std::unique_ptr<grpc::ClientContext> ctx() const {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    c->AddMetadata("authorization", "Bearer " + admin_token_);
    return c;
  }

  // A crew on shift 08:00-20:00 starting at (lat, lon); returns a crew-device token.
  std::string add_crew(const std::string& id, double lat, double lon) {
    v1::RegisterCrewRequest req;
    auto* c = req.mutable_crew();
    c->set_id(id);
    c->set_name("城南抢修" + id);
    auto* m = c->add_members();
    m->set_first_name("伟");
    m->set_full_name("王伟");
    m->set_staff_number("S" + id);
    c->mutable_home_position()->set_lat(lat);
    c->mutable_home_position()->set_lon(lon);
    c->mutable_shift_start()->set_seconds(parse_utc(iso("08:00")).time_since_epoch().count());
    c->mutable_shift_end()->set_seconds(parse_utc(iso("20:00")).time_since_epoch().count());
    c->set_on_shift(true);
    c->set_callback_phone("+8657188886666");
    v1::RegisterCrewResponse resp;
    const auto s = stub_->RegisterCrew(ctx().get(), req, &resp);
    if (!s.ok()) throw std::runtime_error("RegisterCrew: " + s.error_message());
    v1::IssueTokenRequest t;
    t.set_role(v1::ROLE_CREW_DEVICE);
    t.set_crew_id(id);
    t.set_label("handheld " + id);
    v1::IssueTokenResponse tr;
    const auto s2 = stub_->IssueToken(ctx().get(), t, &tr);
    if (!s2.ok()) throw std::runtime_error("IssueToken: " + s2.error_message());
    return tr.secret();
  }

  v1::Ticket create_ticket(const std::string& rid, const std::string& reported, double lat = 30.25,
                           double lon = 120.15) {
    v1::CreateTicketRequest r;
    r.set_client_request_id(rid);
    r.mutable_customer()->set_name("李女士");
    r.mutable_customer()->set_phone("+8613800138000");
    r.mutable_customer()->set_language("zh-CN");
    r.mutable_location()->set_lat(lat);
    r.mutable_location()->set_lon(lon);
    r.set_address("解放路 1 号");
    r.mutable_first_contact_time()->set_seconds(parse_utc(iso(reported)).time_since_epoch().count());
    r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
    v1::CreateTicketResponse resp;
    const auto s = stub_->CreateTicket(ctx().get(), r, &resp);
    if (!s.ok()) throw std::runtime_error("CreateTicket: " + s.error_message());
    return resp.ticket();
  }

  // A scheduled visit booked for `appointment` ("HH:MM" on the test day), reported at `reported`.
  v1::Ticket create_visit(const std::string& rid, const std::string& reported, const std::string& appointment) {
    v1::CreateTicketRequest r;
    r.set_client_request_id(rid);
    r.mutable_customer()->set_name("王先生");
    r.mutable_customer()->set_phone("+8613800138000");
    r.mutable_customer()->set_language("zh-CN");
    r.mutable_location()->set_lat(30.25);
    r.mutable_location()->set_lon(120.15);
    r.set_address("解放路 3 号");
    r.mutable_first_contact_time()->set_seconds(parse_utc(iso(reported)).time_since_epoch().count());
    r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
    r.set_kind(v1::TICKET_KIND_SCHEDULED_VISIT);
    r.mutable_appointment_time()->set_seconds(parse_utc(iso(appointment)).time_since_epoch().count());
    v1::CreateTicketResponse resp;
    const auto s = stub_->CreateTicket(ctx().get(), r, &resp);
    if (!s.ok()) throw std::runtime_error("CreateTicket: " + s.error_message());
    return resp.ticket();
  }

  v1::Ticket get(const std::string& id) {
    v1::GetTicketRequest r;
    r.set_ticket_id(id);
    v1::GetTicketResponse resp;
    const auto s = stub_->GetTicket(ctx().get(), r, &resp);
    if (!s.ok()) throw std::runtime_error("GetTicket: " + s.error_message());
    return resp.ticket();
  }

  void pin(const std::string& ticket, const std::string& crew) {
    v1::PinTicketRequest r;
    r.set_ticket_id(ticket);
    r.set_crew_id(crew);
    v1::PinTicketResponse resp;
    const auto s = stub_->PinTicket(ctx().get(), r, &resp);
    if (!s.ok()) throw std::runtime_error("PinTicket: " + s.error_message());
  }

  // One crew action through CrewSyncService.Upload, as a handheld sends it:
  // device and send time `t` (seconds), device `device`, op id number `op`
  // (a canonical UUID), then `fill`. Returns the ack; throws when the call fails.
  v1::ActionAck upload(const std::string& crew_token, std::int64_t t, const std::string& device, int op,
                       const std::function<void(v1::CrewAction&)>& fill) {
    if (!sync_ || sync_address_ != server_->address()) {  // a restarted process may listen elsewhere
      sync_address_ = server_->address();
      sync_ = v1::CrewSyncService::NewStub(grpc::CreateChannel(sync_address_, grpc::InsecureChannelCredentials()));
    }
    v1::UploadRequest req;
    req.mutable_device_send_time()->set_seconds(t);
    auto* a = req.add_actions();
    char op_id[40];
    std::snprintf(op_id, sizeof op_id, "00000000-0000-4000-8000-%012d", op);
    a->set_op_id(op_id);
    a->set_device_id(device);
    a->mutable_device_time()->set_seconds(t);
    fill(*a);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", "Bearer " + crew_token);
    v1::UploadResponse resp;
    const grpc::Status s = sync_->Upload(&ctx, req, &resp);
    if (!s.ok()) throw std::runtime_error("Upload: " + s.error_message());
    if (resp.acks_size() != 1) throw std::runtime_error("Upload: " + std::to_string(resp.acks_size()) + " acks");
    return resp.acks(0);
  }

  grpc::Status cancel(const std::string& id, const std::string& reason) {
    v1::CancelTicketRequest r;
    r.set_ticket_id(id);
    r.set_reason(reason);
    v1::CancelTicketResponse resp;
    return stub_->CancelTicket(ctx().get(), r, &resp);
  }

 private:
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_token_;
  std::unique_ptr<v1::DispatchService::Stub> stub_;
  std::unique_ptr<v1::CrewSyncService::Stub> sync_;
  std::string sync_address_;
};

}  // namespace linecrew::testing
