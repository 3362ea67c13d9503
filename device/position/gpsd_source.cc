#include "linecrew/device/position/gpsd_source.h"

#include <gps.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <thread>
#include <utility>

#include "linecrew/core/error.h"
#include "linecrew/device/position/nmea.h"

namespace linecrew::position {

namespace {
// The longest a single wait inside next() lasts, so stop() is seen promptly.
constexpr std::chrono::milliseconds kWaitSlice{100};
constexpr std::chrono::milliseconds kConnectRetry{50};
}  // namespace

struct GpsdSource::Connection {
  gps_data_t data{};
  bool open = false;

  ~Connection() {
    if (open) {
      gps_stream(&data, WATCH_DISABLE, nullptr);
      gps_close(&data);
    }
  }
};

GpsdSource::GpsdSource(const GpsdOptions& options) : conn_(std::make_unique<Connection>()) {
  const auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
  for (;;) {
    if (gps_open(options.host.c_str(), options.port.c_str(), &conn_->data) == 0) break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(ErrorCode::kUnavailable, "gpsd",
                  "cannot connect to " + options.host + ":" + options.port + ": " + gps_errstr(errno));
    std::this_thread::sleep_for(kConnectRetry);
  }
  conn_->open = true;
  if (gps_stream(&conn_->data, WATCH_ENABLE | WATCH_JSON, nullptr) != 0)
    throw Error(ErrorCode::kUnavailable, "gpsd", "cannot start watching: " + std::string(gps_errstr(errno)));
}

GpsdSource::~GpsdSource() = default;

std::optional<PositionFix> GpsdSource::next(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::lock_guard lock(mu_);
  gps_data_t& d = conn_->data;
  const auto release = [this](std::optional<PositionFix>& slot) {
    auto fix = std::exchange(slot, std::nullopt);
    has_pending_ = ready_.has_value() || pending_.has_value();
    return fix;
  };
  for (;;) {
    if (stopped_) return std::nullopt;
    if (ready_) return release(ready_);
    auto now = Clock::now();
    if (pending_ && (lost_ || now - pending_seen_ >= kGpsdSettle)) return release(pending_);
    if (lost_) return std::nullopt;
    // Wait for gpsd, but not past the deadline, the pending epoch's settling or kWaitSlice.
    auto until = std::min(deadline, now + kWaitSlice);
    if (pending_) until = std::min(until, pending_seen_ + kGpsdSettle);
    const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(until - now);
    if (gps_waiting(&d, static_cast<int>(std::max<std::chrono::microseconds::rep>(wait.count(), 0)))) {
      if (gps_read(&d, nullptr, 0) < 0) {
        lost_ = true;  // gpsd went away; what is pending still goes out
      } else {
        take_report();
      }
    }
    now = Clock::now();
    if (now >= deadline && !ready_ && !lost_ && !(pending_ && now - pending_seen_ >= kGpsdSettle)) return std::nullopt;
  }
}

void GpsdSource::take_report() {
  const gps_data_t& d = conn_->data;
  // Every report refreshes `d`; one about a position has a 2D/3D fix with a time.
  if (d.fix.mode < MODE_2D || d.fix.time.tv_sec <= 0 || !std::isfinite(d.fix.latitude) ||
      !std::isfinite(d.fix.longitude))
    return;
  const TimePoint when{seconds(d.fix.time.tv_sec)};
  if (last_time_ && when < *last_time_) return;  // an older epoch, already dealt with
  PositionFix fix;
  try {
    fix.point = GeoPoint(d.fix.latitude, d.fix.longitude);
  } catch (const Error&) {
    return;  // gpsd passed on nonsense: not a fix
  }
  fix.fix_time = when;
  if (std::isfinite(d.fix.eph) && d.fix.eph > 0) {
    fix.accuracy_m = static_cast<float>(d.fix.eph);
  } else if (std::isfinite(d.dop.hdop) && d.dop.hdop > 0) {
    fix.accuracy_m = accuracy_from_hdop(static_cast<float>(d.dop.hdop));
  } else {
    fix.accuracy_m = kUnknownAccuracyM;
  }
  if (std::isfinite(d.fix.speed)) fix.speed_mps = static_cast<float>(d.fix.speed);
  if (std::isfinite(d.fix.track)) fix.heading_deg = static_cast<float>(std::fmod(d.fix.track, 360.0));

  if (last_time_ && when == *last_time_ && !pending_) return;    // its epoch has been returned already
  if (pending_ && when > pending_->fix_time) ready_ = pending_;  // a newer epoch closes the last
  pending_ = fix;  // a later report of an epoch knows at least as much as an earlier one
  pending_seen_ = std::chrono::steady_clock::now();
  last_time_ = when;
  has_pending_ = true;
}

bool GpsdSource::finished() const {
  return stopped_ || lost_;
}

void GpsdSource::stop() {
  stopped_ = true;
}

}  // namespace linecrew::position
