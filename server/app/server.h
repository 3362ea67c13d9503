// Assembles a running linecrew-server: loads zones, policy and call script
// (a malformed file stops the start with an error naming it), opens the
// SQLite store, and serves gRPC with the health service (NOT_SERVING while
// starting and draining).
#pragma once

#include <grpcpp/server.h>

#include <atomic>
#include <memory>
#include <string>

#include "app/auth.h"
#include "app/config.h"
#include "app/crew_sync.h"
#include "app/dispatch.h"
#include "app/metrics.h"
#include "app/notifier.h"
#include "app/planning.h"
#include "app/tracking_http.h"
#include "linecrew/core/call_script.h"
#include "linecrew/core/clock.h"
#include "rpc/crew_sync_service.h"
#include "rpc/customer_service.h"
#include "rpc/dispatch_service.h"
#include "storage/sqlite_notify.h"
#include "storage/sqlite_store.h"

namespace linecrew::app {

class Server {
 public:
  // Throws Error when a file is malformed, the store cannot open, or the
  // address cannot be bound.
  Server(ServerConfig config, const Clock& clock);
  ~Server();

  int port() const { return port_; }
  // The metrics HTTP port, 0 when metrics are off.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // The customer tracking page's HTTP port, 0 when it is off.
  int tracking_port() const { return tracking_ ? tracking_->port() : 0; }
  const ServerConfig& config() const { return config_; }
  Notifier& notifier() { return *notifier_; }
  bool recovered_from_unclean_shutdown() const { return store_->recovered_from_unclean_shutdown(); }
  // Where the first start wrote the bootstrap admin token; empty otherwise.
  const std::string& bootstrap_token_file() const { return bootstrap_token_file_; }
  void wait();
  // Health to NOT_SERVING, then stop taking calls; in-flight calls get
  // `grace` to finish.
  void shutdown(Duration grace = seconds(5));

 private:
  ServerConfig config_;
  const Clock& clock_;
  ServicePolicy policy_;
  ZoneMap zones_;
  CallScriptTemplates scripts_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<TravelModel> travel_;
  std::unique_ptr<Dispatch> dispatch_;
  std::unique_ptr<Planning> planning_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Board> board_;
  std::unique_ptr<rpc::DispatchService> dispatch_service_;
  std::unique_ptr<CrewSync> crew_sync_;
  std::unique_ptr<rpc::CrewSyncService> crew_sync_service_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<MetricsServer> metrics_;
  NoticeTemplates notice_templates_;
  std::unique_ptr<storage::SqliteNotifyStore> notify_store_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<rpc::CustomerService> customer_service_;
  std::unique_ptr<TrackingServer> tracking_;
  int port_ = 0;
  std::string bootstrap_token_file_;
  std::atomic<bool> stopping_{false};
};

}  // namespace linecrew::app
