#include "linecrew/server/http/tracking_http.h"

#include <httplib.h>

#include <chrono>
#include <iostream>
#include <utility>

#include "linecrew/core/error.h"
#include "linecrew/server/http/tracking_page.h"

namespace linecrew::http {

using app::canonical_ip;
using app::forwarded_client;
using app::redact_token;
using app::tracking_token_syntax_ok;

namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";

// The address the rate limit counts: the peer, or behind a trusted reverse
// proxy the client it names in X-Forwarded-For.
std::string client_of(const httplib::Request& req, const std::vector<std::string>& trusted_proxies) {
  std::vector<std::string> forwarded;
  if (!trusted_proxies.empty()) {
    const std::size_t lines = req.get_header_value_count("X-Forwarded-For");
    for (std::size_t i = 0; i < lines; ++i) forwarded.push_back(req.get_header_value("X-Forwarded-For", i));
  }
  return forwarded_client(req.remote_addr, forwarded, trusted_proxies);
}

}  // namespace

std::optional<TrackingPath> parse_tracking_path(std::string_view path) {
  if (!path.starts_with("/t/")) return std::nullopt;
  path.remove_prefix(3);
  TrackingPath out;
  out.json = path.ends_with(".json");
  if (out.json) path.remove_suffix(5);
  if (!tracking_token_syntax_ok(path)) return std::nullopt;
  out.token = path;
  return out;
}

TrackingServer::TrackingServer(const std::string& listen, CustomerViews& views, const Clock& clock,
                               TrackingOptions options)
    : views_(views),
      clock_(clock),
      options_(std::move(options)),
      limiter_(options_.requests_per_minute, options_.burst),
      http_(listen, "tracking_listen") {
  for (std::string& proxy : options_.trusted_proxies) {
    const std::string canonical = canonical_ip(proxy);
    if (canonical.empty()) throw_invalid("trusted_proxies", "'" + proxy + "' is not an IP address");
    proxy = canonical;
  }
  httplib::Server& server = http_.server();
  server.set_default_headers({
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy", tracking_csp()},
  });
  // SO_REUSEADDR only: not httplib's default SO_REUSEPORT, under which a
  // second process could bind the same port and take half the requests.
  server.set_socket_options([](auto sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(4096);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_max_count(20);
  server.set_keep_alive_timeout(5);

  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (limiter_.allow(client_of(req, options_.trusted_proxies))) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 429;
    res.set_header("Retry-After", "60");
    return httplib::Server::HandlerResponse::Handled;
  });

  server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    res.status = 404;  // the error handler writes the page
    const auto parsed = parse_tracking_path(req.path);
    if (!parsed) return;
    const std::string_view path = parsed->token;
    const bool json = parsed->json;
    try {
      const auto view = views_.by_token(path);
      if (!view) return;
      const std::string lang = req.get_param_value("lang");
      const std::string_view wanted = lang == "en" || lang == "zh-CN" ? std::string_view(lang) : std::string_view();
      const TimePoint now = clock_.now();
      res.status = 200;
      if (json)
        res.set_content(tracking_json(*view, views_.templates(), views_.policy(), now, wanted),
                        "application/json; charset=utf-8");
      else
        res.set_content(tracking_html(*view, views_.templates(), views_.policy(), now, wanted), std::string(kHtml));
    } catch (const std::exception& e) {
      std::cerr << "linecrew-server: tracking: /t/" << redact_token(path) << ": " << e.what() << "\n";
      res.status = 503;
    }
  });

  // Every error response gets a page; every other error (bad method, bad
  // request) looks like an unknown page.
  const httplib::Server::HandlerWithResponse error_page = [](const httplib::Request&, httplib::Response& res) {
    if (res.status == 429)
      res.set_content(too_many_requests_html(), std::string(kHtml));
    else if (res.status >= 500)
      res.set_content("Service temporarily unavailable. Please try again later.\n", "text/plain; charset=utf-8");
    else
      res.set_content(not_found_html(), std::string(kHtml));
    if (res.status != 429 && res.status < 500) res.status = 404;
    return httplib::Server::HandlerResponse::Handled;
  };
  server.set_error_handler(error_page);

  http_.start();
}

TrackingServer::~TrackingServer() = default;

std::string TrackingServer::base_url() const {
  return "http://" + http_.host() + ":" + std::to_string(http_.port());
}

std::unique_ptr<TrackingServer> start_tracking(const ServerConfig& config, CustomerViews& views, const Clock& clock) {
  if (config.tracking_listen.empty()) return nullptr;
  TrackingOptions options;
  options.trusted_proxies = config.trusted_proxies;
  return std::make_unique<TrackingServer>(config.tracking_listen, views, clock, std::move(options));
}

}  // namespace linecrew::http
