#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "linecrew/core/clock.h"
#include "linecrew/core/geo.h"
#include "linecrew/core/ids.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::expect_error;

TEST(GeoPoint, AcceptsTheWholeRangeIncludingEdges) {
  EXPECT_NO_THROW(GeoPoint(90, 180));
  EXPECT_NO_THROW(GeoPoint(-90, -180));
  const GeoPoint p(30.25, 120.15);
  EXPECT_DOUBLE_EQ(p.lat(), 30.25);
  EXPECT_DOUBLE_EQ(p.lon(), 120.15);
}

TEST(GeoPoint, RejectsOutOfRangeAndNonFiniteNamingTheField) {
  expect_error([] { GeoPoint(91, 0); }, ErrorCode::kInvalidArgument, "lat: 91");
  expect_error([] { GeoPoint(-90.0001, 0); }, ErrorCode::kInvalidArgument, "lat");
  expect_error([] { GeoPoint(0, 180.5); }, ErrorCode::kInvalidArgument, "lon: 180.5");
  expect_error([] { GeoPoint(std::nan(""), 0); }, ErrorCode::kInvalidArgument, "lat: must be a finite number");
  expect_error([] { GeoPoint(0, std::numeric_limits<double>::infinity()); }, ErrorCode::kInvalidArgument,
               "lon: must be a finite number");
}

TEST(GeoPoint, ErrorsCanBePrefixedWithTheEnclosingField) {
  try {
    GeoPoint(95, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.prefixed("location").field(), "location.lat");
    EXPECT_EQ(std::string(e.prefixed("location").what()).rfind("location.lat: 95", 0), 0u);
  }
}

TEST(Distance, MatchesKnownGreatCircleDistances) {
  // One degree of latitude is about 111.2 km on the mean sphere.
  EXPECT_NEAR(distance_m(GeoPoint(30, 120), GeoPoint(31, 120)), 111195, 50);
  // One degree of longitude at 60 degrees north is half that.
  EXPECT_NEAR(distance_m(GeoPoint(60, 10), GeoPoint(60, 11)), 55597, 200);
  EXPECT_DOUBLE_EQ(distance_m(GeoPoint(1, 2), GeoPoint(1, 2)), 0.0);
}

TEST(Time, FormatsAndParsesUtcAndOffsets) {
  const TimePoint t = parse_utc("2026-11-22T14:05:00+08:00");
  EXPECT_EQ(format_utc(t), "2026-11-22T06:05:00Z");
  EXPECT_EQ(parse_utc("2026-11-22T06:05Z"), t);
  EXPECT_EQ(format_hhmm(t, hours(8)), "14:05");
  EXPECT_EQ(format_hhmm(parse_utc("2026-11-22T23:30:00Z"), hours(8)), "07:30");
  expect_error([] { parse_utc("2026-13-01T00:00Z", "earliest_start"); }, ErrorCode::kInvalidArgument, "earliest_start");
  expect_error([] { parse_utc("yesterday"); }, ErrorCode::kInvalidArgument, "time");
  EXPECT_EQ(minutes_ceil(seconds(1)), 1);
  EXPECT_EQ(minutes_ceil(minutes(10)), 10);
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(parse_utc("2026-11-22T00:00Z"));
  const TimePoint t0 = clock.now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(minutes(45));
  EXPECT_EQ(clock.now() - t0, minutes(45));
  clock.set(t0);
  EXPECT_EQ(clock.now(), t0);
  SystemClock system;
  EXPECT_GT(system.now(), parse_utc("2024-01-01T00:00Z"));
}

TEST(Ids, ValidateTheirText) {
  EXPECT_EQ(TicketId("T-000123").str(), "T-000123");
  expect_error([] { TicketId(""); }, ErrorCode::kInvalidArgument, "ticket_id: must not be empty");
  expect_error([] { CrewId("crew 7"); }, ErrorCode::kInvalidArgument, "crew_id");
  expect_error([] { CrewId(std::string(65, 'a')); }, ErrorCode::kInvalidArgument, "longer than 64");
  static_assert(!std::is_convertible_v<TicketId, CrewId>, "ids of different kinds must not mix");
}

}  // namespace
}  // namespace linecrew
