#include "linecrew/server/app/config.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"
#include "linecrew/server/app/rate_limit.h"

namespace linecrew::app {

ServerConfig ServerConfig::load_file(const std::string& path) {
  const std::string text = read_text_file(path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw_invalid(path, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw_invalid(path, "expected a JSON object");
  static const std::set<std::string> kKeys = {"listen",
                                              "data_dir",
                                              "zones_file",
                                              "policy_file",
                                              "call_script_file",
                                              "follow_up_script_file",
                                              "tls_cert_file",
                                              "tls_key_file",
                                              "reflection",
                                              "max_message_bytes",
                                              "metrics_listen",
                                              "planner",
                                              "replan_budget_ms",
                                              "clock_file",
                                              "comment",
                                              "notify_templates_file",
                                              "notify_webhook_url",
                                              "notify_webhook_secret_file",
                                              "notify_retry_max_ms",
                                              "tracking_listen",
                                              "tracking_base_url",
                                              "trusted_proxies",
                                              "escalation_sweep_ms"};
  ServerConfig c;
  const std::filesystem::path base = std::filesystem::absolute(path).parent_path();
  const auto str = [&](const char* key, std::string& out, bool is_path) {
    if (!doc.contains(key)) return;
    if (!doc[key].is_string()) throw_invalid(path, std::string(key) + ": must be a string");
    out = doc[key].get<std::string>();
    if (is_path && !out.empty() && std::filesystem::path(out).is_relative())
      out = (base / out).lexically_normal().string();
  };
  const auto whole = [&](const char* key, std::uint32_t lo, std::uint32_t hi, std::uint32_t& out) {
    if (!doc.contains(key)) return;
    const auto& v = doc[key];
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() < lo || v.get<std::uint64_t>() > hi)
      throw_invalid(path, std::string(key) + ": must be a whole number in [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + "]");
    out = v.get<std::uint32_t>();
  };
  for (const auto& [key, _] : doc.items())
    if (!kKeys.count(key)) throw_invalid(path, key + ": unknown key");
  str("listen", c.listen, false);
  str("metrics_listen", c.metrics_listen, false);
  str("data_dir", c.data_dir, true);
  str("zones_file", c.zones_file, true);
  str("policy_file", c.policy_file, true);
  str("call_script_file", c.call_script_file, true);
  str("follow_up_script_file", c.follow_up_script_file, true);
  str("tls_cert_file", c.tls_cert_file, true);
  str("tls_key_file", c.tls_key_file, true);
  str("clock_file", c.clock_file, true);
  str("notify_templates_file", c.notify_templates_file, true);
  str("notify_webhook_url", c.notify_webhook_url, false);
  str("notify_webhook_secret_file", c.notify_webhook_secret_file, true);
  str("tracking_listen", c.tracking_listen, false);
  str("tracking_base_url", c.tracking_base_url, false);
  if (!c.notify_webhook_url.empty() && c.notify_webhook_url.rfind("http://", 0) != 0)
    throw_invalid(path, "notify_webhook_url: must start with http:// (put TLS in front of the gateway)");
  if (!c.notify_webhook_url.empty() && c.notify_webhook_secret_file.empty())
    throw_invalid(path, "notify_webhook_secret_file: required with notify_webhook_url (messages are signed)");
  whole("notify_retry_max_ms", 100, 3600000, c.notify_retry_max_ms);
  whole("escalation_sweep_ms", 100, 3600000, c.escalation_sweep_ms);
  if (doc.contains("trusted_proxies")) {
    const auto& v = doc["trusted_proxies"];
    if (!v.is_array()) throw_invalid(path, "trusted_proxies: must be a list of IP addresses");
    for (const auto& item : v) {
      const std::string canonical = item.is_string() ? canonical_ip(item.get<std::string>()) : "";
      if (canonical.empty())
        throw_invalid(
            path, "trusted_proxies: " + item.dump() +
                      " is not an IP address (one proxy per entry, e.g. \"127.0.0.1\" or \"::1\"; no ports or ranges)");
      c.trusted_proxies.push_back(canonical);
    }
  }
  if (doc.contains("reflection")) {
    if (!doc["reflection"].is_boolean()) throw_invalid(path, "reflection: must be true or false");
    c.reflection = doc["reflection"].get<bool>();
  }
  if (doc.contains("planner")) {
    if (!doc["planner"].is_boolean()) throw_invalid(path, "planner: must be true or false");
    c.planner = doc["planner"].get<bool>();
  }
  whole("replan_budget_ms", 10, 60000, c.replan_budget_ms);
  if (doc.contains("max_message_bytes")) {
    if (!doc["max_message_bytes"].is_number_unsigned())
      throw_invalid(path, "max_message_bytes: must be a positive whole number");
    c.max_message_bytes = doc["max_message_bytes"].get<std::size_t>();
  }
  // Relative defaults are relative to the config file too.
  for (std::string* p : {&c.data_dir, &c.zones_file, &c.policy_file, &c.call_script_file, &c.follow_up_script_file,
                         &c.notify_templates_file})
    if (std::filesystem::path(*p).is_relative()) *p = (base / *p).lexically_normal().string();
  return c;
}

bool is_loopback(const std::string& listen) {
  return listen.rfind("127.", 0) == 0 || listen.rfind("localhost:", 0) == 0 || listen.rfind("[::1]:", 0) == 0;
}

}  // namespace linecrew::app
