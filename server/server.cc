#include "linecrew/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_interceptor.h>

#include <cctype>
#include <filesystem>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"
#include "linecrew/server/rpc/undecodable.h"

namespace linecrew {

using app::Auth;
using app::Board;
using app::CrewSync;
using app::Dispatch;
using app::is_loopback;
using app::Notifier;
using app::NotifierConfig;
using app::Periodic;
using app::Planning;
using app::ServerConfig;

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
      scripts_(CallScriptTemplates::load_file(config_.call_script_file)),
      follow_up_scripts_(FollowUpScriptTemplates::load_file(config_.follow_up_script_file)),
      notice_templates_(NoticeTemplates::load_file(config_.notify_templates_file)) {
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
  auth_ = std::make_unique<Auth>(clock_, *store_, *store_);
  if (auth_->bootstrap_admin(config_.data_dir + "/admin.token"))
    bootstrap_token_file_ = config_.data_dir + "/admin.token";
  board_ = std::make_unique<Board>(*store_, *store_, *store_);
  dispatch_service_ = std::make_unique<rpc::DispatchService>(*dispatch_, *auth_, *board_, follow_up_scripts_);
  crew_sync_ = std::make_unique<CrewSync>(clock_, *dispatch_, *store_);
  crew_sync_service_ = std::make_unique<rpc::CrewSyncService>(*crew_sync_, *dispatch_, *auth_);

  notify_store_ = std::make_unique<storage::SqliteNotifyStore>(config_.data_dir + "/notify.db");
  NotifierConfig nc;
  nc.webhook_url = config_.notify_webhook_url;
  if (!config_.notify_webhook_secret_file.empty()) {
    nc.webhook_secret = read_text_file(config_.notify_webhook_secret_file);
    while (!nc.webhook_secret.empty() && std::isspace(static_cast<unsigned char>(nc.webhook_secret.back())))
      nc.webhook_secret.pop_back();
    if (nc.webhook_secret.size() < 16)
      throw_invalid("notify_webhook_secret_file", "the webhook secret must be at least 16 characters");
  }
  nc.tracking_base_url = config_.tracking_base_url;
  nc.retry_max = std::chrono::milliseconds(config_.notify_retry_max_ms);
  notifier_ = std::make_unique<Notifier>(clock_, policy_, notice_templates_, *store_, *store_, *store_, planning_.get(),
                                         *notify_store_, dispatch_->changes(), nc);

  customer_service_ = std::make_unique<rpc::CustomerService>(*notifier_, clock_);

  grpc::EnableDefaultHealthCheckService(true);
  if (config_.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.listen, credentials(config_), &port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config_.max_message_bytes));
  builder.RegisterService(dispatch_service_.get());
  builder.RegisterService(crew_sync_service_.get());
  builder.RegisterService(customer_service_.get());
  // Undecodable request bodies are counted apart from handler errors (metrics.h).
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(rpc::undecodable_request_counter());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || port_ == 0) throw Error(ErrorCode::kUnavailable, "listen", "cannot listen on '" + config_.listen + "'");
  if (!config_.metrics_listen.empty())
    metrics_ = std::make_unique<http::MetricsServer>(config_.metrics_listen, *store_, clock_, planning_.get(),
                                                     crew_sync_.get());
  tracking_ = http::start_tracking(config_, *notifier_, clock_);
  if (tracking_ && config_.tracking_base_url.empty()) notifier_->set_tracking_base_url(tracking_->base_url());
  notifier_->start();
  // Rules §7: the callers linked to a fault follow its lead.
  fault_follower_ = std::make_unique<app::FaultFollower>(*dispatch_, *store_);
  fault_follower_->start();
  // Rules §7: stalled tickets and overdue follow-ups reach the desk's escalation queue.
  // Two jobs: a failure of one does not skip the other.
  const std::chrono::milliseconds sweep_every(config_.escalation_sweep_ms);
  stall_sweep_ = std::make_unique<Periodic>("stall sweep", sweep_every, [this] { dispatch_->sweep_stalled(); });
  follow_up_sweep_ =
      std::make_unique<Periodic>("follow-up sweep", sweep_every, [this] { dispatch_->sweep_follow_ups(); });
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
  customer_service_->stop_streams();
  tracking_.reset();
  stall_sweep_.reset();
  follow_up_sweep_.reset();
  fault_follower_.reset();
  notifier_->stop();
  grpc_->Shutdown(std::chrono::system_clock::now() + grace);
}

}  // namespace linecrew
