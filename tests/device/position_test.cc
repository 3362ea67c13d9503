// The handheld's position sources: NMEA decoding (with a small fuzz over
// damaged sentences), the fix assembler, replay of the generated drive
// (fixtures/drive.nmea, made by fixtures/make_drive_nmea.py), the upload
// throttle, and GpsdSource fed by gpsfake when gpsd and gpsfake are installed.
// Also built for aarch64 and run under qemu-user; the gpsd test skips there.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "linecrew/core/clock.h"
#include "linecrew/core/error.h"
#include "linecrew/device/position/gpsd_source.h"
#include "linecrew/device/position/nmea.h"
#include "linecrew/device/position/replay_source.h"
#include "linecrew/device/position/throttle.h"
#include "test_support.h"

extern char** environ;

namespace linecrew::position {
namespace {

using namespace std::chrono_literals;
using linecrew::testing::expect_error;

const std::string kDrive = std::string(LINECREW_SOURCE_DIR) + "/tests/device/fixtures/drive.nmea";
// What make_drive_nmea.py writes: 248 epochs every 5 s from 06:00:00Z, 11 of
// them in the tunnel without a fix, 3 with a corrupt RMC (on these lines).
constexpr std::size_t kDriveFixes = 248 - 11 - 3;
const std::vector<std::size_t> kCorruptLines = {44, 244, 404};

template <class T>
T parse_as(std::string_view line) {
  const auto s = parse_nmea(line);
  if (!s || !std::holds_alternative<T>(*s)) throw std::runtime_error("not the expected sentence: " + std::string(line));
  return std::get<T>(*s);
}

// The field named by the error `line` raises.
std::string error_field(std::string_view line) {
  try {
    parse_nmea(line);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.field();
  }
  return "(no error)";
}

// ---------------------------------------------------------------- parser

TEST(Nmea, DecodesRmcWithTheStandardExampleChecksum) {
  const auto r = parse_as<RmcSentence>("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A");
  EXPECT_EQ(r.talker, "GP");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(*r.time, parse_utc("1994-03-23T12:35:19Z"));
  EXPECT_NEAR(r.point->lat(), 48 + 7.038 / 60, 1e-9);
  EXPECT_NEAR(r.point->lon(), 11 + 31.0 / 60, 1e-9);
  EXPECT_NEAR(*r.speed_mps, 22.4 * 1852 / 3600, 1e-4);  // knots -> m/s
  EXPECT_FLOAT_EQ(*r.course_deg, 84.4f);
}

TEST(Nmea, DecodesGgaWithHdopAsAccuracy) {
  const auto g = parse_as<GgaSentence>("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47");
  EXPECT_EQ(*g.time_of_day, hours(12) + minutes(35) + seconds(19));
  EXPECT_EQ(g.quality, 1);
  EXPECT_EQ(g.satellites, 8);
  EXPECT_FLOAT_EQ(*g.hdop, 0.9f);
  EXPECT_FLOAT_EQ(accuracy_from_hdop(*g.hdop), 4.5f);  // HDOP x 5 m
  EXPECT_NEAR(g.point->lat(), 48.1173, 1e-9);
}

TEST(Nmea, AcceptsAnyTalkerSouthWestFractionsAndLineEndings) {
  const auto r =
      parse_as<RmcSentence>(nmea_sentence("GNRMC,235959.95,A,3352.12800,S,15112.55800,W,0.00,,311299,,,D") + "\r\n");
  EXPECT_EQ(r.talker, "GN");
  EXPECT_EQ(*r.time, parse_utc("1999-12-31T23:59:59Z"));  // fraction dropped, 99 -> 1999
  EXPECT_NEAR(r.point->lat(), -(33 + 52.128 / 60), 1e-9);
  EXPECT_NEAR(r.point->lon(), -(151 + 12.558 / 60), 1e-9);
  EXPECT_FLOAT_EQ(*r.speed_mps, 0.0f);
  EXPECT_FALSE(r.course_deg);  // empty course: not reported
  const auto g =
      parse_as<GgaSentence>("  " + nmea_sentence("GNGGA,000001.00,0000.00000,N,00000.00000,E,2,12,0.6,,,,,,"));
  EXPECT_EQ(g.talker, "GN");
  EXPECT_EQ(g.quality, 2);
}

TEST(Nmea, VoidAndNoFixSentencesAreValidButCarryNoFix) {
  const auto v = parse_as<RmcSentence>(nmea_sentence("GPRMC,060755.00,V,,,,,,,221126,,,N"));
  EXPECT_FALSE(v.valid);
  EXPECT_FALSE(v.point);
  EXPECT_EQ(*v.time, parse_utc("2026-11-22T06:07:55Z"));
  // Status A but mode indicator N (NMEA 2.3): not valid either.
  EXPECT_FALSE(parse_as<RmcSentence>(nmea_sentence("GPRMC,060000,A,3015.000,N,12009.000,E,1.0,90.0,221126,,,N")).valid);
  // Before the receiver knows the time at all.
  EXPECT_FALSE(parse_as<RmcSentence>(nmea_sentence("GPRMC,,V,,,,,,,,,,N")).time);
  const auto g = parse_as<GgaSentence>(nmea_sentence("GPGGA,060755.00,,,,,0,00,99.99,,,,,,"));
  EXPECT_EQ(g.quality, 0);
  EXPECT_FALSE(g.point);
}

TEST(Nmea, IgnoresSentenceTypesItDoesNotUse) {
  EXPECT_FALSE(parse_nmea("$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74"));
  EXPECT_FALSE(parse_nmea(nmea_sentence("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K")));
  EXPECT_FALSE(parse_nmea(nmea_sentence("PGRME,15.0,M,45.0,M,25.0,M")));  // proprietary
}

TEST(Nmea, RejectsBadChecksumsAndTruncatedSentences) {
  const std::string good = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A";
  expect_error([&] { parse_nmea("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6B"); },
               ErrorCode::kInvalidArgument, "nmea.checksum: is 6A, the sentence says 6B");
  EXPECT_NO_THROW(parse_nmea("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6a"));
  EXPECT_EQ(error_field(good.substr(0, 30)), "nmea.checksum");               // cut mid-sentence
  EXPECT_EQ(error_field(good.substr(0, good.size() - 1)), "nmea.checksum");  // cut in the checksum
  EXPECT_EQ(error_field("$GPGGA,0607" + good), "nmea");                      // two sentences run together
  // Cut short, but with a checksum of what is left: too few fields.
  expect_error([] { parse_nmea(nmea_sentence("GPRMC,123519,A,4807.038,N")); }, ErrorCode::kInvalidArgument,
               "nmea.RMC.fields: has 4 fields, RMC needs at least 9");
  EXPECT_EQ(error_field(nmea_sentence("GPGGA,123519,4807.038,N,01131.000,E,1")), "nmea.GGA.fields");
}

TEST(Nmea, RejectsMalformedFieldsNamingThem) {
  const auto rmc = [](const char* time, const char* lat, const char* ns, const char* speed, const char* course,
                      const char* date) {
    return nmea_sentence(std::string("GPRMC,") + time + ",A," + lat + "," + ns + ",01131.000,E," + speed + "," +
                         course + "," + date + ",,,A");
  };
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "N", "1.0", "84.4", "230394")), "(no error)");
  EXPECT_EQ(error_field(rmc("246000", "4807.038", "N", "1.0", "84.4", "230394")), "nmea.RMC.time");
  EXPECT_EQ(error_field(rmc("12351", "4807.038", "N", "1.0", "84.4", "230394")), "nmea.RMC.time");
  EXPECT_EQ(error_field(rmc("123519", "4860.000", "N", "1.0", "84.4", "230394")), "nmea.RMC.lat");
  EXPECT_EQ(error_field(rmc("123519", "94807.038", "N", "1.0", "84.4", "230394")), "nmea.RMC.lat");
  EXPECT_EQ(error_field(rmc("123519", "9100.000", "N", "1.0", "84.4", "230394")), "nmea.RMC.lat");
  EXPECT_EQ(error_field(rmc("123519", "48x7.038", "N", "1.0", "84.4", "230394")), "nmea.RMC.lat");
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "X", "1.0", "84.4", "230394")), "nmea.RMC.lat_hemisphere");
  EXPECT_EQ(error_field(rmc("123519", "", "", "1.0", "84.4", "230394")), "nmea.RMC.lat");
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "N", "-1.0", "84.4", "230394")), "nmea.RMC.speed");
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "N", "1.2.3", "84.4", "230394")), "nmea.RMC.speed");
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "N", "1.0", "400", "230394")), "nmea.RMC.course");
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "N", "1.0", "84.4", "310226")), "nmea.RMC.date");  // 31 Feb
  EXPECT_EQ(error_field(rmc("123519", "4807.038", "N", "1.0", "84.4", "")), "nmea.RMC.date");
  EXPECT_EQ(error_field(nmea_sentence("GPGGA,123519,4807.038,N,01131.000,E,x,08,0.9,545.4,M,46.9,M,,")),
            "nmea.GGA.quality");
  EXPECT_EQ(error_field(nmea_sentence("GPGGA,123519,,,,,1,08,0.9,545.4,M,46.9,M,,")), "nmea.GGA.lat");
  EXPECT_EQ(error_field(nmea_sentence("GPRMC,123519,Q,4807.038,N,01131.000,E,1,2,230394,,")), "nmea.RMC.status");
  EXPECT_EQ(error_field(nmea_sentence("GPRM,1")), "nmea.address");
}

TEST(Nmea, GarbageNeverCrashes) {
  for (const char* junk : {"", " ", "$", "*", "$*", "$*00", "$*0", "**", "hello", "$GPRMC", "$GPRMC*",
                           "$GPRMC,,,,,,,,,,,,*", "$,*2C", "$GPRMC\xff*00", "\x01\x02"}) {
    EXPECT_THROW(parse_nmea(junk), Error) << junk;
  }
}

// A fuzzer in miniature: every cut and many one-character changes of real
// sentences, with the checksum left as is and recomputed (so the damage
// reaches the field decoders), either decode or throw Error.
TEST(Nmea, DamagedSentencesDecodeOrThrowErrorButNothingElse) {
  const std::vector<std::string> bodies = {
      "GPRMC,123519.00,A,4807.03800,N,01131.00000,E,022.4,084.4,230394,003.1,W,A",
      "GNGGA,061640.00,3015.18817,N,12011.25621,E,1,08,1.1,12.3,M,7.1,M,,",
  };
  const std::string replacements = ",.0159*$-ANSEW \t";
  std::size_t decoded = 0, rejected = 0;
  const auto attempt = [&](const std::string& line) {
    try {
      parse_nmea(line);
      ++decoded;
    } catch (const Error&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "'" << line << "' threw " << e.what();
    }
  };
  for (const auto& body : bodies) {
    const std::string line = nmea_sentence(body);
    for (std::size_t n = 0; n <= line.size(); ++n) attempt(line.substr(0, n));
    for (std::size_t n = 0; n <= body.size(); ++n) attempt(nmea_sentence(body.substr(0, n)));
    for (std::size_t i = 0; i < body.size(); ++i) {
      for (const char c : replacements) {
        std::string damaged = body;
        damaged[i] = c;
        attempt("$" + damaged + line.substr(line.size() - 3));
        attempt(nmea_sentence(damaged));
        damaged.insert(i, 1, c);
        attempt(nmea_sentence(damaged));
      }
    }
  }
  EXPECT_GT(decoded, 100u);
  EXPECT_GT(rejected, 1000u);
}

// ---------------------------------------------------------------- assembler

NmeaSentence sentence(const std::string& body) {
  return *parse_nmea(nmea_sentence(body));
}

const std::string kRmc0 = "GPRMC,060000.00,A,3015.00000,N,12009.00000,E,21.60,90.0,221126,,,A";
const std::string kGga0 = "GPGGA,060000.00,3015.00000,N,12009.00000,E,1,08,1.2,12.3,M,7.1,M,,";
const std::string kRmc5 = "GPRMC,060005.00,A,3015.00000,N,12009.03466,E,21.60,90.0,221126,,,A";
const std::string kGga5 = "GPGGA,060005.00,3015.00000,N,12009.03466,E,1,09,1.6,12.3,M,7.1,M,,";

TEST(NmeaFixAssembler, JoinsGgaAndRmcOfOneEpochInEitherOrder) {
  NmeaFixAssembler a;
  EXPECT_FALSE(a.add(sentence(kGga0)));
  const auto fix = a.add(sentence(kRmc0));
  ASSERT_TRUE(fix);
  EXPECT_EQ(fix->fix_time, parse_utc("2026-11-22T06:00:00Z"));
  EXPECT_EQ(fix->point, GeoPoint(30.25, 120.15));
  EXPECT_FLOAT_EQ(fix->accuracy_m, 6.0f);  // HDOP 1.2 x 5 m
  EXPECT_NEAR(*fix->speed_mps, 40 / 3.6, 0.01);
  EXPECT_FLOAT_EQ(*fix->heading_deg, 90.0f);
  EXPECT_FALSE(a.flush());

  NmeaFixAssembler b;
  EXPECT_FALSE(b.add(sentence(kRmc5)));
  const auto late = b.add(sentence(kGga5));
  ASSERT_TRUE(late);
  EXPECT_FLOAT_EQ(late->accuracy_m, 8.0f);
}

TEST(NmeaFixAssembler, AnRmcWithoutItsGgaComesOutWhenTheEpochIsOver) {
  NmeaFixAssembler a;
  EXPECT_FALSE(a.add(sentence(kRmc0)));
  const auto first = a.add(sentence(kRmc5));  // no GGA came for 06:00:00
  ASSERT_TRUE(first);
  EXPECT_EQ(first->fix_time, parse_utc("2026-11-22T06:00:00Z"));
  EXPECT_FLOAT_EQ(first->accuracy_m, kUnknownAccuracyM);
  const auto last = a.flush();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->fix_time, parse_utc("2026-11-22T06:00:05Z"));
  EXPECT_FALSE(a.flush());

  // A GGA at most 10 s old lends its HDOP.
  NmeaFixAssembler b;
  b.add(sentence(kGga0));
  b.add(sentence(kRmc0));
  EXPECT_FALSE(b.add(sentence(kRmc5)));
  EXPECT_FLOAT_EQ(b.flush()->accuracy_m, 6.0f);
}

TEST(NmeaFixAssembler, NoFixFromVoidRmcOrWhenGgaSaysNoFixOrFromGgaAlone) {
  NmeaFixAssembler a;
  EXPECT_FALSE(a.add(sentence("GPGGA,060000.00,3015.00000,N,12009.00000,E,0,00,99.9,,,,,,")));
  EXPECT_FALSE(a.add(sentence(kRmc0)));
  EXPECT_FALSE(a.add(sentence("GPRMC,060005.00,V,,,,,,,221126,,,N")));
  EXPECT_FALSE(a.add(sentence(kGga5)));
  EXPECT_FALSE(a.flush());
}

// ---------------------------------------------------------------- replay

TEST(Replay, TheFixtureDriveHasItsFixesInOrderAndSkipsTheCorruptLines) {
  const auto log = read_replay_log(kDrive);
  ASSERT_EQ(log.fixes.size(), kDriveFixes);
  ASSERT_EQ(log.skipped.size(), kCorruptLines.size());
  for (std::size_t i = 0; i < kCorruptLines.size(); ++i)
    EXPECT_TRUE(log.skipped[i].starts_with("line " + std::to_string(kCorruptLines[i]) + ": nmea")) << log.skipped[i];
  EXPECT_NE(log.skipped[0].find("checksum"), std::string::npos);
  EXPECT_NE(log.skipped[1].find("truncated"), std::string::npos);
  EXPECT_NE(log.skipped[2].find("run together"), std::string::npos);

  const auto& first = log.fixes.front();
  EXPECT_EQ(first.fix_time, parse_utc("2026-11-22T06:00:00Z"));
  EXPECT_EQ(first.point, GeoPoint(30.25, 120.15));
  EXPECT_FLOAT_EQ(first.accuracy_m, 6.0f);
  EXPECT_GE(log.fixes.back().fix_time - first.fix_time, minutes(20));

  double driven_m = 0;
  for (std::size_t i = 1; i < log.fixes.size(); ++i) {
    const auto& prev = log.fixes[i - 1];
    const auto& fix = log.fixes[i];
    ASSERT_GT(fix.fix_time, prev.fix_time);
    // 5 s steps; 10 s across a corrupt RMC; the tunnel 06:07:55-06:08:45 has no fix.
    const auto step = fix.fix_time - prev.fix_time;
    if (step > seconds(10)) {
      EXPECT_EQ(prev.fix_time, parse_utc("2026-11-22T06:07:50Z"));
      EXPECT_EQ(fix.fix_time, parse_utc("2026-11-22T06:08:50Z"));
    }
    EXPECT_LE(*fix.speed_mps, 50 / 3.6 + 0.01);
    EXPECT_GT(fix.accuracy_m, 0);
    EXPECT_LT(distance_m(GeoPoint(30.26, 120.17), fix.point), 5000);  // stays in town
    driven_m += distance_m(prev.point, fix.point);
  }
  EXPECT_NEAR(driven_m, 12100, 300);
}

TEST(Replay, AsFastAsPossibleYieldsEveryFixThenFinishes) {
  ReplaySource source(kDrive);
  EXPECT_EQ(source.skipped().size(), kCorruptLines.size());
  EXPECT_FALSE(source.finished());
  std::vector<PositionFix> fixes;
  while (auto fix = source.next(0ms)) fixes.push_back(*fix);
  EXPECT_EQ(fixes, read_replay_log(kDrive).fixes);
  EXPECT_TRUE(source.finished());
  EXPECT_EQ(source.remaining(), 0u);
  EXPECT_FALSE(source.next(10ms));
}

TEST(Replay, PacedByAnInjectedClock) {
  ManualClock clock(parse_utc("2030-01-01T00:00:00Z"));  // any time: pacing is relative
  ReplaySource source(kDrive, ReplayOptions{.pace_clock = &clock});
  const auto first = source.next(0ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->fix_time, parse_utc("2026-11-22T06:00:00Z"));
  EXPECT_FALSE(source.next(0ms));  // the next fix is 5 s later
  clock.advance(seconds(4));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(source.next(30ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms);
  clock.advance(seconds(1));
  EXPECT_EQ(source.next(0ms)->fix_time, parse_utc("2026-11-22T06:00:05Z"));

  // A reader waiting gets the fix as soon as the clock reaches it.
  std::thread mover([&] {
    std::this_thread::sleep_for(50ms);
    clock.advance(seconds(5));
  });
  const auto third = source.next(10s);
  mover.join();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->fix_time, parse_utc("2026-11-22T06:00:10Z"));

  // A slow reader gets every fix, late, in order.
  clock.advance(minutes(1));
  std::size_t burst = 0;
  while (source.next(0ms)) ++burst;
  EXPECT_EQ(burst, 12u);
  EXPECT_FALSE(source.finished());
}

TEST(Replay, StopWakesAWaitingReader) {
  ManualClock clock(parse_utc("2030-01-01T00:00:00Z"));
  ReplaySource source(kDrive, ReplayOptions{.pace_clock = &clock});
  ASSERT_TRUE(source.next(0ms));
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    source.stop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(source.next(20s));
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_TRUE(source.finished());
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / ("linecrew-position-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Replay, ReadsCsvAndSkipsBadRows) {
  const auto path = write_temp("drive.csv",
                               "time_utc,lat,lon,speed_mps,heading_deg\n"
                               "# depot\n"
                               "2026-11-22T06:00:00Z,30.25,120.15\n"
                               "2026-11-22T06:00:05Z,30.25,120.1505,11.1,90\n"
                               "2026-11-22T06:00:10Z,95,120.151,11.1,90\n"
                               "2026-11-22T06:00:15Z,30.25,120.1515,,\n"
                               "06:00:20,30.25,120.152\n");
  ReplaySource source(path);
  std::vector<PositionFix> fixes;
  while (auto fix = source.next(0ms)) fixes.push_back(*fix);
  ASSERT_EQ(fixes.size(), 3u);
  EXPECT_EQ(fixes[0].point, GeoPoint(30.25, 120.15));
  EXPECT_FLOAT_EQ(fixes[0].accuracy_m, kCsvAccuracyM);
  EXPECT_FALSE(fixes[0].speed_mps);
  EXPECT_FLOAT_EQ(*fixes[1].speed_mps, 11.1f);
  EXPECT_FLOAT_EQ(*fixes[1].heading_deg, 90.0f);
  EXPECT_EQ(fixes[2].fix_time, parse_utc("2026-11-22T06:00:15Z"));
  EXPECT_FALSE(fixes[2].heading_deg);
  ASSERT_EQ(source.skipped().size(), 2u);
  EXPECT_EQ(source.skipped()[0].rfind("line 5: csv.lat:", 0), 0u) << source.skipped()[0];
  EXPECT_EQ(source.skipped()[1].rfind("line 7: csv.time_utc:", 0), 0u) << source.skipped()[1];

  // Read as NMEA on purpose: nothing decodes, every line is reported.
  const auto as_nmea = read_replay_log(path, ReplayFormat::kNmea);
  EXPECT_TRUE(as_nmea.fixes.empty());
  EXPECT_EQ(as_nmea.skipped.size(), 6u);
  std::filesystem::remove(path);
}

TEST(Replay, AMissingFileIsAnError) {
  expect_error([] { ReplaySource("/nonexistent/drive.nmea"); }, ErrorCode::kInvalidArgument, "/nonexistent/drive.nmea");
}

// ---------------------------------------------------------------- throttle

const TimePoint kT0 = parse_utc("2026-11-22T06:00:00Z");

PositionFix fix_at(double east_m, Duration after, std::optional<float> heading = 90.0f, float speed = 10.0f,
                   float accuracy = 5.0f) {
  PositionFix f;
  f.point = GeoPoint(30.25, 120.15 + east_m / (111320.0 * std::cos(30.25 * M_PI / 180)));
  f.accuracy_m = accuracy;
  f.speed_mps = speed;
  f.heading_deg = heading;
  f.fix_time = kT0 + after;
  return f;
}

TEST(PositionThrottle, FirstFixAlwaysThenOncePerInterval) {
  PositionThrottle t;
  std::vector<long> uploaded;
  for (int s = 0; s <= 70; s += 5) {
    if (t.should_upload(fix_at(0, seconds(s)), kT0 + seconds(s))) uploaded.push_back(s);
  }
  EXPECT_EQ(uploaded, (std::vector<long>{0, 30, 60}));
}

TEST(PositionThrottle, MovingFarUploadsEarlyButNoiseDoesNot) {
  PositionThrottle t;
  ASSERT_TRUE(t.should_upload(fix_at(0, 0s), kT0));
  EXPECT_FALSE(t.should_upload(fix_at(150, 10s), kT0 + 10s));
  EXPECT_TRUE(t.should_upload(fix_at(250, 15s), kT0 + 15s));
  // 250 m further, but the new fix could be 300 m off: not a move.
  EXPECT_FALSE(t.should_upload(fix_at(500, 20s, 90.0f, 10.0f, 300.0f), kT0 + 20s));
  EXPECT_EQ(t.last_uploaded()->fix_time, kT0 + 15s);
}

TEST(PositionThrottle, TurningUploadsEarlyOnlyWhenMoving) {
  PositionThrottle t;
  ASSERT_TRUE(t.should_upload(fix_at(0, 0s, 90.0f), kT0));
  EXPECT_FALSE(t.should_upload(fix_at(50, 10s, 110.0f), kT0 + 10s));        // 20 degrees: not a turn
  EXPECT_FALSE(t.should_upload(fix_at(60, 12s, 180.0f, 1.0f), kT0 + 12s));  // too slow to trust
  EXPECT_FALSE(t.should_upload(fix_at(60, 13s, std::nullopt), kT0 + 13s));  // no course
  EXPECT_TRUE(t.should_upload(fix_at(70, 14s, 180.0f), kT0 + 14s));         // a real turn
  EXPECT_TRUE(t.should_upload(fix_at(80, 20s, 350.0f, 5.0f), kT0 + 20s));   // 170 degrees
  EXPECT_FALSE(t.should_upload(fix_at(90, 26s, 10.0f, 5.0f), kT0 + 26s));   // 350 -> 10 is 20 degrees
  EXPECT_FLOAT_EQ(heading_change_deg(350, 10), 20);
  EXPECT_FLOAT_EQ(heading_change_deg(10, 350), 20);
  EXPECT_FLOAT_EQ(heading_change_deg(0, 180), 180);
}

TEST(PositionThrottle, NeverMoreOftenThanTheMinimumGap) {
  PositionThrottle t;
  ASSERT_TRUE(t.should_upload(fix_at(0, 0s), kT0));
  EXPECT_FALSE(t.should_upload(fix_at(1000, 2s, 270.0f), kT0 + 2s));
  EXPECT_TRUE(t.should_upload(fix_at(1000, 5s, 270.0f), kT0 + 5s));
}

TEST(PositionThrottle, AClockGoingBackCountsAsNoTimePassed) {
  PositionThrottle t;
  ASSERT_TRUE(t.should_upload(fix_at(0, 0s), kT0));
  EXPECT_FALSE(t.should_upload(fix_at(0, 10s), kT0 - hours(1)));
  EXPECT_FALSE(t.should_upload(fix_at(0, 20s), kT0 - hours(1) + 29s));
  EXPECT_TRUE(t.should_upload(fix_at(0, 30s), kT0 - hours(1) + 30s));
  t.reset();
  EXPECT_TRUE(t.should_upload(fix_at(0, 31s), kT0 - hours(1) + 31s));
}

TEST(PositionThrottle, OnTheFixtureDriveUploadsAFractionButKeepsTrack) {
  const auto fixes = read_replay_log(kDrive).fixes;
  PositionThrottle t;
  std::vector<PositionFix> sent;
  for (const auto& f : fixes) {
    if (t.should_upload(f, f.fix_time)) sent.push_back(f);
  }
  EXPECT_EQ(sent.front(), fixes.front());
  EXPECT_LT(sent.size(), fixes.size() / 3);
  for (std::size_t i = 1; i < sent.size(); ++i) {
    const auto gap = sent[i].fix_time - sent[i - 1].fix_time;
    EXPECT_GE(gap, 5s);
    // At most 30 s plus one 5 s step (plus a skipped corrupt epoch), except across the tunnel.
    const bool across_tunnel = sent[i - 1].fix_time <= parse_utc("2026-11-22T06:07:50Z") &&
                               sent[i].fix_time >= parse_utc("2026-11-22T06:08:50Z");
    if (!across_tunnel) {
      EXPECT_LE(gap, 40s) << format_utc(sent[i].fix_time);
    }
  }
  // Every corner of the route is reported within 10 s of the turn.
  std::size_t turns = 0;
  for (std::size_t i = 1; i < fixes.size(); ++i) {
    const auto& a = fixes[i - 1];
    const auto& b = fixes[i];
    if (!a.heading_deg || !b.heading_deg || heading_change_deg(*a.heading_deg, *b.heading_deg) < 45) continue;
    ++turns;
    const bool reported = std::any_of(sent.begin(), sent.end(), [&](const PositionFix& s) {
      return s.fix_time >= b.fix_time && s.fix_time <= b.fix_time + 10s;
    });
    EXPECT_TRUE(reported) << "turn at " << format_utc(b.fix_time);
  }
  EXPECT_GE(turns, 3u);
}

// ---------------------------------------------------------------- gpsd via gpsfake

#ifdef LINECREW_HAVE_GPSD

// The first executable called `name` in `path` (colon-separated), or "".
std::string find_program(const std::string& name, const std::string& path) {
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

// gpsfake (and the gpsd it starts) in their own process group; ended by the
// destructor however the test goes. gpsfake -W bounds its own run too.
class GpsFake {
 public:
  GpsFake(const std::string& program, int port, const std::string& log_file, std::string output)
      : output_(std::move(output)) {
    const std::string port_text = std::to_string(port);
    // -p: gpsfake attaches a client of its own before it feeds the log, so gpsd
    // opens the fake receiver first and waits 1.4 s: time for ours to connect.
    // Without a client gpsfake would feed the log into the void. -1: play it once.
    std::vector<std::string> args = {program, "-1", "-q", "-p", "-W", "30", "-P", port_text, log_file};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);  // -p's copy of the reports
    posix_spawn_file_actions_addopen(&actions, 2, output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    spawn_error_ = posix_spawn(&pid_, program.c_str(), &actions, &attr, argv.data(), environ);
    if (spawn_error_ != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }

  ~GpsFake() {
    if (pid_ <= 0) return;
    // Signal the whole group while the leader is not yet reaped, so its id cannot be reused.
    ::kill(-pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    siginfo_t info{};
    while (std::chrono::steady_clock::now() < deadline) {
      info.si_pid = 0;
      if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) break;
      std::this_thread::sleep_for(20ms);
    }
    ::kill(-pid_, SIGKILL);  // gpsd, or gpsfake if it ignored SIGTERM
    ::waitpid(pid_, nullptr, 0);
    std::error_code ignored;
    std::filesystem::remove(output_, ignored);
  }

  bool started() const { return pid_ > 0; }
  int spawn_error() const { return spawn_error_; }
  std::string output() const {
    std::ifstream in(output_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string output_;
  pid_t pid_ = -1;
  int spawn_error_ = 0;
};

#endif  // LINECREW_HAVE_GPSD

TEST(GpsdSource, ReadsTheFixtureDriveThroughGpsfake) {
#ifndef LINECREW_HAVE_GPSD
  GTEST_SKIP() << "built without libgps (LINECREW_HAVE_GPSD undefined, e.g. a cross build without "
                  "libgps-dev:<arch>): GpsdSource is not part of this build";
#else
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env ? path_env : "/usr/bin:/bin";
  const auto gpsfake = find_program("gpsfake", path);
  if (gpsfake.empty()) GTEST_SKIP() << "gpsfake is not installed (Debian package gpsd-clients)";
  if (find_program("gpsd", path + ":/usr/sbin").empty()) GTEST_SKIP() << "gpsd is not installed (Debian package gpsd)";
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "gpsfake needs /usr/bin/python3";
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);

  GpsFake fake(gpsfake, port, kDrive, write_temp("gpsfake.log", ""));
  if (!fake.started()) GTEST_SKIP() << "cannot start gpsfake: " << std::strerror(fake.spawn_error());
  std::unique_ptr<GpsdSource> source;
  try {
    source = std::make_unique<GpsdSource>(GpsdOptions{"127.0.0.1", std::to_string(port), 20s});
  } catch (const Error& e) {
    GTEST_SKIP() << "gpsfake is installed but not usable here (" << e.what() << "); its output:\n" << fake.output();
  }

  // gpsfake -1 plays the log once; gpsd then goes away and the source finishes.
  std::vector<PositionFix> got;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!source->finished() && std::chrono::steady_clock::now() < deadline) {
    if (auto fix = source->next(500ms)) got.push_back(*fix);
  }
  EXPECT_TRUE(source->finished()) << "gpsd still connected after 60 s; gpsfake said:\n" << fake.output();

  // What the log says for each time of day: RMC and GGA positions (gpsd also uses a lone GGA).
  std::map<Duration, GeoPoint> expected;
  std::ifstream in(kDrive);
  for (std::string line; std::getline(in, line);) {
    try {
      const auto s = parse_nmea(line);
      if (!s) continue;
      if (const auto* r = std::get_if<RmcSentence>(&*s); r && r->valid) {
        expected.emplace(*r->time - std::chrono::floor<std::chrono::days>(*r->time), *r->point);
      } else if (const auto* g = std::get_if<GgaSentence>(&*s); g && g->quality > 0) {
        expected.emplace(*g->time_of_day, *g->point);
      }
    } catch (const Error&) {
    }
  }
  const auto replay = read_replay_log(kDrive).fixes;
  RecordProperty("gpsd_fixes", static_cast<int>(got.size()));
  ASSERT_GE(got.size(), replay.size() * 9 / 10) << "gpsfake said:\n" << fake.output();
  const auto day = std::chrono::floor<std::chrono::days>(parse_utc("2026-11-22T00:00:00Z"));
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& fix = got[i];
    SCOPED_TRACE(format_utc(fix.fix_time));
    if (i > 0) {
      EXPECT_GT(fix.fix_time, got[i - 1].fix_time);
    }
    EXPECT_EQ(std::chrono::floor<std::chrono::days>(fix.fix_time), day);
    const auto it = expected.find(fix.fix_time - day);
    ASSERT_NE(it, expected.end()) << "gpsd reported a time not in the log";
    EXPECT_NEAR(fix.point.lat(), it->second.lat(), 1e-6);
    EXPECT_NEAR(fix.point.lon(), it->second.lon(), 1e-6);
    EXPECT_GT(fix.accuracy_m, 0);
  }
  // Speeds agree with the replay where both have one.
  std::size_t compared = 0;
  for (const auto& r : replay) {
    const auto it =
        std::find_if(got.begin(), got.end(), [&](const PositionFix& g) { return g.fix_time == r.fix_time; });
    if (it == got.end() || !it->speed_mps || !r.speed_mps) continue;
    EXPECT_NEAR(*it->speed_mps, *r.speed_mps, 0.05) << format_utc(r.fix_time);
    if (it->heading_deg && r.heading_deg) {
      EXPECT_NEAR(*it->heading_deg, *r.heading_deg, 0.05);
    }
    ++compared;
  }
  EXPECT_GT(compared, replay.size() / 2);
#endif
}

TEST(GpsdSource, ConnectingToNothingFailsInTime) {
#ifndef LINECREW_HAVE_GPSD
  GTEST_SKIP() << "built without libgps: GpsdSource is not part of this build";
#else
  const int port = free_loopback_port();  // nobody listens there
  const auto t0 = std::chrono::steady_clock::now();
  expect_error(
      [&] {
        GpsdSource(GpsdOptions{"127.0.0.1", std::to_string(port), 300ms});
      },
      ErrorCode::kUnavailable, "gpsd: cannot connect to 127.0.0.1:");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
#endif
}

}  // namespace
}  // namespace linecrew::position
