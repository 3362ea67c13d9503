// The simulation clock: the time written in a file (ISO 8601, one line),
// re-read whenever the file changes (and while it changed only moments ago). A test or the storm simulator moves the
// server's time by rewriting the file (write a temp file, then rename).
// Config key "clock_file"; the server says at start that it runs on it.
#pragma once

#include <mutex>
#include <string>

#include "linecrew/core/clock.h"

namespace linecrew::app {

class FileClock final : public Clock {
 public:
  // Throws Error(kInvalidArgument, "clock_file") unless the file holds a time now.
  explicit FileClock(std::string path);
  // The file's time; the last good one while the file is missing or being
  // rewritten. Never goes backwards.
  TimePoint now() const override;

 private:
  std::string path_;
  mutable std::mutex mu_;
  mutable TimePoint last_{};
  mutable unsigned long long stamp_ = 0;  // mtime (ns), size and inode of the file last read
};

}  // namespace linecrew::app
