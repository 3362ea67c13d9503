#include "scenario.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"

namespace linecrew::sim {

std::string_view to_string(Answer a) {
  switch (a) {
    case Answer::kConsent:
      return "consent";
    case Answer::kRefuse:
      return "refuse";
    case Answer::kUnreachable:
      return "unreachable";
  }
  return "consent";
}

namespace {

using nlohmann::json;

// Bounds of the minute fields, in integer_in's type.
constexpr std::int64_t kMinutesPerDay = std::int64_t{24} * 60;

// Reads one JSON object, naming the file and the field path in every error.
class Reader {
 public:
  Reader(const json& j, std::string source, std::string path)
      : j_(j), source_(std::move(source)), path_(std::move(path)) {
    if (!j_.is_object()) fail("", "must be an object");
  }

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw Error(ErrorCode::kInvalidArgument, source_ + ": " + field(key), message);
  }
  std::string field(const std::string& key) const {
    if (key.empty()) return path_.empty() ? "(top level)" : path_;
    return path_.empty() ? key : path_ + "." + key;
  }
  bool has(const std::string& key) const { return j_.contains(key); }
  // Every key present must be one of `known`.
  void only(std::initializer_list<std::string_view> known) const {
    for (const auto& [k, v] : j_.items())
      if (std::find(known.begin(), known.end(), k) == known.end()) fail(k, "unknown key");
  }
  const json& at(const std::string& key) const {
    if (!j_.contains(key)) fail(key, "is required");
    return j_.at(key);
  }
  std::string str(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }
  std::string str_or(const std::string& key, std::string def) const { return has(key) ? str(key) : std::move(def); }
  double num(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number()) fail(key, "must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(key, "must be finite");
    return d;
  }
  double num_in(const std::string& key, double lo, double hi) const {
    const double d = num(key);
    if (d < lo || d > hi)
      fail(key, std::to_string(d) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return d;
  }
  std::int64_t integer_in(const std::string& key, std::int64_t lo, std::int64_t hi) const {
    const auto& v = at(key);
    if (!v.is_number_integer()) fail(key, "must be an integer");
    const auto n = v.get<std::int64_t>();
    if (n < lo || n > hi)
      fail(key, std::to_string(n) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return n;
  }
  TimePoint time(const std::string& key) const {
    const std::string text = str(key);
    try {
      return parse_utc(text, key);
    } catch (const Error&) {
      fail(key, "'" + text + "' is not an ISO 8601 time like 2026-11-22T14:05:00+08:00");
    }
  }
  GeoPoint point(const std::string& lat_key, const std::string& lon_key) const {
    const double lat = num_in(lat_key, -90, 90), lon = num_in(lon_key, -180, 180);
    return GeoPoint(lat, lon);
  }
  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    if (!has(key)) return out;
    const auto& v = at(key);
    if (!v.is_array()) fail(key, "must be an array of strings");
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string() || v[i].get<std::string>().empty())
        fail(key + "[" + std::to_string(i) + "]", "must be a non-empty string");
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }
  // Each element of the array `key` as a Reader.
  template <class F>
  void each(const std::string& key, F&& f) const {
    if (!has(key)) return;
    const auto& v = at(key);
    if (!v.is_array()) fail(key, "must be an array");
    for (std::size_t i = 0; i < v.size(); ++i) f(Reader(v[i], source_, field(key) + "[" + std::to_string(i) + "]"), i);
  }

 private:
  const json& j_;
  std::string source_;
  std::string path_;
};

Answer parse_answer(const Reader& r, const std::string& key) {
  const std::string s = r.str_or(key, "consent");
  if (s == "consent") return Answer::kConsent;
  if (s == "refuse") return Answer::kRefuse;
  if (s == "unreachable") return Answer::kUnreachable;
  r.fail(key, "'" + s + "': consent, refuse or unreachable");
}

}  // namespace

std::vector<std::vector<std::size_t>> multi_caller_faults(const Scenario& s) {
  std::map<std::uint32_t, std::vector<std::size_t>> by_fault;
  for (std::size_t i = 0; i < s.tickets.size(); ++i)
    if (s.tickets[i].fault) by_fault[*s.tickets[i].fault].push_back(i);
  std::vector<std::vector<std::size_t>> out;
  for (auto& [fault, calls] : by_fault)
    if (calls.size() >= 2) out.push_back(std::move(calls));
  return out;
}

double Scenario::slowdown_at(const GeoPoint& p, TimePoint t) const {
  double f = 1.0;
  for (const auto& e : traffic)
    if (t >= e.from && t < e.to && e.factor > f && distance_m(p, e.center) <= e.radius_km * 1000.0) f = e.factor;
  return f;
}

Scenario parse_scenario(std::string_view text, const std::string& source, const std::string& base_dir) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(ErrorCode::kInvalidArgument, source, std::string("not valid JSON: ") + e.what());
  }
  const Reader top(doc, source, "");
  top.only({"comment", "name", "seed", "start", "duration_minutes", "drain_minutes", "step_seconds",
            "sync_interval_seconds", "zones_file", "crews", "tickets", "traffic", "connectivity_gaps"});
  Scenario s;
  s.name = top.str_or("name", "storm");
  if (top.has("seed")) s.seed = static_cast<std::uint64_t>(top.integer_in("seed", 0, INT64_MAX));
  s.start = top.time("start");
  s.duration = minutes(top.integer_in("duration_minutes", 1, 7 * kMinutesPerDay));
  if (top.has("drain_minutes")) s.drain = minutes(top.integer_in("drain_minutes", 0, kMinutesPerDay));
  if (top.has("step_seconds")) s.step = seconds(top.integer_in("step_seconds", 1, 3600));
  if (top.has("sync_interval_seconds")) s.sync_interval = seconds(top.integer_in("sync_interval_seconds", 1, 3600));
  s.zones_file = top.str("zones_file");
  if (std::filesystem::path(s.zones_file).is_relative())
    s.zones_file = (std::filesystem::path(base_dir) / s.zones_file).lexically_normal().string();

  std::set<std::string> crew_ids;
  top.each("crews", [&](const Reader& r, std::size_t) {
    r.only({"id", "lat", "lon", "shift_start", "shift_end", "skills"});
    ScenarioCrew c;
    const std::string id = r.str("id");
    try {
      c.id = CrewId(id);
    } catch (const Error& e) {
      r.fail("id", e.message());
    }
    if (id.size() > 32) r.fail("id", "at most 32 characters");
    if (!crew_ids.insert(id).second) r.fail("id", "'" + id + "' is used twice");
    c.start = r.point("lat", "lon");
    c.shift_start = r.time("shift_start");
    c.shift_end = r.time("shift_end");
    if (c.shift_end <= c.shift_start) r.fail("shift_end", "must be after shift_start");
    c.skills = r.strings("skills");
    s.crews.push_back(std::move(c));
  });
  if (s.crews.empty()) top.fail("crews", "at least one crew is required");

  std::set<std::string> keys;
  top.each("tickets", [&](const Reader& r, std::size_t) {
    r.only({"id", "report_time", "lat", "lon", "priority", "work_minutes", "channel", "skills", "answer", "fault"});
    ScenarioTicket t;
    t.key = r.str("id");
    try {
      validate_id(t.key, "id");
    } catch (const Error& e) {
      r.fail("id", e.message());
    }
    if (!keys.insert(t.key).second) r.fail("id", "'" + t.key + "' is used twice");
    t.reported = r.time("report_time");
    if (t.reported < s.start || t.reported >= s.end())
      r.fail("report_time", format_utc(t.reported) + " is outside the scenario [" + format_utc(s.start) + ", " +
                                format_utc(s.end()) + ")");
    t.location = r.point("lat", "lon");
    if (r.has("priority")) t.priority = static_cast<std::uint32_t>(r.integer_in("priority", 0, 9));
    t.work = minutes(r.integer_in("work_minutes", 1, kMinutesPerDay));
    const std::string channel = r.str_or("channel", "hotline");
    const auto ch = parse_channel(channel);
    if (!ch) r.fail("channel", "'" + channel + "': hotline, service_counter, app or web");
    t.channel = *ch;
    t.skills = r.strings("skills");
    t.answer = parse_answer(r, "answer");
    // Optional (older files have none): without it the call is a fault of its own.
    if (r.has("fault")) t.fault = static_cast<std::uint32_t>(r.integer_in("fault", 0, UINT32_MAX));
    s.tickets.push_back(std::move(t));
  });
  std::stable_sort(s.tickets.begin(), s.tickets.end(),
                   [](const ScenarioTicket& a, const ScenarioTicket& b) { return a.reported < b.reported; });

  top.each("traffic", [&](const Reader& r, std::size_t) {
    r.only({"name", "lat", "lon", "radius_km", "from", "to", "factor"});
    TrafficEvent e;
    e.name = r.str_or("name", "traffic");
    e.center = r.point("lat", "lon");
    e.radius_km = r.num_in("radius_km", 0.01, 1000);
    e.from = r.time("from");
    e.to = r.time("to");
    if (e.to <= e.from) r.fail("to", "must be after from");
    e.factor = r.num_in("factor", 1, 100);
    s.traffic.push_back(std::move(e));
  });

  top.each("connectivity_gaps", [&](const Reader& r, std::size_t) {
    r.only({"crew", "from", "to"});
    ConnectivityGap g;
    const std::string crew = r.str("crew");
    if (!crew_ids.count(crew)) r.fail("crew", "no crew '" + crew + "' in crews");
    g.crew = CrewId(crew);
    g.from = r.time("from");
    g.to = r.time("to");
    if (g.to <= g.from) r.fail("to", "must be after from");
    s.gaps.push_back(std::move(g));
  });
  return s;
}

Scenario load_scenario(const std::string& path) {
  const std::string text = read_text_file(path);
  const auto base = std::filesystem::absolute(path).parent_path().string();
  return parse_scenario(text, path, base);
}

std::string to_json(const Scenario& s) {
  json doc;
  doc["name"] = s.name;
  doc["seed"] = s.seed;
  doc["start"] = format_utc(s.start);
  doc["duration_minutes"] = std::chrono::duration_cast<minutes>(s.duration).count();
  doc["drain_minutes"] = std::chrono::duration_cast<minutes>(s.drain).count();
  doc["step_seconds"] = s.step.count();
  doc["sync_interval_seconds"] = s.sync_interval.count();
  doc["zones_file"] = s.zones_file;
  doc["crews"] = json::array();
  for (const auto& c : s.crews)
    doc["crews"].push_back({{"id", c.id.str()},
                            {"lat", c.start.lat()},
                            {"lon", c.start.lon()},
                            {"shift_start", format_utc(c.shift_start)},
                            {"shift_end", format_utc(c.shift_end)},
                            {"skills", c.skills}});
  doc["tickets"] = json::array();
  for (const auto& t : s.tickets) {
    json j = {{"id", t.key},
              {"report_time", format_utc(t.reported)},
              {"lat", t.location.lat()},
              {"lon", t.location.lon()},
              {"priority", t.priority},
              {"work_minutes", std::chrono::duration_cast<minutes>(t.work).count()},
              {"channel", std::string(to_string(t.channel))},
              {"answer", std::string(to_string(t.answer))}};
    if (!t.skills.empty()) j["skills"] = t.skills;
    if (t.fault) j["fault"] = *t.fault;
    doc["tickets"].push_back(std::move(j));
  }
  doc["traffic"] = json::array();
  for (const auto& e : s.traffic)
    doc["traffic"].push_back({{"name", e.name},
                              {"lat", e.center.lat()},
                              {"lon", e.center.lon()},
                              {"radius_km", e.radius_km},
                              {"from", format_utc(e.from)},
                              {"to", format_utc(e.to)},
                              {"factor", e.factor}});
  doc["connectivity_gaps"] = json::array();
  for (const auto& g : s.gaps)
    doc["connectivity_gaps"].push_back(
        {{"crew", g.crew.str()}, {"from", format_utc(g.from)}, {"to", format_utc(g.to)}});
  return doc.dump(1);
}

}  // namespace linecrew::sim
