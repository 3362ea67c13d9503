#include "linecrew/core/host_port.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace linecrew {
namespace {

TEST(HostPort, ParsesHostAndPortOnceForEveryListenerAndFlag) {
  const HostPort a = parse_host_port("127.0.0.1:7443", "listen");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.bind_host, "127.0.0.1");
  EXPECT_EQ(a.port, 7443);
  const HostPort v6 = parse_host_port("[::1]:0", "metrics_listen");
  EXPECT_EQ(v6.host, "[::1]");
  EXPECT_EQ(v6.bind_host, "::1");
  EXPECT_EQ(v6.port, 0);
}

TEST(HostPort, ADefaultPortServesAHostWrittenAlone) {
  EXPECT_EQ(parse_host_port("gps.local", "--gpsd", 2947).port, 2947);
  EXPECT_EQ(parse_host_port("gps.local:3000", "--gpsd", 2947).port, 3000);
  const HostPort v6 = parse_host_port("[fe80::1]", "--gpsd", 2947);
  EXPECT_EQ(v6.bind_host, "fe80::1");
  EXPECT_EQ(v6.port, 2947);
}

TEST(HostPort, BadTextNamesTheField) {
  for (const char* bad : {"7443", ":7443", "host:", "host:65536", "host:12a", "host:123456", ""})
    testing::expect_error([&] { parse_host_port(bad, "tracking_listen"); }, ErrorCode::kInvalidArgument,
                          "tracking_listen");
  testing::expect_error([&] { parse_host_port(":2947", "--gpsd", 2947); }, ErrorCode::kInvalidArgument, "--gpsd");
}

}  // namespace
}  // namespace linecrew
