// The handheld's sync agent: says Hello (clock offset, crew, policy), uploads
// the outbox in bounded batches (each entry deleted only after the server's
// durable acknowledgement), then pulls the crew's changes page by page,
// storing each page with its cursor in one transaction. Every call has a
// deadline and is gzip-compressed; a failed sync is retried with exponential
// backoff and jitter. Malformed server data is refused whole: the local data
// stays as it was and the error is reported.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "linecrew/core/clock.h"
#include "linecrew/core/ids.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/v1/crew_sync.grpc.pb.h"

namespace linecrew::device {

struct SyncOptions {
  DeviceId device_id;
  std::string token;
  std::string app_version = "0.5.0";
  std::chrono::milliseconds call_timeout{10000};  // deadline of each call
  std::size_t upload_batch = 200;                 // lowered to the server's max_upload_actions
  std::uint32_t pull_max_changes = 200;
  std::uint32_t pull_max_bytes = 256 * 1024;
  bool compress = true;
};

struct SyncReport {
  bool ok = false;
  std::string error;  // why the sync stopped (empty when ok)
  std::size_t uploaded = 0, applied = 0, duplicate = 0, rejected = 0, superseded = 0;
  std::size_t pulled = 0, pages = 0;
  bool reset = false;
  std::uint64_t cursor = 0;
  std::optional<Duration> clock_offset;  // server - device, from Hello
};

class SyncAgent {
 public:
  SyncAgent(LocalStore& store, const Clock& clock, const std::shared_ptr<grpc::Channel>& channel, SyncOptions options);

  // One full sync: Hello (once per agent), upload everything queued, pull
  // until the server has nothing more. Never throws for network or server
  // errors: they are in the report (and the store's notices).
  SyncReport sync_once();
  // Syncs until `stop`: after a success waits the policy's pull interval
  // (`interval` when set), after a failure the backoff.
  void run(const std::atomic<bool>& stop, const std::function<void(const SyncReport&)>& on_report = {},
           std::optional<std::chrono::milliseconds> interval = std::nullopt);

 private:
  void hello(SyncReport& r);
  void upload(SyncReport& r);
  void pull(SyncReport& r);
  std::unique_ptr<grpc::ClientContext> context() const;

  LocalStore& store_;
  const Clock& clock_;
  std::unique_ptr<v1::CrewSyncService::Stub> stub_;
  SyncOptions options_;
  bool said_hello_ = false;
  std::chrono::milliseconds pull_interval_{15000};
};

// A channel for the agent: gzip by default, and reconnect attempts backing
// off from 0.5 s to at most 5 s (gRPC's default grows to 120 s, far too long
// for a crew whose link just came back).
std::shared_ptr<grpc::Channel> make_channel(const std::string& address,
                                            const std::shared_ptr<grpc::ChannelCredentials>& credentials);

// Backoff before retry `attempt` (0-based): min(cap, base * 2^attempt), times
// a random factor in [0.5, 1] so a fleet coming back online does not retry in step.
std::chrono::milliseconds backoff_delay(int attempt, std::mt19937& rng,
                                        std::chrono::milliseconds base = std::chrono::milliseconds(500),
                                        std::chrono::milliseconds cap = std::chrono::seconds(60));

// The server's page in the store's terms. Throws Error(kInvalidArgument,
// "server data: <field>") for anything malformed or unexpected (bad ids,
// coordinates, statuses, sequences not after `cursor` or not increasing).
PulledPage to_page(const v1::PullResponse& r, std::uint64_t cursor);

}  // namespace linecrew::device
