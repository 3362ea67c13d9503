#include "linecrew/server/app/file_clock.h"

#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "linecrew/core/error.h"

namespace linecrew::app {

namespace {
constexpr long long kSettleNs = 100'000'000;  // 100 ms
}  // namespace

FileClock::FileClock(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  std::string line;
  if (!in || !std::getline(in, line)) throw_invalid("clock_file", "cannot read '" + path_ + "'");
  last_ = parse_utc(line, "clock_file");
}

TimePoint FileClock::now() const {
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return last_;
  const long long mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
  const unsigned long long stamp = static_cast<unsigned long long>(mtime_ns) +  // unsigned: wraps, never overflows
                                   static_cast<unsigned long long>(st.st_size) * 7919ULL +
                                   static_cast<unsigned long long>(st.st_ino) * 104729ULL;
  // File times tick coarsely (a few ms): two rewrites within one tick, of the
  // same length, can leave the same stamp. So a file changed within the last
  // moments is read again whatever its stamp; once it is older, a later
  // rewrite is sure to stamp a later time.
  const long long now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (stamp == stamp_ && now_ns - mtime_ns > kSettleNs) return last_;
  std::ifstream in(path_);
  std::string line;
  if (!in || !std::getline(in, line)) return last_;
  try {
    const TimePoint t = parse_utc(line, "clock_file");
    if (t > last_) last_ = t;
    stamp_ = stamp;
  } catch (const Error&) {  // half-written: keep the last good time, read again next call
  }
  return last_;
}

}  // namespace linecrew::app
