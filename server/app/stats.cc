#include "linecrew/server/app/stats.h"

#include <cstdio>

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

}  // namespace linecrew::app
