// Assembles a running linecrew-server: loads zones, policy and call script
// (a malformed file stops the start with an error naming it), opens the
// SQLite store, and serves gRPC with the health service (NOT_SERVING while
// starting and draining).
#pragma once

#include <grpcpp/server.h>

#include <atomic>
#include <memory>
#include <string>

#include "linecrew/core/call_script.h"
#include "linecrew/core/clock.h"
#include "linecrew/core/follow_up_script.h"
#include "linecrew/server/app/auth.h"
#include "linecrew/server/app/config.h"
#include "linecrew/server/app/crew_sync.h"
#include "linecrew/server/app/dispatch.h"
#include "linecrew/server/app/fault_follower.h"
#include "linecrew/server/app/notifier.h"
#include "linecrew/server/app/periodic.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/http/metrics.h"
#include "linecrew/server/http/tracking_http.h"
#include "linecrew/server/rpc/crew_sync_service.h"
#include "linecrew/server/rpc/customer_service.h"
#include "linecrew/server/rpc/dispatch_service.h"
#include "linecrew/server/storage/sqlite_notify.h"
#include "linecrew/server/storage/sqlite_store.h"

namespace linecrew {

class Server {
 public:
  // Throws Error when a file is malformed, the store cannot open, or the
  // address cannot be bound.
  Server(app::ServerConfig config, const Clock& clock);
  ~Server();

  int port() const { return port_; }
  // The metrics HTTP port, 0 when metrics are off.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // The customer tracking page's HTTP port, 0 when it is off.
  int tracking_port() const { return tracking_ ? tracking_->port() : 0; }
  const app::ServerConfig& config() const { return config_; }
  app::Notifier& notifier() { return *notifier_; }
  bool recovered_from_unclean_shutdown() const { return store_->recovered_from_unclean_shutdown(); }
  // Where the first start wrote the bootstrap admin token; empty otherwise.
  const std::string& bootstrap_token_file() const { return bootstrap_token_file_; }
  void wait();
  // Health to NOT_SERVING, then stop taking calls; in-flight calls get
  // `grace` to finish.
  void shutdown(Duration grace = seconds(5));

 private:
  app::ServerConfig config_;
  const Clock& clock_;
  ServicePolicy policy_;
  ZoneMap zones_;
  CallScriptTemplates scripts_;
  FollowUpScriptTemplates follow_up_scripts_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<TravelModel> travel_;
  std::unique_ptr<app::Dispatch> dispatch_;
  std::unique_ptr<app::Planning> planning_;
  std::unique_ptr<app::Auth> auth_;
  std::unique_ptr<app::Board> board_;
  std::unique_ptr<rpc::DispatchService> dispatch_service_;
  std::unique_ptr<app::CrewSync> crew_sync_;
  std::unique_ptr<rpc::CrewSyncService> crew_sync_service_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<http::MetricsServer> metrics_;
  NoticeTemplates notice_templates_;
  std::unique_ptr<storage::SqliteNotifyStore> notify_store_;
  std::unique_ptr<app::Notifier> notifier_;
  std::unique_ptr<app::FaultFollower> fault_follower_;  // rules §7: linked callers follow their fault
  std::unique_ptr<app::Periodic> stall_sweep_;          // rules §7: stalled tickets escalate
  std::unique_ptr<app::Periodic> follow_up_sweep_;      // rules §7: overdue follow-ups escalate, with an apology
  std::unique_ptr<rpc::CustomerService> customer_service_;
  std::unique_ptr<http::TrackingServer> tracking_;
  int port_ = 0;
  std::string bootstrap_token_file_;
  std::atomic<bool> stopping_{false};
};

}  // namespace linecrew
