// Process-wide request statistics: what the RPC edge records and the
// metrics endpoint renders (Prometheus text). No gRPC here: codes are ints.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

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

}  // namespace linecrew::app
