#include "linecrew/server/http/listener.h"

#include <httplib.h>

#include <chrono>

#include "linecrew/core/error.h"
#include "linecrew/core/host_port.h"

namespace linecrew::http {

HttpListener::HttpListener(const std::string& listen, const std::string& key)
    : listen_(listen), key_(key), http_(std::make_unique<httplib::Server>()) {
  const HostPort a = parse_host_port(listen, key);
  host_ = a.host;
  bind_host_ = a.bind_host;
  wanted_port_ = a.port;
}

void HttpListener::start() {
  port_ = wanted_port_ == 0 ? http_->bind_to_any_port(bind_host_)
                            : (http_->bind_to_port(bind_host_, wanted_port_) ? wanted_port_ : -1);
  if (port_ <= 0) throw Error(ErrorCode::kUnavailable, key_, "cannot listen on '" + listen_ + "'");
  thread_ = std::thread([this] {
    http_->listen_after_bind();
    done_ = true;
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!http_->is_running() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HttpListener::~HttpListener() {
  if (!thread_.joinable()) return;
  // A server still starting (start() gave up waiting) is stopped once it runs.
  while (!done_ && !http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http_->stop();
  thread_.join();
}

}  // namespace linecrew::http
