// CustomerService (proto/linecrew/v1/customer.proto): a customer's own
// ticket by tracking token. No bearer token: the tracking token is the
// credential, so these handlers never call authorize() and the role table
// (rpc/auth.cc) has no entry for them. An unknown, malformed or expired
// token is NOT_FOUND "not found"; requests are rate-limited per peer and per
// token (RESOURCE_EXHAUSTED); tokens are never logged in full.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "linecrew/core/clock.h"
#include "linecrew/server/app/customer_view.h"
#include "linecrew/server/app/rate_limit.h"
#include "linecrew/v1/customer.grpc.pb.h"

namespace linecrew::rpc {

struct CustomerServiceOptions {
  double peer_per_minute = 60;  // per client address, both methods
  double peer_burst = 30;
  double token_per_minute = 30;  // per tracking token, both methods
  double token_burst = 10;
  // Open WatchStatus streams, in all and per token (each holds a server thread).
  std::size_t max_watchers = 256;
  std::size_t max_watchers_per_token = 4;
  std::chrono::milliseconds poll{1000};  // how often a stream looks for cancellation and shutdown
  std::chrono::seconds recheck{10};      // re-reads the view at least this often (expiry) without a change signal
  std::chrono::seconds heartbeat{60};    // an unchanged view is re-sent this often
};

class CustomerService final : public v1::CustomerService::Service {
 public:
  CustomerService(app::CustomerViews& views, const Clock& clock, CustomerServiceOptions options = {});
  // Ends open WatchStatus streams with UNAVAILABLE (graceful shutdown).
  void stop_streams();

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* req,
                         v1::GetStatusResponse* resp) override;
  grpc::Status WatchStatus(grpc::ServerContext* ctx, const v1::WatchStatusRequest* req,
                           grpc::ServerWriter<v1::WatchStatusResponse>* writer) override;

 private:
  // The view for `token`, after the rate limits; throws NOT_FOUND "not found"
  // or RESOURCE_EXHAUSTED.
  app::CustomerView admit(const grpc::ServerContext& ctx, const std::string& token);
  app::CustomerView lookup(const std::string& token);

  app::CustomerViews& views_;
  const Clock& clock_;
  CustomerServiceOptions options_;
  app::RateLimiter peer_limit_;
  app::RateLimiter token_limit_;
  std::mutex watch_mu_;
  std::size_t watchers_ = 0;
  std::map<std::string, std::size_t, std::less<>> watchers_by_token_;
  std::atomic<bool> stopping_{false};
};

}  // namespace linecrew::rpc
