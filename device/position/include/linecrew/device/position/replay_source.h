// Replays a recorded drive as a PositionSource: for the simulator, demos and
// tests, and to reproduce a crew's day from its receiver log.
//
// Two file formats, one fix or sentence per line; blank lines and lines
// starting with '#' are ignored:
//   NMEA: the receiver's own output (nmea.h); fixes are assembled from RMC+GGA.
//   CSV:  time_utc,lat,lon[,speed_mps,heading_deg], e.g.
//         2026-11-22T06:00:05Z,30.25,120.1505,11.1,90
//         An optional first header line starts with "time_utc". CSV carries no
//         accuracy: every fix gets ReplayOptions::csv_accuracy_m.
// A line that does not parse is skipped and reported in skipped(); it does not
// stop the replay.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/clock.h"
#include "linecrew/device/position/position_source.h"

namespace linecrew::position {

enum class ReplayFormat {
  kAuto,  // NMEA when the first line that is not blank or a comment starts with '$', else CSV
  kNmea,
  kCsv,
};

inline constexpr float kCsvAccuracyM = 10.0f;

// A parsed replay file.
struct ReplayLog {
  std::vector<PositionFix> fixes;    // in file order
  std::vector<std::string> skipped;  // one "line N: <field>: <message>" per rejected line
};

ReplayLog parse_nmea_log(std::string_view text);
ReplayLog parse_csv_log(std::string_view text, float accuracy_m = kCsvAccuracyM);
// Throws Error(kInvalidArgument, path) when the file cannot be read.
ReplayLog read_replay_log(const std::string& path, ReplayFormat format = ReplayFormat::kAuto,
                          float csv_accuracy_m = kCsvAccuracyM);

struct ReplayOptions {
  ReplayFormat format = ReplayFormat::kAuto;
  // nullptr: every fix is available at once (as fast as the reader asks).
  // Otherwise fixes are paced by this clock: fix i becomes available when the
  // clock has moved (fix_time[i] - fix_time[0]) past its reading at the first
  // call to next(). Fixes are never dropped: a slow reader gets them late.
  const Clock* pace_clock = nullptr;
  float csv_accuracy_m = kCsvAccuracyM;
};

class ReplaySource final : public PositionSource {
 public:
  // Reads the whole file now (throws as read_replay_log does).
  explicit ReplaySource(const std::string& path, ReplayOptions options = {});
  // Replays fixes already in memory; `pace_clock` as in ReplayOptions, must outlive this.
  explicit ReplaySource(ReplayLog log, const Clock* pace_clock = nullptr);

  std::optional<PositionFix> next(std::chrono::milliseconds timeout) override;
  bool finished() const override;
  void stop() override;

  // Lines of the file that were skipped, as in ReplayLog.
  const std::vector<std::string>& skipped() const { return log_.skipped; }
  // Fixes not yet returned by next().
  std::size_t remaining() const;

 private:
  bool due_locked(TimePoint now) const;

  const ReplayLog log_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  std::condition_variable stopped_cv_;
  std::size_t next_index_ = 0;
  std::optional<TimePoint> clock_start_;
  bool stopped_ = false;
};

}  // namespace linecrew::position
