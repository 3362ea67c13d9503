// The simulated-time server (support/sim_server.h) plus a handheld's store,
// clock and sync agent — for the device sync tests. Also built for aarch64: the handheld
// code then runs under qemu-user against the native server.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "linecrew/core/clock.h"
#include "linecrew/core/ids.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/sync/sync_agent.h"
#include "linecrew/v1/dispatch.grpc.pb.h"
#include "server_process.h"
#include "sim_server.h"
#include "test_support.h"

namespace linecrew::testing {

// A handheld: its store, its own clock, its sync agent.
struct Handheld {
  Handheld(const std::string& path, const std::string& address, const std::string& token, const std::string& start,
           DeviceId id = DeviceId("dev-1"))
      : store(path), clock(parse_utc(iso(start))), device_id(std::move(id)) {
    device::SyncOptions o;
    o.device_id = device_id;
    o.token = token;
    o.call_timeout = std::chrono::milliseconds(5000);
    agent = std::make_unique<device::SyncAgent>(store, clock,
                                                device::make_channel(address, grpc::InsecureChannelCredentials()), o);
  }
  void at(const std::string& hhmm) { clock.set(parse_utc(iso(hhmm))); }

  device::LocalStore store;
  ManualClock clock;
  DeviceId device_id;
  std::unique_ptr<device::SyncAgent> agent;
};

inline int count_kind(const v1::Ticket& t, v1::TicketEventKind kind) {
  int n = 0;
  for (const auto& e : t.timeline()) n += e.kind() == kind;
  return n;
}

}  // namespace linecrew::testing
