// The SMS/voice gateway the server posts customer messages to
// (notify_webhook_url), for tests against the real server: a cpp-httplib
// server on loopback that records every accepted POST with its JSON body and
// whether its HMAC signature (X-Linecrew-Signature) matches `secret`; it can
// be "down" (503).
#pragma once

#include <httplib.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace linecrew::testing {

inline std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char mac[64];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &len);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", mac[i]);
    hex += buf;
  }
  return hex;
}

class SmsGateway {
 public:
  struct Post {
    nlohmann::json body;
    std::string signature, message_id;
    bool signature_ok;
  };
  explicit SmsGateway(std::string secret) : secret_(std::move(secret)) {
    http_.Post("/sms", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++attempts_;
      if (down_) {
        res.status = 503;
        return;
      }
      const std::string sig = req.get_header_value("X-Linecrew-Signature");
      posts_.push_back({nlohmann::json::parse(req.body), sig, req.get_header_value("X-Linecrew-Message-Id"),
                        sig == "sha256=" + hmac_hex(secret_, req.body)});
      res.status = 200;
    });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
  }
  ~SmsGateway() {
    http_.stop();
    thread_.join();
  }
  SmsGateway(const SmsGateway&) = delete;
  SmsGateway& operator=(const SmsGateway&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
  void set_down(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  std::vector<Post> posts() {
    std::lock_guard lock(mu_);
    return posts_;
  }
  int attempts() {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  // Waits until `n` posts arrived (or 15 s passed); returns them.
  std::vector<Post> wait_for(std::size_t n) {
    for (int i = 0; i < 300 && posts().size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return posts();
  }
  // The message bodies received for `ticket` of kind `event`, in arrival order.
  std::vector<nlohmann::json> posts(const std::string& event, const std::string& ticket) {
    std::vector<nlohmann::json> out;
    for (const Post& p : posts())
      if (p.body.value("event", "") == event && p.body.value("ticket_id", "") == ticket) out.push_back(p.body);
    return out;
  }
  // Waits until `n` such messages arrived (or 15 s passed); returns them.
  std::vector<nlohmann::json> wait_for(const std::string& event, const std::string& ticket, std::size_t n) {
    for (int i = 0; i < 300 && posts(event, ticket).size() < n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return posts(event, ticket);
  }

 private:
  std::string secret_;
  httplib::Server http_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Post> posts_;
  int attempts_ = 0;
  bool down_ = false;
  int port_ = 0;
};

}  // namespace linecrew::testing
