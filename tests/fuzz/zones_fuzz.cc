// The zones file (core/zones.h): GeoJSON or WKT, chosen by the first byte;
// a map that loads must classify a point without failing.
#include "fuzz_support.h"
#include "linecrew/core/zones.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linecrew;
  if (size == 0) return 0;
  const bool wkt = data[0] & 1;
  const std::string_view body = fuzz::text(data + 1, size - 1);
  fuzz::expect_clean([&] {
    const ZoneMap map = wkt ? ZoneMap::from_wkt(body, "fuzz.wkt") : ZoneMap::from_geojson(body, "fuzz.geojson");
    map.classify(GeoPoint(30.26, 120.16));
  });
  return 0;
}
