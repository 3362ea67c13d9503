// The customer tracking page over HTTP (config "tracking_listen"):
//   GET /t/<token>       the page (app/tracking_page.h)
//   GET /t/<token>.json  the view as JSON, for the page's refresh script
//   anything else        404 with the fixed not-found page
// An unknown, malformed (not 22..64 chars base64url) or expired token gets
// the same 404 page. Every response carries no-store, nosniff, no-referrer
// and a CSP allowing only the page's own inline style and script. Requests
// are rate-limited per client address (429). Tokens are never logged in full.
// Plain HTTP: in production it sits behind the utility's TLS reverse proxy.
// X-Forwarded-For is read only from a peer listed in "trusted_proxies"
// (default none): then the right-most address in it that is not itself a
// trusted proxy is the client the rate limit counts (forwarded_client() in
// app/rate_limit.h). From any other peer it is ignored, so a client cannot
// pick its own bucket.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "linecrew/core/clock.h"
#include "linecrew/server/app/config.h"
#include "linecrew/server/app/customer_view.h"
#include "linecrew/server/app/rate_limit.h"
#include "linecrew/server/http/listener.h"

namespace httplib {
class Server;
}

namespace linecrew::http {

using app::CustomerViews;
using app::RateLimiter;
using app::ServerConfig;

// A request path the tracking page answers: "/t/<token>" or
// "/t/<token>.json" with a token of the right syntax; nullopt for any other
// path (a 404). The token is a view into `path`.
struct TrackingPath {
  std::string_view token;
  bool json = false;
};
std::optional<TrackingPath> parse_tracking_path(std::string_view path);

struct TrackingOptions {
  double requests_per_minute = 30;  // per client address
  double burst = 30;
  std::vector<std::string> trusted_proxies;  // IP addresses; empty: X-Forwarded-For ignored. Error if one is not
};

class TrackingServer {
 public:
  // Serves on `listen` ("host:port"; port 0 picks a free one). Throws
  // Error(kInvalidArgument) for a malformed address, Error(kUnavailable)
  // when it cannot bind.
  TrackingServer(const std::string& listen, CustomerViews& views, const Clock& clock, TrackingOptions options = {});
  ~TrackingServer();
  TrackingServer(const TrackingServer&) = delete;
  TrackingServer& operator=(const TrackingServer&) = delete;

  int port() const { return http_.port(); }
  // "http://<listen host>:<bound port>", the default tracking_base_url.
  std::string base_url() const;

 private:
  CustomerViews& views_;
  const Clock& clock_;
  TrackingOptions options_;
  RateLimiter limiter_;
  HttpListener http_;  // last: stops serving before the rest goes
};

// The tracking page server of `config` (tracking_listen), or null when it is
// off (tracking_listen empty).
std::unique_ptr<TrackingServer> start_tracking(const ServerConfig& config, CustomerViews& views, const Clock& clock);

}  // namespace linecrew::http
