#include "linecrew/server/http/tracking_http.h"

#include <httplib.h>

#include <chrono>
#include <iostream>

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

TrackingServer::TrackingServer(const std::string& listen, CustomerViews& views, const Clock& clock,
                               TrackingOptions options)
    : views_(views),
      clock_(clock),
      options_(options),
      limiter_(options.requests_per_minute, options.burst),
      http_(std::make_unique<httplib::Server>()) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    throw_invalid("tracking_listen", "'" + listen + "' must be host:port");
  host_ = listen.substr(0, colon);
  int wanted_port = -1;
  try {
    std::size_t used = 0;
    wanted_port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) wanted_port = -1;
  } catch (const std::exception&) {
  }
  if (wanted_port < 0 || wanted_port > 65535) throw_invalid("tracking_listen", "'" + listen + "' has no valid port");
  for (std::string& proxy : options_.trusted_proxies) {
    const std::string canonical = canonical_ip(proxy);
    if (canonical.empty()) throw_invalid("trusted_proxies", "'" + proxy + "' is not an IP address");
    proxy = canonical;
  }
  std::string bind_host = host_;
  if (bind_host.size() >= 2 && bind_host.front() == '[' && bind_host.back() == ']')
    bind_host = bind_host.substr(1, bind_host.size() - 2);

  http_->set_default_headers({
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy", tracking_csp()},
  });
  // SO_REUSEADDR only: not httplib's default SO_REUSEPORT, under which a
  // second process could bind the same port and take half the requests.
  http_->set_socket_options([](auto sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http_->set_payload_max_length(4096);
  http_->set_read_timeout(5, 0);
  http_->set_write_timeout(5, 0);
  http_->set_keep_alive_max_count(20);
  http_->set_keep_alive_timeout(5);

  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (limiter_.allow(client_of(req, options_.trusted_proxies))) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 429;
    res.set_header("Retry-After", "60");
    return httplib::Server::HandlerResponse::Handled;
  });

  http_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    res.status = 404;  // the error handler writes the page
    std::string_view path = req.path;
    if (!path.starts_with("/t/")) return;
    path.remove_prefix(3);
    const bool json = path.ends_with(".json");
    if (json) path.remove_suffix(5);
    if (!tracking_token_syntax_ok(path)) return;
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
  http_->set_error_handler(error_page);

  port_ = wanted_port == 0 ? http_->bind_to_any_port(bind_host)
                           : (http_->bind_to_port(bind_host, wanted_port) ? wanted_port : -1);
  if (port_ <= 0) throw Error(ErrorCode::kUnavailable, "tracking_listen", "cannot listen on '" + listen + "'");
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() only stops a running server: wait until it runs, so that a
  // destructor right after construction cannot hang.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!http_->is_running() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TrackingServer::~TrackingServer() {
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string TrackingServer::base_url() const {
  return "http://" + host_ + ":" + std::to_string(port_);
}

std::unique_ptr<TrackingServer> start_tracking(const ServerConfig& config, CustomerViews& views, const Clock& clock) {
  if (config.tracking_listen.empty()) return nullptr;
  TrackingOptions options;
  options.trusted_proxies = config.trusted_proxies;
  return std::make_unique<TrackingServer>(config.tracking_listen, views, clock, options);
}

}  // namespace linecrew::http
