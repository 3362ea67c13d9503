// One HTTP listener on a cpp-httplib server, the frame the tracking page and
// /metrics share: parse the config address, bind, serve on a thread, and stop.
// start() returns only once the server runs: httplib's stop() does nothing
// to a server that has not started yet, so a listener destroyed right after
// start() (a later part of the server start failed) would otherwise leave
// its thread serving and the destructor waiting on it forever.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace linecrew::http {

class HttpListener {
 public:
  // `key` names the config key in errors. Throws Error(kInvalidArgument, key)
  // for a malformed address.
  HttpListener(const std::string& listen, const std::string& key);
  ~HttpListener();  // stops serving and joins the thread
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Routes and options are set on it before start().
  httplib::Server& server() { return *http_; }
  // Binds (Error(kUnavailable, key) when it cannot) and serves on a thread;
  // returns once the server runs.
  void start();
  int port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  std::string listen_;
  std::string key_;
  std::string host_;
  std::string bind_host_;
  int wanted_port_ = 0;
  int port_ = 0;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  std::atomic<bool> done_{false};  // listen_after_bind returned
};

}  // namespace linecrew::http
