// Malformed or unexpected server data: a deliberately wrong CrewSyncService
// (a real gRPC server in the test) answers the handheld's sync. The device
// refuses the page whole, keeps its data and cursor, and reports the error.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>

#include "linecrew/device/app/actions.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/sync/sync_agent.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;

class BadServer final : public v1::CrewSyncService::Service {
 public:
  std::function<void(v1::PullResponse*)> pull;
  std::function<void(const v1::UploadRequest&, v1::UploadResponse*)> upload;

  grpc::Status Hello(grpc::ServerContext*, const v1::HelloRequest*, v1::HelloResponse* resp) override {
    resp->mutable_server_time()->set_seconds(at("14:00").time_since_epoch().count());
    resp->set_crew_id("C-1");
    return grpc::Status::OK;
  }
  grpc::Status Upload(grpc::ServerContext*, const v1::UploadRequest* req, v1::UploadResponse* resp) override {
    upload(*req, resp);
    return grpc::Status::OK;
  }
  grpc::Status Pull(grpc::ServerContext*, const v1::PullRequest*, v1::PullResponse* resp) override {
    pull(resp);
    return grpc::Status::OK;
  }
};

class BadData : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(&service);
    server = b.BuildAndStart();
    ASSERT_TRUE(server);
    device::LocalTicket t;
    t.id = TicketId("T-000001");
    t.customer_name = "李女士";
    t.location = GeoPoint(30.25, 120.15);
    t.deadline = t.effective_deadline = at("14:50");
    t.version = 3;
    store.upsert(t);
    store.set_cursor(5);
    service.upload = [](const v1::UploadRequest& req, v1::UploadResponse* resp) {
      for (const auto& a : req.actions()) {
        auto* ack = resp->add_acks();
        ack->set_op_id(a.op_id());
        ack->set_result(v1::ACTION_RESULT_APPLIED);
      }
    };
  }
  void TearDown() override { server->Shutdown(); }

  device::SyncReport sync() {
    device::SyncOptions o;
    o.device_id = DeviceId("dev-bad");
    o.token = "x";
    o.call_timeout = std::chrono::milliseconds(3000);
    ManualClock clock(at("14:00"));
    device::SyncAgent agent(
        store, clock, device::make_channel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()), o);
    return agent.sync_once();
  }

  void expect_kept(const device::SyncReport& r, const std::string& field) {
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find(field), std::string::npos) << r.error;
    const auto t = store.get(TicketId("T-000001"));
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->version, 3u);
    EXPECT_EQ(t->deadline, at("14:50"));
    EXPECT_EQ(store.cursor(), 5u);
    ASSERT_FALSE(store.notices().empty());
    EXPECT_NE(store.notices().front().text.find(field), std::string::npos);
    EXPECT_EQ(store.integrity_check(), "ok");
  }

  testing::TempDir dir{"device-bad-server"};
  device::LocalStore store{dir.file("crew.db")};
  BadServer service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

v1::Ticket good_ticket() {
  v1::Ticket t;
  t.set_id("T-000002");
  t.mutable_location()->set_lat(30.25);
  t.mutable_location()->set_lon(120.15);
  t.mutable_deadline()->set_seconds(at("15:00").time_since_epoch().count());
  t.set_status(v1::TICKET_STATUS_ASSIGNED);
  t.set_version(1);
  return t;
}

TEST_F(BadData, ALatitudeOutOfRangeIsRefusedAndNothingChanges) {
  service.pull = [](v1::PullResponse* r) {
    auto* ok = r->add_changes();
    ok->set_sequence(6);
    *ok->mutable_ticket() = good_ticket();
    auto* c = r->add_changes();
    c->set_sequence(7);
    *c->mutable_ticket() = good_ticket();
    c->mutable_ticket()->mutable_location()->set_lat(91);
    r->set_next_cursor(7);
  };
  expect_kept(sync(), "changes[1].ticket.location");
  EXPECT_FALSE(store.get(TicketId("T-000002")).has_value());  // not even the good half of the page
}

TEST_F(BadData, ASequenceGoingBackwardsIsRefused) {
  service.pull = [](v1::PullResponse* r) {
    auto* c = r->add_changes();
    c->set_sequence(4);  // the device is at 5
    *c->mutable_ticket() = good_ticket();
    r->set_next_cursor(6);
  };
  expect_kept(sync(), "changes[0].sequence");
}

TEST_F(BadData, AnUnknownStatusOrBadIdIsRefused) {
  service.pull = [](v1::PullResponse* r) {
    auto* c = r->add_changes();
    c->set_sequence(6);
    *c->mutable_ticket() = good_ticket();
    c->mutable_ticket()->set_id("not an id!");
    r->set_next_cursor(6);
  };
  expect_kept(sync(), "changes[0].ticket.id");
}

TEST_F(BadData, AcksThatDoNotMatchTheUploadKeepTheOutbox) {
  device::ActionInput in;
  in.action = "accept";
  in.ticket = TicketId("T-000001");
  device::record(store, DeviceId("dev-bad"), in, at("14:01"));
  service.upload = [](const v1::UploadRequest&, v1::UploadResponse* resp) {
    resp->add_acks()->set_op_id("00000000-0000-4000-8000-000000000000");  // not ours
  };
  service.pull = [](v1::PullResponse* r) { r->set_next_cursor(5); };
  const auto r = sync();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("acks"), std::string::npos) << r.error;
  EXPECT_EQ(store.outbox_size(), 1u);  // not acknowledged: it will be sent again
}

}  // namespace
}  // namespace linecrew
