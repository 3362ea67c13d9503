// The handheld's position loop: fixes from a source (gpsd, or a replayed
// drive) become the crew's current position for the delay watcher and, when
// the upload throttle lets them through, position fixes in the outbox
// (record_position), so they queue offline and leave with the next sync.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "linecrew/core/clock.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "linecrew/device/position/position_source.h"
#include "linecrew/device/position/throttle.h"
#include "linecrew/device/store/local_store.h"

namespace linecrew::device {

// Where fixes come from (`--gpsd HOST[:PORT]` or `--replay FILE`, not both).
struct PositionSourceSpec {
  std::string gpsd;    // gpsd's address; port 2947 when omitted
  std::string replay;  // a recorded drive, NMEA or CSV (position/replay_source.h)
  // Replay pace: 1 = real time, 60 = a minute of the drive per second, 0 = as fast as read.
  double replay_speed = 1.0;

  bool empty() const { return gpsd.empty() && replay.empty(); }
};

// Opens the source. Throws Error(kInvalidArgument, "--gpsd" / "--replay" /
// "--replay-speed") for a bad spec or an unreadable file, and
// Error(kUnavailable, "gpsd") when gpsd cannot be reached or this build has no
// gpsd support (LINECREW_HAVE_GPSD).
std::unique_ptr<position::PositionSource> open_position_source(const PositionSourceSpec& spec);

// Makes `p` the crew's current position (what `watch` predicts from) and
// queues it for upload, as `watch --position` does.
OutboxEntry note_position(LocalStore& store, const DeviceId& device_id, const GeoPoint& p, float accuracy_m,
                          TimePoint fix_time, TimePoint now);

// Takes fixes one by one: each fix the throttle passes is noted (note_position)
// with the device clock's `now`; the others are dropped. The throttle runs on
// the fixes' own times, so a replay at any speed uploads the same fixes, and a
// live receiver's fix time is the real time anyway. Not thread-safe: one feed
// per source.
class PositionFeed {
 public:
  PositionFeed(LocalStore& store, const Clock& clock, DeviceId device_id, position::ThrottleOptions throttle = {});

  // True when `fix` was queued for upload.
  bool take(const position::PositionFix& fix);
  // Reads `source` until it ends or `stop` is set, taking every fix;
  // `on_queued` runs after each queued one.
  void run(position::PositionSource& source, const std::atomic<bool>& stop,
           const std::function<void(const position::PositionFix&)>& on_queued = {});

  std::size_t seen() const { return seen_; }
  std::size_t queued() const { return queued_; }

 private:
  LocalStore& store_;
  const Clock& clock_;
  DeviceId device_id_;
  position::PositionThrottle throttle_;
  std::atomic<std::size_t> seen_{0}, queued_{0};
};

// Runs a PositionFeed over a source on its own thread, from construction until
// destruction (or until the source ends). Errors are reported through
// `on_error` (a store error, gpsd lost) and end the thread.
class PositionThread {
 public:
  PositionThread(std::unique_ptr<position::PositionSource> source, LocalStore& store, const Clock& clock,
                 DeviceId device_id, std::function<void(const std::string&)> on_error = {},
                 std::function<void(const position::PositionFix&)> on_queued = {});
  ~PositionThread();
  PositionThread(const PositionThread&) = delete;
  PositionThread& operator=(const PositionThread&) = delete;

  const PositionFeed& feed() const { return feed_; }
  bool finished() const { return done_; }

 private:
  std::unique_ptr<position::PositionSource> source_;
  PositionFeed feed_;
  std::atomic<bool> stop_{false}, done_{false};
  std::thread thread_;
};

}  // namespace linecrew::device
