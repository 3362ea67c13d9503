// The frame of every handler: authorise by the role table, run the body,
// map errors by the error table, log one line.
#pragma once

#include <chrono>
#include <string>

#include "linecrew/server/app/stats.h"
#include "linecrew/server/rpc/auth.h"
#include "linecrew/server/rpc/status.h"

namespace linecrew::rpc {

template <class F>
grpc::Status serve(grpc::ServerContext* ctx, const app::Auth& auth, std::string_view method, F&& body) {
  const auto start = std::chrono::steady_clock::now();
  std::string token_id;
  grpc::Status status = handle(method, [&] {
    const Principal who = authorize(*ctx, auth, method);
    token_id = who.token_id;
    body(who);
  });
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  log_request(method, status, took.count(), token_id);
  app::rpc_stats().record(method, static_cast<int>(status.error_code()), took.count());
  return status;
}

}  // namespace linecrew::rpc
