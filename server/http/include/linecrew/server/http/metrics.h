// Counters an operations team graphs, in Prometheus text format, served over
// plain HTTP on a separate loopback port (config "metrics_listen").
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "linecrew/core/clock.h"
#include "linecrew/server/app/crew_sync.h"
#include "linecrew/server/app/planning.h"
#include "linecrew/server/http/listener.h"
#include "linecrew/server/storage/ticket_store.h"

namespace linecrew::http {

using app::CrewSync;
using app::Planning;

class MetricsServer {
 public:
  // Serves GET /metrics on `listen` (loopback only; Error otherwise).
  // `planning` may be null (no planner): its gauges are then left out.
  // `sync` may be null too (no handheld sync lag then).
  MetricsServer(const std::string& listen, storage::TicketStore& tickets, const Clock& clock, Planning* planning,
                CrewSync* sync);
  ~MetricsServer();
  int port() const { return http_.port(); }
  std::string render();

 private:
  storage::TicketStore& tickets_;
  const Clock& clock_;
  Planning* planning_;
  CrewSync* sync_;
  HttpListener http_;  // last: stops serving before the rest goes
};

}  // namespace linecrew::http
