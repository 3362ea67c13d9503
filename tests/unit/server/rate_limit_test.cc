#include "linecrew/server/app/rate_limit.h"

#include <gtest/gtest.h>

namespace linecrew::app {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, BurstThenRefillPerKey) {
  RateLimiter limit(30, 30);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(limit.allow("10.0.0.1", t0)) << i;
  EXPECT_FALSE(limit.allow("10.0.0.1", t0));
  EXPECT_TRUE(limit.allow("10.0.0.2", t0));        // another key has its own bucket
  EXPECT_FALSE(limit.allow("10.0.0.1", t0 + 1s));  // half a request refilled
  EXPECT_TRUE(limit.allow("10.0.0.1", t0 + 2s));   // 30/min: one every 2 s
  EXPECT_FALSE(limit.allow("10.0.0.1", t0 + 2s));
}

TEST(RateLimiter, MemoryIsBounded) {
  RateLimiter limit(30, 5, 100);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) limit.allow("k" + std::to_string(i), t0);
  EXPECT_LE(limit.tracked_keys(), 100u);
  // Refilled buckets are forgotten first, so a busy key keeps its state.
  for (int i = 0; i < 5; ++i) limit.allow("busy", t0);
  for (int i = 0; i < 200; ++i) limit.allow("late" + std::to_string(i), t0 + 1h);
  EXPECT_LE(limit.tracked_keys(), 100u);
}

TEST(TrackingToken, Syntax) {
  EXPECT_TRUE(tracking_token_syntax_ok("AbCdEfGhIjKlMnOpQrStUv"));  // 22
  EXPECT_TRUE(tracking_token_syntax_ok(std::string(64, 'a')));
  EXPECT_FALSE(tracking_token_syntax_ok("AbCdEfGhIjKlMnOpQrStU"));  // 21
  EXPECT_FALSE(tracking_token_syntax_ok(std::string(65, 'a')));
  EXPECT_FALSE(tracking_token_syntax_ok("AbCdEfGhIjKlMnOpQrStUv=="));
  EXPECT_FALSE(tracking_token_syntax_ok("AbCdEfGhIjKlMnOpQrSt/+Uv"));
  EXPECT_FALSE(tracking_token_syntax_ok("AbCdEfGhIjKl MnOpQrStUv"));
  EXPECT_FALSE(tracking_token_syntax_ok(""));
}

TEST(TrackingToken, RedactedAndPeers) {
  EXPECT_EQ(redact_token("AbCdEfGhIjKlMnOpQrStUv"), "AbCd…");
  EXPECT_EQ(redact_token("ab"), "ab…");
  EXPECT_EQ(peer_address("ipv4:10.0.0.7:51234"), "10.0.0.7");
  EXPECT_EQ(peer_address("ipv6:[::1]:5000"), "::1");
  EXPECT_EQ(peer_address("10.0.0.7"), "10.0.0.7");
}

TEST(ClientAddress, CanonicalIp) {
  EXPECT_EQ(canonical_ip("10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(canonical_ip("::1"), "::1");
  EXPECT_EQ(canonical_ip("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canonical_ip("2001:DB8:0::1"), "2001:db8::1");
  EXPECT_EQ(canonical_ip("::ffff:127.0.0.1"), "127.0.0.1");  // IPv4-mapped: as IPv4
  for (const char* bad : {"", "10.0.0.300", "10.0.0", "10.0.0.7:80", "[::1]", "localhost", "10.0.0.0/8", " 10.0.0.7"})
    EXPECT_EQ(canonical_ip(bad), "") << bad;
}

TEST(ClientAddress, XForwardedForOnlyFromATrustedProxy) {
  const std::vector<std::string> none;
  const std::vector<std::string> local = {"127.0.0.1"};
  const std::vector<std::string> two = {"127.0.0.1", "10.0.0.2"};
  // Not a trusted peer: the header is ignored, whatever it says.
  EXPECT_EQ(forwarded_client("127.0.0.1", {"203.0.113.9"}, none), "127.0.0.1");
  EXPECT_EQ(forwarded_client("198.51.100.4", {"203.0.113.9"}, local), "198.51.100.4");
  // From a trusted proxy: the right-most address that is not a trusted proxy.
  EXPECT_EQ(forwarded_client("127.0.0.1", {"203.0.113.9"}, local), "203.0.113.9");
  EXPECT_EQ(forwarded_client("127.0.0.1", {"1.1.1.1, 203.0.113.9"}, local),
            "203.0.113.9");  // left part is the client's
  EXPECT_EQ(forwarded_client("127.0.0.1", {"1.1.1.1, 203.0.113.9, 10.0.0.2"}, two), "203.0.113.9");
  EXPECT_EQ(forwarded_client("127.0.0.1", {"1.1.1.1", "203.0.113.9 ,10.0.0.2"}, two), "203.0.113.9");  // two lines
  EXPECT_EQ(forwarded_client("127.0.0.1", {"10.0.0.2", "127.0.0.1"}, two), "10.0.0.2");  // all trusted: the farthest
  EXPECT_EQ(forwarded_client("::ffff:127.0.0.1", {"2001:DB8::1"}, local), "2001:db8::1");
  EXPECT_EQ(forwarded_client("127.0.0.1", {}, local), "127.0.0.1");  // no header: the proxy itself
  // A malformed hop stops the walk at the proxy that passed it on.
  EXPECT_EQ(forwarded_client("127.0.0.1", {"203.0.113.9, junk"}, local), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", {"203.0.113.9, junk, 10.0.0.2"}, two), "10.0.0.2");
  EXPECT_EQ(forwarded_client("127.0.0.1", {""}, local), "127.0.0.1");
}

}  // namespace
}  // namespace linecrew::app
