// A fault-injecting TCP proxy for integration tests: sits between a client
// (e.g. the crew handheld's gRPC/HTTP/2 channel) and the server on loopback
// and cuts, stalls, truncates or slows the link on command.
//
// One I/O thread runs a poll() loop over the listening socket and every
// connection (all sockets non-blocking); set_mode() hands it a new Fault and
// waits until the loop has applied it, so e.g. after set_mode(Fault::down())
// returns the live connections are already closed. The destructor stops and
// joins the thread and closes every socket. Linux only.
//
// Modes:
//   up            forward bytes both ways.
//   down          abort every open connection (RST to both ends) and refuse
//                 new ones: accept, then close at once (RST).
//   blackhole     accept and hold: nothing is read or forwarded in either
//                 direction (the kernel buffers what the peers send). A new
//                 connection is not connected to the target until the mode
//                 forwards again; going back to `up` delivers what was held.
//   drop_after N  forward N more bytes per connection (counted over both
//                 directions together, from when the mode is set or from
//                 accept for later connections), then close that connection
//                 gracefully (the N bytes are delivered, then FIN).
//   delay MS      hold every chunk MS milliseconds before forwarding it, in
//                 each direction (a round trip gains 2 * MS).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace linecrew::testing {

enum class FaultMode { kUp, kDown, kBlackhole, kDropAfter, kDelay };

struct Fault {
  FaultMode mode = FaultMode::kUp;
  std::uint64_t bytes = 0;               // kDropAfter
  std::chrono::milliseconds latency{0};  // kDelay

  static Fault up() { return {}; }
  static Fault down() { return {FaultMode::kDown, 0, {}}; }
  static Fault blackhole() { return {FaultMode::kBlackhole, 0, {}}; }
  static Fault drop_after(std::uint64_t n) { return {FaultMode::kDropAfter, n, {}}; }
  static Fault delay(std::chrono::milliseconds ms) { return {FaultMode::kDelay, 0, ms}; }

  bool operator==(const Fault&) const = default;
};

// Parses the control syntax: "up", "down", "blackhole", "drop_after N",
// "delay MS" (surrounding whitespace ignored). nullopt if malformed.
std::optional<Fault> parse_fault(std::string_view text);
// The inverse of parse_fault, e.g. "drop_after 100".
std::string to_string(const Fault& fault);

struct FaultProxyCounters {
  std::uint64_t bytes_to_target = 0;       // written to target sockets
  std::uint64_t bytes_to_client = 0;       // written to client sockets
  std::uint64_t connections_accepted = 0;  // every accept(), refused ones included
  std::uint64_t connections_cut = 0;       // live connections closed by `down` or `drop_after`
  std::uint64_t connections_refused = 0;   // accepted in `down` and closed at once
  std::uint64_t connections_active = 0;    // open right now
  std::uint64_t target_connect_failures = 0;
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 at an ephemeral port; forwards to target_host:target_port.
  FaultProxy(const std::string& target_host, std::uint16_t target_port);
  // listen_port 0 picks an ephemeral port. Hosts are numeric or resolvable
  // names ("localhost"). Throws std::runtime_error if it cannot listen.
  FaultProxy(const std::string& listen_host, std::uint16_t listen_port, const std::string& target_host,
             std::uint16_t target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const;
  // "127.0.0.1:PORT" (the listen host and the bound port).
  std::string address() const;

  // Switches mode; returns once the I/O thread has applied it (true), or
  // false after `timeout`. Setting the current mode again re-applies it
  // (e.g. re-arms a drop_after budget on the open connections).
  bool set_mode(const Fault& fault, std::chrono::milliseconds timeout = std::chrono::seconds(2));
  // Same with the control syntax; throws std::invalid_argument if malformed.
  bool set_mode(std::string_view command);
  Fault mode() const;

  FaultProxyCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace linecrew::testing
