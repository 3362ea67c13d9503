// NMEA 0183 decoding for the handheld's GNSS receiver: the two sentences that
// carry a position, RMC (date, time, position, speed, course, validity) and
// GGA (time of day, position, fix quality, satellites, HDOP), from any talker
// ($GP GPS, $GN multi-constellation, $GL, $GA, $GB ...). Other sentence types
// are recognised as well-formed and ignored.
//
// Conventions as in position_source.h. Units at the edge: speed arrives in
// knots and leaves in m/s; latitude/longitude arrive as (d)ddmm.mmmm with a
// hemisphere letter and leave as signed degrees (south and west negative);
// the fractional second of the sentence time is dropped (TimePoint is whole
// seconds). Two-digit years 80..99 are 19xx, 00..79 are 20xx.
//
// Errors: every sentence must carry a correct checksum ("*HH"). A bad checksum,
// a truncated sentence or a malformed field throws Error(kInvalidArgument)
// whose field names the culprit ("nmea.checksum", "nmea.RMC.lat", ...); a log
// reader skips that line and goes on. Nothing in here crashes on bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "linecrew/core/geo.h"
#include "linecrew/core/time.h"
#include "linecrew/device/position/position_source.h"

namespace linecrew::position {

// 1 international knot = 1852 m per hour.
inline constexpr double kMpsPerKnot = 1852.0 / 3600.0;
// Accuracy estimate: HDOP times a user equivalent range error (UERE) of 5 m,
// a typical figure for a consumer receiver in open sky; roughly one standard
// deviation of the horizontal error, not a bound. HDOP 1.0 -> 5 m.
inline constexpr float kUereM = 5.0f;
// The accuracy claimed when no HDOP is known (an RMC without a recent GGA).
inline constexpr float kUnknownAccuracyM = 50.0f;

// $--RMC: recommended minimum data.
struct RmcSentence {
  std::string talker;  // "GP", "GN", ...
  // UTC date and time; absent only in a void sentence sent before the receiver knows the time.
  std::optional<TimePoint> time;
  // Status 'A' and (NMEA 2.3+) mode indicator not 'N'. A valid RMC always has `point`.
  bool valid = false;
  std::optional<GeoPoint> point;
  std::optional<float> speed_mps;
  std::optional<float> course_deg;  // degrees true, [0, 360)
};

// $--GGA: fix data. Has no date, only the time of day.
struct GgaSentence {
  std::string talker;
  std::optional<Duration> time_of_day;  // since 00:00:00 UTC
  int quality = 0;                      // 0 no fix, 1 GPS, 2 DGPS, 4/5 RTK, 6 dead reckoning ...
  std::optional<GeoPoint> point;        // always set when quality > 0
  int satellites = 0;
  std::optional<float> hdop;
};

using NmeaSentence = std::variant<RmcSentence, GgaSentence>;

// XOR of the characters between '$' and '*'.
std::uint8_t nmea_checksum(std::string_view body);
// "$" + body + "*HH": a sentence with its checksum (for simulators and tests).
std::string nmea_sentence(std::string_view body);

// Decodes one sentence; surrounding whitespace and CR/LF are ignored. nullopt
// for a well-formed sentence of a type we do not use (GSV, GSA, VTG, $P...).
// Throws Error(kInvalidArgument, "nmea[.<TYPE>.<field>]") as described above.
std::optional<NmeaSentence> parse_nmea(std::string_view line);

// HDOP -> metres (hdop * kUereM).
float accuracy_from_hdop(float hdop);

// Joins the RMC and GGA of one epoch (same time of day, either order) into a
// PositionFix: position, time, speed and course from RMC (the only one with a
// date), accuracy from the GGA's HDOP. A fix needs a valid RMC; a GGA alone
// yields none. An RMC whose GGA never comes is emitted when the next sentence
// shows the epoch is over (or by flush()), with the HDOP of a GGA at most 10 s
// older, else kUnknownAccuracyM. An epoch whose GGA says "no fix" yields none.
// Not thread-safe (one per stream).
class NmeaFixAssembler {
 public:
  // At most one fix per sentence added.
  std::optional<PositionFix> add(const NmeaSentence& sentence);
  // The RMC still waiting for its GGA, at the end of the input.
  std::optional<PositionFix> flush();

 private:
  std::optional<PositionFix> add_rmc(const RmcSentence& rmc);
  std::optional<PositionFix> add_gga(const GgaSentence& gga);
  PositionFix make_fix(const RmcSentence& rmc, std::optional<float> hdop) const;

  std::optional<float> recent_hdop(const RmcSentence& rmc) const;

  std::optional<RmcSentence> pending_rmc_;  // valid, waiting for its GGA
  std::optional<GgaSentence> last_gga_;
};

}  // namespace linecrew::position
