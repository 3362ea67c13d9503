#include "app/file_clock.h"

#include <sys/stat.h>

#include <fstream>

#include "linecrew/core/error.h"

namespace linecrew::app {

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
  const long long stamp = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec + st.st_size * 7919LL;
  if (stamp == stamp_) return last_;
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
