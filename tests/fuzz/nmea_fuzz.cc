// NMEA 0183 lines from a GPS receiver (device/position/nmea.h): every line
// of the input is decoded and fed to the fix assembler, as the replay and
// serial sources do.
#include <variant>

#include "fuzz_support.h"
#include "linecrew/device/position/nmea.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linecrew;
  std::string_view in = fuzz::text(data, size);
  position::NmeaFixAssembler assembler;
  while (!in.empty()) {
    const auto eol = in.find('\n');
    const std::string_view line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    fuzz::expect_clean([&] {
      if (const auto sentence = position::parse_nmea(line)) {
        if (const auto fix = assembler.add(*sentence)) {
          if (!(fix->accuracy_m > 0)) __builtin_trap();  // position_source.h: accuracy is > 0
        }
      }
    });
  }
  fuzz::expect_clean([&] { assembler.flush(); });
  return 0;
}
