#include "linecrew/server/app/rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace linecrew::app {

RateLimiter::RateLimiter(double per_minute, double burst, std::size_t max_keys)
    : per_second_(per_minute / 60.0), burst_(std::max(burst, 1.0)), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

bool RateLimiter::allow(std::string_view key, Instant now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const std::chrono::duration<double> elapsed = now - b.last;
  if (elapsed.count() > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed.count() * per_second_);
    b.last = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

std::size_t RateLimiter::tracked_keys() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void RateLimiter::prune(Instant now) {
  // A bucket that would be full again by now carries no information.
  const auto refilled = [&](const Bucket& b) {
    const std::chrono::duration<double> elapsed = now - b.last;
    return b.tokens + elapsed.count() * per_second_ >= burst_;
  };
  for (auto it = buckets_.begin(); it != buckets_.end();)
    it = refilled(it->second) ? buckets_.erase(it) : std::next(it);
  if (buckets_.size() < max_keys_) return;
  // Still full of active keys: forget the least recently seen tenth at once,
  // so that the next inserts do not each scan the whole map again.
  std::vector<std::pair<Instant, std::string>> by_age;
  by_age.reserve(buckets_.size());
  for (const auto& [key, b] : buckets_) by_age.emplace_back(b.last, key);
  const std::size_t drop = std::max<std::size_t>(1, max_keys_ / 10);
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1), by_age.end());
  for (std::size_t i = 0; i < drop; ++i) buckets_.erase(by_age[i].second);
}

std::string peer_address(std::string_view peer) {
  if (peer.starts_with("ipv4:") || peer.starts_with("ipv6:")) {
    peer.remove_prefix(5);
    const auto colon = peer.rfind(':');
    if (colon != std::string_view::npos) peer = peer.substr(0, colon);
  }
  if (peer.size() >= 2 && peer.front() == '[' && peer.back() == ']') peer = peer.substr(1, peer.size() - 2);
  return std::string(peer);
}

std::string canonical_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return "";  // longer than any IPv6 literal
  const std::string s(text);
  char out[INET6_ADDRSTRLEN] = {};
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) return inet_ntop(AF_INET, v4, out, sizeof out) ? out : "";
  unsigned char v6[16];
  if (inet_pton(AF_INET6, s.c_str(), v6) != 1) return "";
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6, kMapped, sizeof kMapped) == 0) return inet_ntop(AF_INET, v6 + 12, out, sizeof out) ? out : "";
  return inet_ntop(AF_INET6, v6, out, sizeof out) ? out : "";
}

std::string forwarded_client(std::string_view peer, const std::vector<std::string>& forwarded,
                             const std::vector<std::string>& trusted_proxies) {
  const auto trusted = [&](const std::string& addr) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), addr) != trusted_proxies.end();
  };
  std::string client = canonical_ip(peer);
  if (client.empty()) return std::string(peer);
  if (!trusted(client)) return client;
  // The hops, nearest first: the last line's last entry, then leftwards.
  std::vector<std::string_view> hops;
  for (auto line = forwarded.rbegin(); line != forwarded.rend(); ++line) {
    std::string_view rest = *line;
    for (;;) {
      const auto comma = rest.rfind(',');
      hops.push_back(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  for (std::string_view hop : hops) {
    if (!trusted(client)) break;
    while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) hop.remove_prefix(1);
    while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) hop.remove_suffix(1);
    const std::string addr = canonical_ip(hop);
    if (addr.empty()) break;  // malformed: the hop that sent it is the client
    client = addr;
  }
  return client;
}

std::string redact_token(std::string_view token) {
  return std::string(token.substr(0, std::min<std::size_t>(4, token.size()))) + "…";
}

bool tracking_token_syntax_ok(std::string_view token) {
  if (token.size() < 22 || token.size() > 64) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace linecrew::app
