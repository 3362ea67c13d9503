// Per-key token buckets for the customer-facing channels (tracking page per
// peer address, CustomerService per peer and per tracking token). Runs on
// the monotonic clock: a simulated or stepped server clock must not refill
// or drain the buckets.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace linecrew::app {

class RateLimiter {
 public:
  using Instant = std::chrono::steady_clock::time_point;

  // Each key may make `per_minute` requests a minute on average and up to
  // `burst` at once. At most `max_keys` keys are tracked: when full, keys
  // whose bucket has refilled are forgotten first, and if none has, the
  // oldest is (a flood of new keys cannot grow memory without bound).
  RateLimiter(double per_minute, double burst, std::size_t max_keys = 100000);

  // Takes one request from `key`'s bucket; false when it is empty.
  bool allow(std::string_view key, Instant now = std::chrono::steady_clock::now());
  std::size_t tracked_keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    Instant last;
  };
  void prune(Instant now);

  double per_second_;
  double burst_;
  std::size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// The address part of a peer: "ipv4:10.0.0.7:51234" (gRPC) or "10.0.0.7"
// (HTTP) → "10.0.0.7"; "ipv6:[::1]:5000" → "::1".
std::string peer_address(std::string_view peer);

// An IP address literal in one canonical form ("10.0.0.7", "2001:db8::1"; an
// IPv4-mapped IPv6 address as its IPv4 form), or "" when `text` is not one.
std::string canonical_ip(std::string_view text);

// The client address a per-address limit counts for an HTTP request from
// `peer` (the TCP peer) carrying the X-Forwarded-For values `forwarded` (one
// entry per header line, each a comma-separated list). `trusted_proxies`
// holds canonical addresses. X-Forwarded-For is read only when the peer is a
// trusted proxy; then, walking from the right, each hop a trusted proxy
// vouches for is taken until one is not itself a trusted proxy (the
// right-most untrusted address). A malformed entry stops the walk at the
// hop that sent it. Otherwise the peer itself.
std::string forwarded_client(std::string_view peer, const std::vector<std::string>& forwarded,
                             const std::vector<std::string>& trusted_proxies);

// A tracking token as it may appear in a log line: its first 4 characters
// and an ellipsis, never the whole secret.
std::string redact_token(std::string_view token);

// True when `token` has the syntax of a tracking token: 22..64 characters of
// base64url without padding ([A-Za-z0-9_-]).
bool tracking_token_syntax_ok(std::string_view token);

}  // namespace linecrew::app
