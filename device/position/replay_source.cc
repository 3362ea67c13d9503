#include "linecrew/device/position/replay_source.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"
#include "linecrew/device/position/nmea.h"

namespace linecrew::position {

namespace {

// How often a paced replay looks at its clock while waiting: the Clock
// interface cannot wake us, and a ManualClock moves only when told to.
constexpr std::chrono::milliseconds kClockPoll{10};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Calls fn(line_number, line) for every line that is not blank or a comment.
template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  std::size_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++number;
    if (!line.empty() && line[0] != '#') fn(number, line);
  }
}

std::string skip_note(std::size_t line, const std::exception& e) {
  return "line " + std::to_string(line) + ": " + e.what();
}

std::optional<double> csv_number(std::string_view s, const char* field) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    throw_invalid(field, "'" + std::string(s) + "' is not a number");
  return v;
}

PositionFix parse_csv_row(std::string_view line, float accuracy_m) {
  std::vector<std::string_view> cols;
  for (std::size_t start = 0;;) {
    const auto comma = line.find(',', start);
    cols.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (cols.size() < 3 || cols.size() > 5)
    throw_invalid("csv",
                  "expected time_utc,lat,lon[,speed_mps,heading_deg], got " + std::to_string(cols.size()) + " columns");
  PositionFix fix;
  fix.fix_time = parse_utc(trim(cols[0]), "csv.time_utc");
  const auto lat = csv_number(cols[1], "csv.lat");
  const auto lon = csv_number(cols[2], "csv.lon");
  if (!lat || !lon) throw_invalid(lat ? "csv.lon" : "csv.lat", "is required");
  try {
    fix.point = GeoPoint(*lat, *lon);
  } catch (const Error& e) {
    throw e.prefixed("csv");
  }
  fix.accuracy_m = accuracy_m;
  if (cols.size() > 3) {
    if (const auto v = csv_number(cols[3], "csv.speed_mps")) {
      if (*v < 0) throw_invalid("csv.speed_mps", "must not be negative");
      fix.speed_mps = static_cast<float>(*v);
    }
  }
  if (cols.size() > 4) {
    if (const auto v = csv_number(cols[4], "csv.heading_deg")) {
      if (*v < 0 || *v > 360) throw_invalid("csv.heading_deg", "must be in [0, 360]");
      fix.heading_deg = static_cast<float>(std::fmod(*v, 360.0));
    }
  }
  return fix;
}

}  // namespace

ReplayLog parse_nmea_log(std::string_view text) {
  ReplayLog log;
  NmeaFixAssembler assembler;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    try {
      if (const auto sentence = parse_nmea(line)) {
        if (auto fix = assembler.add(*sentence)) log.fixes.push_back(*fix);
      }
    } catch (const Error& e) {
      log.skipped.push_back(skip_note(number, e));
    }
  });
  if (auto fix = assembler.flush()) log.fixes.push_back(*fix);
  return log;
}

ReplayLog parse_csv_log(std::string_view text, float accuracy_m) {
  ReplayLog log;
  bool first = true;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    const bool header = first && line.starts_with("time_utc");
    first = false;
    if (header) return;
    try {
      log.fixes.push_back(parse_csv_row(line, accuracy_m));
    } catch (const Error& e) {
      log.skipped.push_back(skip_note(number, e));
    }
  });
  return log;
}

ReplayLog read_replay_log(const std::string& path, ReplayFormat format, float csv_accuracy_m) {
  const std::string text = read_text_file(path);
  if (format == ReplayFormat::kAuto) {
    format = ReplayFormat::kCsv;
    bool decided = false;
    for_each_line(text, [&](std::size_t, std::string_view line) {
      if (!decided && line[0] == '$') format = ReplayFormat::kNmea;
      decided = true;
    });
  }
  return format == ReplayFormat::kNmea ? parse_nmea_log(text) : parse_csv_log(text, csv_accuracy_m);
}

ReplaySource::ReplaySource(const std::string& path, ReplayOptions options)
    : ReplaySource(read_replay_log(path, options.format, options.csv_accuracy_m), options.pace_clock) {}

ReplaySource::ReplaySource(ReplayLog log, const Clock* pace_clock) : log_(std::move(log)), clock_(pace_clock) {}

bool ReplaySource::due_locked(TimePoint now) const {
  if (!clock_) return true;
  const auto offset = log_.fixes[next_index_].fix_time - log_.fixes.front().fix_time;
  return now - *clock_start_ >= offset;
}

std::optional<PositionFix> ReplaySource::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  if (clock_ && !clock_start_) clock_start_ = clock_->now();
  for (;;) {
    if (stopped_ || next_index_ >= log_.fixes.size()) return std::nullopt;
    if (due_locked(clock_ ? clock_->now() : TimePoint{})) return log_.fixes[next_index_++];
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
    stopped_cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(left, kClockPoll));
  }
}

bool ReplaySource::finished() const {
  std::lock_guard lock(mu_);
  return stopped_ || next_index_ >= log_.fixes.size();
}

void ReplaySource::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
}

std::size_t ReplaySource::remaining() const {
  std::lock_guard lock(mu_);
  return log_.fixes.size() - next_index_;
}

}  // namespace linecrew::position
