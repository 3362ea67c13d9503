// Fixes from a running gpsd (the handheld's GNSS daemon) through Debian's
// libgps. Only built when CMake found libgps (it then defines
// LINECREW_HAVE_GPSD): the ARM cross builds may lack libgps-dev:arm64/armhf,
// and the replay source does not need it.
#pragma once

#ifdef LINECREW_HAVE_GPSD

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "linecrew/device/position/position_source.h"

namespace linecrew::position {

inline constexpr std::chrono::milliseconds kGpsdSettle{150};

struct GpsdOptions {
  std::string host = "localhost";
  std::string port = "2947";  // gpsd's registered port
  // How long the constructor keeps trying to connect (gpsd may still be starting).
  std::chrono::milliseconds connect_timeout{5000};
};

// One fix per receiver epoch (fix time), of mode 2D/3D only. gpsd may report
// an epoch more than once as its sentences arrive (GGA, then RMC with the
// course); a fix is released once gpsd has said all it will about its epoch:
// when a newer epoch starts, or after kGpsdSettle without a further report,
// or when the connection ends. Accuracy: gpsd's own horizontal error estimate
// (eph, metres) when it has one, else HDOP x kUereM as for NMEA (nmea.h), else
// kUnknownAccuracyM. Losing the connection ends the source.
class GpsdSource final : public PositionSource {
 public:
  // Connects and asks gpsd to stream JSON reports. Throws
  // Error(kUnavailable, "gpsd", reason) when it cannot connect in time.
  explicit GpsdSource(const GpsdOptions& options = {});
  ~GpsdSource() override;
  GpsdSource(const GpsdSource&) = delete;
  GpsdSource& operator=(const GpsdSource&) = delete;

  std::optional<PositionFix> next(std::chrono::milliseconds timeout) override;
  bool finished() const override;
  void stop() override;

 private:
  struct Connection;  // hides <gps.h>
  // Takes the report gps_read() just decoded into account.
  void take_report();

  std::mutex mu_;  // serialises next(); libgps is not thread-safe
  std::unique_ptr<Connection> conn_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> lost_{false};
  std::atomic<bool> has_pending_{false};
  // Under mu_: the newest epoch, not returned yet, and when gpsd last spoke of it.
  std::optional<PositionFix> pending_;
  std::chrono::steady_clock::time_point pending_seen_;
  std::optional<PositionFix> ready_;    // an older epoch that a newer one closed
  std::optional<TimePoint> last_time_;  // of the newest epoch seen
};

}  // namespace linecrew::position

#endif  // LINECREW_HAVE_GPSD
