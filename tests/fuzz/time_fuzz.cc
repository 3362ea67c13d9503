// Times from text (parse_utc: config files, CLI flags, the simulator's
// scenarios) and from the wire (time_from_wire / duration_from_wire: every
// google.protobuf.Timestamp and Duration a client sends).
#include <cstring>

#include "fuzz_support.h"
#include "linecrew/core/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linecrew;
  fuzz::expect_clean([&] {
    const TimePoint t = parse_utc(fuzz::text(data, size));
    // What parses must print and parse back to the same instant.
    if (parse_utc(format_utc(t)) != t) __builtin_trap();
  });
  if (size >= 12) {
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
    std::memcpy(&seconds, data, sizeof seconds);
    std::memcpy(&nanos, data + 8, sizeof nanos);
    fuzz::expect_clean([&] { time_from_wire(seconds, nanos, "time"); });
    fuzz::expect_clean([&] { duration_from_wire(seconds, nanos, "duration"); });
  }
  return 0;
}
