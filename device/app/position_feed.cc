#include "linecrew/device/app/position_feed.h"

#include <cmath>
#include <string>

#include "linecrew/core/error.h"
#include "linecrew/core/host_port.h"
#include "linecrew/device/app/actions.h"
#include "linecrew/device/position/replay_source.h"
#ifdef LINECREW_HAVE_GPSD
#include "linecrew/device/position/gpsd_source.h"
#endif

namespace linecrew::device {

namespace {

// Real time stretched by `speed` from the moment of construction: paces a
// replay (ReplayOptions::pace_clock looks only at differences).
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double speed) : speed_(speed), start_(std::chrono::steady_clock::now()) {}
  TimePoint now() const override {
    const std::chrono::duration<double> real = std::chrono::steady_clock::now() - start_;
    return TimePoint(Duration(static_cast<Duration::rep>(std::floor(real.count() * speed_))));
  }

 private:
  double speed_;
  std::chrono::steady_clock::time_point start_;
};

// A replay that owns its pace clock.
class PacedReplay final : public position::PositionSource {
 public:
  PacedReplay(const std::string& path, double speed)
      : clock_(speed), replay_(path, position::ReplayOptions{position::ReplayFormat::kAuto, &clock_}) {}
  std::optional<position::PositionFix> next(std::chrono::milliseconds timeout) override {
    return replay_.next(timeout);
  }
  bool finished() const override { return replay_.finished(); }
  void stop() override { replay_.stop(); }

 private:
  ScaledClock clock_;
  position::ReplaySource replay_;
};

}  // namespace

std::unique_ptr<position::PositionSource> open_position_source(const PositionSourceSpec& spec) {
  if (!spec.gpsd.empty() && !spec.replay.empty()) throw_invalid("--replay", "use either --gpsd or --replay");
  if (!spec.replay.empty()) {
    if (!(spec.replay_speed >= 0) || !std::isfinite(spec.replay_speed))
      throw_invalid("--replay-speed", "must be >= 0 (0: as fast as read)");
    if (spec.replay_speed == 0) return std::make_unique<position::ReplaySource>(spec.replay);
    return std::make_unique<PacedReplay>(spec.replay, spec.replay_speed);
  }
  if (spec.gpsd.empty()) throw_invalid("--gpsd", "no position source given");
#ifdef LINECREW_HAVE_GPSD
  position::GpsdOptions o;
  const HostPort where = parse_host_port(spec.gpsd, "--gpsd", std::stoi(o.port));  // HOST[:PORT]
  o.host = where.bind_host;
  o.port = std::to_string(where.port);
  return std::make_unique<position::GpsdSource>(o);
#else
  throw Error(ErrorCode::kUnavailable, "gpsd", "this build has no gpsd support (libgps was not found)");
#endif
}

OutboxEntry note_position(LocalStore& store, const DeviceId& device_id, const GeoPoint& p, float accuracy_m,
                          TimePoint fix_time, TimePoint now) {
  store.set_meta("position_lat", std::to_string(p.lat()));
  store.set_meta("position_lon", std::to_string(p.lon()));
  store.set_meta("position_time", std::to_string(fix_time.time_since_epoch().count()));
  return record_position(store, device_id, p, accuracy_m, fix_time, now);
}

PositionFeed::PositionFeed(LocalStore& store, const Clock& clock, DeviceId device_id,
                           position::ThrottleOptions throttle)
    : store_(store), clock_(clock), device_id_(std::move(device_id)), throttle_(throttle) {}

bool PositionFeed::take(const position::PositionFix& fix) {
  ++seen_;
  if (!throttle_.should_upload(fix, fix.fix_time)) return false;
  note_position(store_, device_id_, fix.point, fix.accuracy_m, fix.fix_time, clock_.now());
  ++queued_;
  return true;
}

void PositionFeed::run(position::PositionSource& source, const std::atomic<bool>& stop,
                       const std::function<void(const position::PositionFix&)>& on_queued) {
  while (!stop && !source.finished()) {
    const auto fix = source.next(std::chrono::milliseconds(200));
    if (fix && take(*fix) && on_queued) on_queued(*fix);
  }
}

PositionThread::PositionThread(std::unique_ptr<position::PositionSource> source, LocalStore& store, const Clock& clock,
                               DeviceId device_id, std::function<void(const std::string&)> on_error,
                               std::function<void(const position::PositionFix&)> on_queued)
    : source_(std::move(source)), feed_(store, clock, std::move(device_id)) {
  thread_ = std::thread([this, on_error = std::move(on_error), on_queued = std::move(on_queued)] {
    try {
      feed_.run(*source_, stop_, on_queued);
    } catch (const std::exception& e) {
      if (on_error) on_error(e.what());
    }
    done_ = true;
  });
}

PositionThread::~PositionThread() {
  stop_ = true;
  source_->stop();
  thread_.join();
}

}  // namespace linecrew::device
