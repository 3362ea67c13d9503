// Counters an operations team graphs, in Prometheus text format, served over
// plain HTTP on a separate loopback port (config "metrics_listen").
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "app/crew_sync.h"
#include "app/planning.h"
#include "linecrew/core/clock.h"
#include "storage/ticket_store.h"

namespace httplib {
class Server;
}
namespace grpc::experimental {
class ServerInterceptorFactoryInterface;
}

namespace linecrew::app {

// Per-method request counts and latency sums, process-wide.
class RpcStats {
 public:
  // A call a handler answered (rpc/call.h serve()).
  void record(std::string_view method, int code, double latency_ms);
  // A call whose request body did not parse: gRPC answered INTERNAL before
  // any handler ran (a client bug, not ours). Kept out of record()'s counts
  // so that code 13 there means a server bug.
  void record_undecodable(std::string_view method);
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> count_;
  std::map<std::string, std::uint64_t> undecodable_;
  std::map<std::string, std::pair<double, std::uint64_t>> latency_;  // sum seconds, count
};
RpcStats& rpc_stats();

// A gRPC server interceptor that counts (record_undecodable) and logs the
// unary and server-streaming calls gRPC itself ends with INTERNAL because
// their request did not deserialize, e.g. invalid UTF-8 in a string field.
// For ServerBuilder::experimental().SetInterceptorCreators().
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> undecodable_request_counter();

// "/linecrew.v1.DispatchService/CreateTicket" -> "DispatchService.CreateTicket",
// the method label of the metrics and the request log.
std::string rpc_method_label(std::string_view grpc_method);

class MetricsServer {
 public:
  // Serves GET /metrics on `listen` (loopback only; Error otherwise).
  // `planning` may be null (no planner): its gauges are then left out.
  // `sync` may be null too (no handheld sync lag then).
  MetricsServer(const std::string& listen, storage::TicketStore& tickets, const Clock& clock, Planning* planning,
                CrewSync* sync);
  ~MetricsServer();
  int port() const { return port_; }
  std::string render();

 private:
  storage::TicketStore& tickets_;
  const Clock& clock_;
  Planning* planning_;
  CrewSync* sync_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace linecrew::app
