#include "app/metrics.h"

#include <grpcpp/support/server_interceptor.h>
#include <httplib.h>

#include <cstdio>
#include <iostream>

#include "app/config.h"
#include "linecrew/core/error.h"

namespace linecrew::app {

void RpcStats::record(std::string_view method, int code, double latency_ms) {
  std::lock_guard lock(mu_);
  ++count_[{std::string(method), code}];
  auto& [sum, n] = latency_[std::string(method)];
  sum += latency_ms / 1000.0;
  ++n;
}

void RpcStats::record_undecodable(std::string_view method) {
  std::lock_guard lock(mu_);
  ++undecodable_[std::string(method)];
}

std::string RpcStats::render() const {
  std::lock_guard lock(mu_);
  std::string out =
      "# HELP linecrew_rpc_requests_total RPCs handled, by method and gRPC status code.\n"
      "# TYPE linecrew_rpc_requests_total counter\n";
  for (const auto& [key, n] : count_)
    out += "linecrew_rpc_requests_total{method=\"" + key.first + "\",code=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  out +=
      "# HELP linecrew_rpc_latency_seconds Time spent handling RPCs.\n"
      "# TYPE linecrew_rpc_latency_seconds summary\n";
  for (const auto& [method, v] : latency_) {
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.6f", v.first);
    out += "linecrew_rpc_latency_seconds_sum{method=\"" + method + "\"} " + sum + "\n";
    out += "linecrew_rpc_latency_seconds_count{method=\"" + method + "\"} " + std::to_string(v.second) + "\n";
  }
  out +=
      "# HELP linecrew_rpc_undecodable_requests_total Requests whose body did not parse (gRPC answered INTERNAL before "
      "any handler ran; a client bug), by method. Not in linecrew_rpc_requests_total.\n"
      "# TYPE linecrew_rpc_undecodable_requests_total counter\n";
  for (const auto& [method, n] : undecodable_)
    out += "linecrew_rpc_undecodable_requests_total{method=\"" + method + "\"} " + std::to_string(n) + "\n";
  return out;
}

RpcStats& rpc_stats() {
  static RpcStats stats;
  return stats;
}

std::string rpc_method_label(std::string_view grpc_method) {
  if (grpc_method.starts_with("/")) grpc_method.remove_prefix(1);
  const auto slash = grpc_method.find('/');
  std::string_view service = grpc_method.substr(0, slash);
  const auto dot = service.rfind('.');
  if (dot != std::string_view::npos) service.remove_prefix(dot + 1);
  std::string label(service);
  if (slash != std::string_view::npos) label += "." + std::string(grpc_method.substr(slash + 1));
  // Only name characters: the label goes into the metrics text and a JSON log line.
  for (char& c : label)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) c = '_';
  return label.substr(0, 128);
}

namespace {

namespace gx = grpc::experimental;

// gRPC's sync server decodes a unary or server-streaming request before the
// handler runs; when that fails, POST_RECV_MESSAGE carries no message and the
// handler is skipped: gRPC sends INTERNAL itself (message empty for proto3).
class UndecodableRequestCounter : public gx::Interceptor {
 public:
  explicit UndecodableRequestCounter(gx::ServerRpcInfo* info) : info_(info) {}

  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr)
      undecodable_ = true;
    if (undecodable_ && methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
      const std::string method = rpc_method_label(info_->method());
      rpc_stats().record_undecodable(method);
      std::cerr << R"({"event":"rpc","method":")" + method + R"(","code":13,"undecodable_request":true})" + "\n";
    }
    methods->Proceed();
  }

 private:
  gx::ServerRpcInfo* info_;
  bool undecodable_ = false;
};

class UndecodableRequestCounterFactory : public gx::ServerInterceptorFactoryInterface {
 public:
  gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override {
    // Client and bidi streams read their messages inside the handler.
    if (info->type() != gx::ServerRpcInfo::Type::UNARY && info->type() != gx::ServerRpcInfo::Type::SERVER_STREAMING)
      return nullptr;
    return new UndecodableRequestCounter(info);
  }
};

}  // namespace

std::unique_ptr<gx::ServerInterceptorFactoryInterface> undecodable_request_counter() {
  return std::make_unique<UndecodableRequestCounterFactory>();
}

MetricsServer::MetricsServer(const std::string& listen, storage::TicketStore& tickets, const Clock& clock,
                             Planning* planning, CrewSync* sync)
    : tickets_(tickets), clock_(clock), planning_(planning), sync_(sync), http_(std::make_unique<httplib::Server>()) {
  if (!is_loopback(listen)) throw_invalid("metrics_listen", "'" + listen + "' must be a loopback address");
  const auto colon = listen.rfind(':');
  const std::string host = listen.substr(0, colon);
  const int wanted = std::stoi(listen.substr(colon + 1));
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4");
  });
  port_ = wanted == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, wanted) ? wanted : -1);
  if (port_ <= 0) throw Error(ErrorCode::kUnavailable, "metrics_listen", "cannot listen on '" + listen + "'");
  thread_ = std::thread([this] { http_->listen_after_bind(); });
}

MetricsServer::~MetricsServer() {
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string MetricsServer::render() {
  std::string out =
      "# HELP linecrew_open_tickets Tickets not closed or cancelled, by zone class and status.\n"
      "# TYPE linecrew_open_tickets gauge\n";
  const TimePoint now = clock_.now();
  const auto counts = tickets_.open_counts(now);
  for (const auto& c : counts.by_zone_status)
    out += "linecrew_open_tickets{zone=\"" + std::string(to_string(c.zone)) + "\",status=\"" +
           std::string(to_string(c.status)) + "\"} " + std::to_string(c.count) + "\n";
  out +=
      "# HELP linecrew_overdue_tickets Open tickets not reached by their original deadline.\n"
      "# TYPE linecrew_overdue_tickets gauge\n"
      "linecrew_overdue_tickets " +
      std::to_string(counts.past_deadline) + "\n";
  if (planning_) {
    const PlanningStats st = planning_->stats();
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", st.last_replan_ms / 1000.0);
    out +=
        "# HELP linecrew_predicted_misses Tickets the plan predicts late or cannot assign.\n"
        "# TYPE linecrew_predicted_misses gauge\n"
        "linecrew_predicted_misses " +
        std::to_string(st.predicted_late + st.unassigned) + "\n" +
        "# HELP linecrew_replan_seconds Duration of the last background re-plan.\n"
        "# TYPE linecrew_replan_seconds gauge\n"
        "linecrew_replan_seconds " +
        ms + "\n" +
        "# HELP linecrew_replans_total Background re-plans run.\n"
        "# TYPE linecrew_replans_total counter\n"
        "linecrew_replans_total " +
        std::to_string(st.replans) + "\n";
  }
  if (sync_) {
    out +=
        "# HELP linecrew_sync_lag_seconds Time since the crew's handheld last pulled its changes.\n"
        "# TYPE linecrew_sync_lag_seconds gauge\n";
    for (const auto& lag : sync_->sync_lag())
      out += "linecrew_sync_lag_seconds{crew=\"" + lag.crew.str() + "\"} " +
             std::to_string(lag.since_last_pull.count()) + "\n";
  }
  return out + rpc_stats().render();
}

}  // namespace linecrew::app
