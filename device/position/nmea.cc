#include "linecrew/device/position/nmea.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "linecrew/core/error.h"

namespace linecrew::position {

namespace {

constexpr std::string_view kWhitespace = " \t\r\n";
constexpr Duration kDay = hours(24);
// How old a GGA's HDOP may be and still describe an RMC that came without one.
constexpr Duration kHdopMaxAge = seconds(10);

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The fields of one sentence, with errors that name the sentence type and field.
class Fields {
 public:
  Fields(std::string type, std::vector<std::string_view> fields) : type_(std::move(type)), fields_(std::move(fields)) {}

  [[noreturn]] void fail(const char* name, const std::string& message) const {
    throw_invalid("nmea." + type_ + "." + name, message);
  }
  std::string_view at(std::size_t i) const { return i < fields_.size() ? fields_[i] : std::string_view{}; }
  std::string quoted(std::size_t i) const { return "'" + std::string(at(i)) + "'"; }

  // A non-negative decimal number, or nullopt when the field is empty.
  std::optional<double> number(std::size_t i, const char* name) const {
    const auto s = at(i);
    if (s.empty()) return std::nullopt;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
      fail(name, quoted(i) + " is not a non-negative decimal number");
    return v;
  }

  std::optional<int> integer(std::size_t i, const char* name) const {
    const auto s = at(i);
    if (s.empty()) return std::nullopt;
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0) fail(name, quoted(i) + " is not a whole number");
    return v;
  }

  // hhmmss[.sss] -> time of day (fraction dropped).
  std::optional<Duration> time_of_day(std::size_t i) const {
    const auto s = at(i);
    if (s.empty()) return std::nullopt;
    const auto whole = s.substr(0, s.find('.'));
    const auto frac = whole.size() < s.size() ? s.substr(whole.size() + 1) : std::string_view{};
    if (whole.size() != 6 || !all_digits(whole) || (whole.size() < s.size() && !all_digits(frac)))
      fail("time", quoted(i) + " is not a time hhmmss[.ss]");
    const int h = (whole[0] - '0') * 10 + (whole[1] - '0');
    const int m = (whole[2] - '0') * 10 + (whole[3] - '0');
    const int sec = (whole[4] - '0') * 10 + (whole[5] - '0');
    if (h > 23 || m > 59 || sec > 60) fail("time", quoted(i) + " is not a time of day");
    return hours(h) + minutes(m) + seconds(sec);
  }

  // ddmmyy -> the day's midnight.
  TimePoint date(std::size_t i) const {
    const auto s = at(i);
    if (s.size() != 6 || !all_digits(s)) fail("date", quoted(i) + " is not a date ddmmyy");
    const int d = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[2] - '0') * 10 + (s[3] - '0');
    const int yy = (s[4] - '0') * 10 + (s[5] - '0');
    const std::chrono::year_month_day ymd{std::chrono::year(yy >= 80 ? 1900 + yy : 2000 + yy),
                                          std::chrono::month(static_cast<unsigned>(m)),
                                          std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok()) fail("date", quoted(i) + " is not a calendar date");
    return std::chrono::sys_days(ymd);
  }

  // (d)ddmm.mmmm + hemisphere letter -> signed degrees; nullopt when both are empty.
  std::optional<double> coordinate(std::size_t i, bool is_lat) const {
    const char* name = is_lat ? "lat" : "lon";
    const auto s = at(i);
    const auto hemi = at(i + 1);
    if (s.empty() && hemi.empty()) return std::nullopt;
    const auto dot = std::min(s.find('.'), s.size());
    const std::size_t max_deg_digits = is_lat ? 2 : 3;
    if (dot < 3 || dot > max_deg_digits + 2 || !all_digits(s.substr(0, dot)))
      fail(name, quoted(i) + (is_lat ? " is not a latitude ddmm.mmmm" : " is not a longitude dddmm.mmmm"));
    const int deg = std::stoi(std::string(s.substr(0, dot - 2)));
    const double min = *number(i, name) - deg * 100.0;
    if (min >= 60.0) fail(name, quoted(i) + " has 60 or more minutes");
    double v = deg + min / 60.0;
    if (v > (is_lat ? 90.0 : 180.0)) fail(name, quoted(i) + " is out of range");
    if (hemi == (is_lat ? "S" : "W")) {
      v = -v;
    } else if (hemi != (is_lat ? "N" : "E")) {
      fail(is_lat ? "lat_hemisphere" : "lon_hemisphere",
           quoted(i + 1) + (is_lat ? " is not N or S" : " is not E or W"));
    }
    return v;
  }

  std::optional<GeoPoint> point(std::size_t lat_index) const {
    const auto lat = coordinate(lat_index, true);
    const auto lon = coordinate(lat_index + 2, false);
    if (!lat && !lon) return std::nullopt;
    if (!lat) fail("lat", "missing while the longitude is given");
    if (!lon) fail("lon", "missing while the latitude is given");
    return GeoPoint(*lat, *lon);  // in range: checked above
  }

  std::size_t size() const { return fields_.size(); }

 private:
  std::string type_;
  std::vector<std::string_view> fields_;
};

RmcSentence parse_rmc(const Fields& f) {
  // 1 time, 2 status, 3-4 lat, 5-6 lon, 7 speed (kn), 8 course, 9 date, 10-11 magnetic variation,
  // 12 mode indicator (NMEA 2.3+), 13 navigational status (4.1+).
  if (f.size() < 10) f.fail("fields", "has " + std::to_string(f.size() - 1) + " fields, RMC needs at least 9");
  RmcSentence r;
  r.talker = std::string(f.at(0).substr(0, 2));
  const auto status = f.at(2);
  if (status != "A" && status != "V") f.fail("status", f.quoted(2) + " is not A or V");
  const auto tod = f.time_of_day(1);
  if (tod && !f.at(9).empty()) r.time = f.date(9) + *tod;
  r.point = f.point(3);
  if (const auto kn = f.number(7, "speed")) r.speed_mps = static_cast<float>(*kn * kMpsPerKnot);
  if (const auto course = f.number(8, "course")) {
    if (*course > 360.0) f.fail("course", f.quoted(8) + " is more than 360 degrees");
    r.course_deg = static_cast<float>(std::fmod(*course, 360.0));
  }
  const auto mode = f.at(12);
  r.valid = status == "A" && mode != "N";
  if (r.valid && !r.point) f.fail("lat", "missing in a valid fix");
  if (r.valid && !r.time) f.fail(tod ? "date" : "time", "missing in a valid fix");
  return r;
}

GgaSentence parse_gga(const Fields& f) {
  // 1 time, 2-3 lat, 4-5 lon, 6 quality, 7 satellites, 8 HDOP, 9-10 altitude, 11-12 geoid separation,
  // 13 DGPS age, 14 DGPS station.
  if (f.size() < 9) f.fail("fields", "has " + std::to_string(f.size() - 1) + " fields, GGA needs at least 8");
  GgaSentence g;
  g.talker = std::string(f.at(0).substr(0, 2));
  g.time_of_day = f.time_of_day(1);
  g.point = f.point(2);
  const auto quality = f.integer(6, "quality");
  if (!quality || *quality > 9) f.fail("quality", f.quoted(6) + " is not a fix quality 0..9");
  g.quality = *quality;
  g.satellites = f.integer(7, "satellites").value_or(0);
  if (const auto hdop = f.number(8, "hdop"); hdop && *hdop > 0) g.hdop = static_cast<float>(*hdop);
  if (g.quality > 0 && !g.point) f.fail("lat", "missing in a fix");
  return g;
}

Duration time_of_day(TimePoint t) {
  return t - std::chrono::floor<std::chrono::days>(t);
}

}  // namespace

std::uint8_t nmea_checksum(std::string_view body) {
  std::uint8_t sum = 0;
  for (const char c : body) sum = static_cast<std::uint8_t>(sum ^ static_cast<std::uint8_t>(c));
  return sum;
}

std::string nmea_sentence(std::string_view body) {
  char hex[3];
  std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned>(nmea_checksum(body)));
  return "$" + std::string(body) + "*" + hex;
}

std::optional<NmeaSentence> parse_nmea(std::string_view line) {
  const auto s = trim(line);
  if (s.empty() || s[0] != '$') throw_invalid("nmea", "a sentence starts with '$'");
  const auto star = s.rfind('*');
  if (star == std::string_view::npos) throw_invalid("nmea.checksum", "missing: the sentence is truncated");
  if (star + 3 != s.size() || hex_value(s[star + 1]) < 0 || hex_value(s[star + 2]) < 0)
    throw_invalid("nmea.checksum", "'*' must be followed by exactly two hex digits");
  const auto body = s.substr(1, star - 1);
  for (const char c : body) {
    if (c == '$' || c == '*') throw_invalid("nmea", "two sentences run together");
    if (c < 0x20 || c > 0x7e) throw_invalid("nmea", "contains a control or non-ASCII character");
  }
  const int expected = hex_value(s[star + 1]) * 16 + hex_value(s[star + 2]);
  if (const int actual = nmea_checksum(body); actual != expected) {
    char msg[64];
    std::snprintf(msg, sizeof msg, "is %02X, the sentence says %02X", static_cast<unsigned>(actual),
                  static_cast<unsigned>(expected));
    throw_invalid("nmea.checksum", msg);
  }
  auto fields = split(body);
  const auto address = fields[0];
  if (address.size() < 2) throw_invalid("nmea.address", "'" + std::string(address) + "' is too short");
  if (address[0] == 'P') return std::nullopt;  // proprietary
  if (address.size() != 5) throw_invalid("nmea.address", "'" + std::string(address) + "' is not a talker and type");
  const auto type = std::string(address.substr(2));
  if (type == "RMC") return parse_rmc(Fields(type, std::move(fields)));
  if (type == "GGA") return parse_gga(Fields(type, std::move(fields)));
  return std::nullopt;
}

float accuracy_from_hdop(float hdop) {
  return hdop * kUereM;
}

std::optional<PositionFix> NmeaFixAssembler::add(const NmeaSentence& sentence) {
  if (const auto* rmc = std::get_if<RmcSentence>(&sentence)) return add_rmc(*rmc);
  return add_gga(std::get<GgaSentence>(sentence));
}

std::optional<PositionFix> NmeaFixAssembler::add_rmc(const RmcSentence& rmc) {
  std::optional<PositionFix> out = flush();  // an RMC still pending had no GGA: its epoch is over
  if (!rmc.valid) return out;
  const bool same_epoch = last_gga_ && last_gga_->time_of_day && *last_gga_->time_of_day == time_of_day(*rmc.time);
  if (!same_epoch || out) {
    pending_rmc_ = rmc;  // its GGA may follow
    return out;
  }
  if (last_gga_->quality == 0) return std::nullopt;  // the receiver says no fix after all
  return make_fix(rmc, last_gga_->hdop);
}

std::optional<PositionFix> NmeaFixAssembler::add_gga(const GgaSentence& gga) {
  std::optional<PositionFix> out;
  if (pending_rmc_) {
    if (gga.time_of_day && *gga.time_of_day == time_of_day(*pending_rmc_->time)) {
      if (gga.quality > 0) out = make_fix(*pending_rmc_, gga.hdop);
      pending_rmc_.reset();
    } else {
      out = flush();
    }
  }
  last_gga_ = gga;
  return out;
}

std::optional<PositionFix> NmeaFixAssembler::flush() {
  if (!pending_rmc_) return std::nullopt;
  auto fix = make_fix(*pending_rmc_, recent_hdop(*pending_rmc_));
  pending_rmc_.reset();
  return fix;
}

std::optional<float> NmeaFixAssembler::recent_hdop(const RmcSentence& rmc) const {
  if (!last_gga_ || !last_gga_->time_of_day || !last_gga_->hdop || last_gga_->quality == 0) return std::nullopt;
  auto age = time_of_day(*rmc.time) - *last_gga_->time_of_day;
  if (age < Duration::zero()) age += kDay;  // across midnight
  if (age > kHdopMaxAge) return std::nullopt;
  return last_gga_->hdop;
}

PositionFix NmeaFixAssembler::make_fix(const RmcSentence& rmc, std::optional<float> hdop) const {
  PositionFix fix;
  fix.point = *rmc.point;
  fix.accuracy_m = hdop ? accuracy_from_hdop(*hdop) : kUnknownAccuracyM;
  fix.speed_mps = rmc.speed_mps;
  fix.heading_deg = rmc.course_deg;
  fix.fix_time = *rmc.time;
  return fix;
}

}  // namespace linecrew::position
