#include "app/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <filesystem>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"

namespace linecrew::app {

namespace {

ZoneMap load_zones(const ServerConfig& c, const ServicePolicy& policy) {
  ZoneMap zones = ZoneMap::load_file(c.zones_file);
  zones.set_default_class(policy.outside_zone_class);
  return zones;
}

std::shared_ptr<grpc::ServerCredentials> credentials(const ServerConfig& c) {
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    throw_invalid("tls_cert_file", "TLS needs both tls_cert_file and tls_key_file");
  if (c.tls_cert_file.empty()) {
    if (!is_loopback(c.listen))
      throw_invalid("listen", "'" + c.listen + "' is not a loopback address: configure tls_cert_file and tls_key_file");
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions opts;
  opts.pem_key_cert_pairs.push_back({read_text_file(c.tls_key_file), read_text_file(c.tls_cert_file)});
  return grpc::SslServerCredentials(opts);
}

}  // namespace

Server::Server(ServerConfig config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      policy_(ServicePolicy::load_file(config_.policy_file)),
      zones_(load_zones(config_, policy_)),
      scripts_(CallScriptTemplates::load_file(config_.call_script_file)) {
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) throw Error(ErrorCode::kUnavailable, config_.data_dir, "cannot create data directory: " + ec.message());
  store_ = std::make_unique<storage::SqliteStore>(config_.data_dir + "/linecrew.db");
  dispatch_ = std::make_unique<Dispatch>(clock_, zones_, policy_, *store_, *store_);
  if (config_.planner) {
    travel_ = std::make_unique<GeoTravelModel>(zones_, GeoTravelModel::Speeds{});
    planning_ = std::make_unique<Planning>(clock_, policy_, *travel_, *store_, *store_, dispatch_->changes(),
                                           std::chrono::milliseconds(config_.replan_budget_ms));
    planning_->start();
    dispatch_->set_planning(planning_.get());
  }
  auth_ = std::make_unique<Auth>(clock_, *store_);
  if (auth_->bootstrap_admin(config_.data_dir + "/admin.token"))
    bootstrap_token_file_ = config_.data_dir + "/admin.token";
  board_ = std::make_unique<Board>(*store_, *store_, *store_);
  dispatch_service_ = std::make_unique<rpc::DispatchService>(*dispatch_, *auth_, *board_);
  crew_sync_ = std::make_unique<CrewSync>(clock_, *dispatch_, *store_);
  crew_sync_service_ = std::make_unique<rpc::CrewSyncService>(*crew_sync_, *dispatch_, *auth_);

  grpc::EnableDefaultHealthCheckService(true);
  if (config_.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.listen, credentials(config_), &port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config_.max_message_bytes));
  builder.RegisterService(dispatch_service_.get());
  builder.RegisterService(crew_sync_service_.get());
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || port_ == 0) throw Error(ErrorCode::kUnavailable, "listen", "cannot listen on '" + config_.listen + "'");
  if (!config_.metrics_listen.empty())
    metrics_ =
        std::make_unique<MetricsServer>(config_.metrics_listen, *store_, clock_, planning_.get(), crew_sync_.get());
  grpc_->GetHealthCheckService()->SetServingStatus(true);
}

Server::~Server() {
  if (grpc_) shutdown(seconds(1));
}

void Server::wait() {
  grpc_->Wait();
}

void Server::shutdown(Duration grace) {
  if (stopping_.exchange(true)) return;
  grpc_->GetHealthCheckService()->SetServingStatus(false);
  dispatch_service_->stop_streams();
  grpc_->Shutdown(std::chrono::system_clock::now() + grace);
}

}  // namespace linecrew::app
