#include "linecrew/core/host_port.h"

#include <algorithm>

#include "linecrew/core/error.h"

namespace linecrew {

HostPort parse_host_port(std::string_view text, std::string_view field, std::optional<int> default_port) {
  const std::string f(field);
  const std::string shown = "'" + std::string(text.substr(0, 100)) + "'";
  auto colon = text.rfind(':');
  // "[::1]" alone: the colons are the address's own.
  if (colon != std::string_view::npos && text.front() == '[' && text.find(']', colon) != std::string_view::npos)
    colon = std::string_view::npos;
  if (colon == std::string_view::npos && !default_port) throw_invalid(f, shown + " must be host:port");
  HostPort a;
  a.host = std::string(text.substr(0, colon));
  if (a.host.empty()) throw_invalid(f, shown + " has no host");
  if (colon == std::string_view::npos) {
    a.port = *default_port;
  } else {
    const std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw_invalid(f, shown + " has no valid port");
    a.port = std::stoi(std::string(port));
    if (a.port > 65535) throw_invalid(f, shown + " has no valid port");
  }
  a.bind_host = a.host;
  if (a.bind_host.size() >= 2 && a.bind_host.front() == '[' && a.bind_host.back() == ']')
    a.bind_host = a.bind_host.substr(1, a.bind_host.size() - 2);
  return a;
}

}  // namespace linecrew
