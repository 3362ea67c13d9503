// The device's gRPC client code (built for aarch64 and run under qemu-user)
// talks to the native linecrew-server over loopback.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "server_process.h"

namespace linecrew {
namespace {

TEST(DeviceToServer, HealthCheckOverLoopback) {
  testing::TempDir dir("device-health");
  testing::ServerProcess server(testing::make_config(dir, dir.file("data")), dir.file("data"));
  ASSERT_TRUE(server.start()) << server.stderr_text();
  auto stub =
      grpc::health::v1::Health::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status s = stub->Check(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace linecrew
