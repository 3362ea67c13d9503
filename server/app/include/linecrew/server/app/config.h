// The server's configuration file (JSON). Relative paths are resolved
// against the file's folder. Unknown keys stop the start with an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace linecrew::app {

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free one
  std::string data_dir = "data";           // holds linecrew.db
  std::string zones_file = "zones.geojson";
  std::string policy_file = "policy.json";
  std::string call_script_file = "call_script.json";
  std::string follow_up_script_file = "follow_up_script.json";  // the desk's follow-up call script (rules §7)
  std::string tls_cert_file;                                    // PEM; required for a non-loopback listener
  std::string tls_key_file;
  bool reflection = false;
  std::string metrics_listen;  // host:port for GET /metrics (Prometheus); empty: off. Loopback only.
  std::size_t max_message_bytes = std::size_t{4} * 1024 * 1024;
  bool planner = true;                   // plan tickets onto crews; false: the desk assigns by hand
  std::uint32_t replan_budget_ms = 500;  // wall-clock budget of one background re-plan
  std::string clock_file;                // simulation mode: the server's time is read from this file (app/file_clock.h)
  // Customer ETA updates (docs/notifications.md).
  std::string notify_templates_file = "notify_templates.json";  // message and tracking page texts
  std::string notify_webhook_url;             // http://host:port/path of the SMS/voice gateway; empty: no messages sent
  std::string notify_webhook_secret_file;     // HMAC-SHA256 key for X-Linecrew-Signature; required with a webhook
  std::uint32_t notify_retry_max_ms = 60000;  // longest wait between delivery retries
  std::uint32_t escalation_sweep_ms = 30000;  // how often open tickets are checked for stalls (rules §7)
  std::string tracking_listen;                // host:port of the customer tracking page (HTTP); empty: off
  std::string
      tracking_base_url;  // links in messages, e.g. https://t.example.cn; default http://<tracking host:bound port>
  // Reverse proxies in front of the tracking page (IP addresses, canonical
  // form): only a request from one of them may name the client in
  // X-Forwarded-For for the per-address rate limit. Empty: never trusted.
  std::vector<std::string> trusted_proxies;

  // Throws Error(kInvalidArgument, "<path>: <key>: ...").
  static ServerConfig load_file(const std::string& path);
};

// A listener address from the config: "host:port", "[v6]:port"; port 0 = any free port.
// True for 127.0.0.0/8, localhost and [::1] listeners.
bool is_loopback(const std::string& listen);

}  // namespace linecrew::app
