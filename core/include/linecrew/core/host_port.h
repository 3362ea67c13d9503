// "host:port" as an operator writes it in a config key or a flag (the
// server's listeners, the handheld's --gpsd): parsed once, here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace linecrew {

struct HostPort {
  std::string host;       // as written ("[::1]" keeps its brackets)
  std::string bind_host;  // for bind() / connect(): IPv6 without brackets
  int port = 0;
};

// Throws Error(kInvalidArgument, field) unless `text` is host:port with a
// non-empty host and a port in [0, 65535]. With `default_port`, a text
// without ":port" takes it (an IPv6 host then needs its brackets).
HostPort parse_host_port(std::string_view text, std::string_view field, std::optional<int> default_port = std::nullopt);

}  // namespace linecrew
