#pragma once

#include "linecrew/server/app/auth.h"
#include "linecrew/server/app/crew_sync.h"
#include "linecrew/server/app/dispatch.h"
#include "linecrew/v1/crew_sync.grpc.pb.h"

namespace linecrew::rpc {

// Thin handlers for the handheld: authorise (crew-device tokens only), check
// the request, call app::CrewSync, serialise. A malformed single action is a
// REJECTED ack naming the field; a malformed batch is INVALID_ARGUMENT.
class CrewSyncService final : public v1::CrewSyncService::Service {
 public:
  CrewSyncService(app::CrewSync& sync, app::Dispatch& dispatch, app::Auth& auth)
      : sync_(sync), dispatch_(dispatch), auth_(auth) {}

  grpc::Status Hello(grpc::ServerContext* ctx, const v1::HelloRequest* req, v1::HelloResponse* resp) override;
  grpc::Status Upload(grpc::ServerContext* ctx, const v1::UploadRequest* req, v1::UploadResponse* resp) override;
  grpc::Status Pull(grpc::ServerContext* ctx, const v1::PullRequest* req, v1::PullResponse* resp) override;

 private:
  app::CrewSync& sync_;
  app::Dispatch& dispatch_;
  app::Auth& auth_;
};

// Limits of the handheld API (also sent in DevicePolicy).
inline constexpr std::size_t kMaxUploadActions = 200;
inline constexpr std::size_t kMaxUploadBytes = 1 << 20;

}  // namespace linecrew::rpc
