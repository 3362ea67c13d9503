#include "linecrew/core/clock.h"

namespace linecrew {

TimePoint SystemClock::now() const {
  return std::chrono::floor<Duration>(std::chrono::system_clock::now());
}

}  // namespace linecrew
