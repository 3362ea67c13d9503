#include "linecrew/core/policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"
#include "linecrew/core/phone.h"
#include "linecrew/core/text.h"

namespace linecrew {

namespace {

[[noreturn]] void fail(std::string_view source, const std::string& key, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, std::string(source), key.empty() ? what : key + ": " + what);
}

// Bounds of read_minutes, in its type.
constexpr long kMinutesPerHour = 60;
constexpr long kMinutesPerDay = 24 * kMinutesPerHour;

// A whole number of minutes within [lo, hi]; `path` is the key as named in errors.
Duration read_minutes(const nlohmann::json& v, const std::string& path, std::string_view source, long lo, long hi) {
  if (!v.is_number_integer()) fail(source, path, "must be a whole number of minutes");
  const long m = v.get<long>();
  if (m < lo || m > hi)
    fail(source, path, std::to_string(m) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return minutes(m);
}

// "HH:MM" -> offset from midnight.
Duration read_clock_time(const nlohmann::json& v, const std::string& key, std::string_view source) {
  if (!v.is_string()) fail(source, key, "must be a time of day \"HH:MM\"");
  const std::string s = v.get<std::string>();
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) || !isdigit(s[4]))
    fail(source, key, "'" + s + "' is not \"HH:MM\"");
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) fail(source, key, "'" + s + "' is not a time of day");
  return hours(h) + minutes(m);
}

DailyWindow read_window(const nlohmann::json& obj, const std::string& key, std::string_view source) {
  const auto& v = obj.at(key);
  if (!v.is_array() || v.size() != 2) fail(source, key, "must be [\"HH:MM\", \"HH:MM\"]");
  DailyWindow w{read_clock_time(v[0], key + "[0]", source), read_clock_time(v[1], key + "[1]", source)};
  if (w.end <= w.start) fail(source, key, "the end must be after the start");
  return w;
}

}  // namespace

bool ServicePolicy::non_urgent_call_allowed(TimePoint t) const {
  const TimePoint local = t + utc_offset;
  const Duration of_day = local - std::chrono::floor<std::chrono::days>(local);
  const bool in_hours = of_day >= contact_hours.start && of_day < contact_hours.end;
  const bool in_break = of_day >= contact_break.start && of_day < contact_break.end;
  return in_hours && !in_break;
}

TimePoint ServicePolicy::next_non_urgent_call(TimePoint t) const {
  if (non_urgent_call_allowed(t)) return t;
  TimePoint m = std::chrono::ceil<std::chrono::minutes>(t);
  for (int i = 0; i < 24 * 60 && !non_urgent_call_allowed(m); ++i) m += minutes(1);
  return m;
}

ServicePolicy ServicePolicy::from_json(std::string_view text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number too large
    fail(source, "", std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) fail(source, "", "expected a JSON object");
  static const std::set<std::string> kKeys = {"arrival_limit_minutes",
                                              "outside_zone_class",
                                              "delay_call_lead_minutes",
                                              "utc_offset_minutes",
                                              "contact_hours",
                                              "contact_break",
                                              "follow_up_due_minutes",
                                              "disconnection_notice_minutes",
                                              "stalled_after_minutes",
                                              "default_service_minutes",
                                              "skills",
                                              "company_name",
                                              "phone_region",
                                              "eta_change_threshold_minutes",
                                              "notify_max_per_hour",
                                              "eta_window_minutes",
                                              "tracking_retention_days",
                                              "report_max_age_days",
                                              "booking_horizon_days",
                                              "fault_link_auto",
                                              "fault_link_distance_m",
                                              "fault_link_window_minutes",
                                              "fault_link_auto_confidence",
                                              "comment"};
  for (const auto& [key, _] : doc.items())
    if (!kKeys.count(key)) fail(source, key, "unknown key");

  ServicePolicy p;
  if (doc.contains("arrival_limit_minutes")) {
    const auto& lim = doc["arrival_limit_minutes"];
    if (!lim.is_object()) fail(source, "arrival_limit_minutes", "must be an object {urban, rural, remote}");
    for (const auto& [key, _] : lim.items())
      if (!parse_zone_class(key))
        fail(source, "arrival_limit_minutes." + key, "unknown zone class (urban, rural, remote)");
    for (const ZoneClass z : kAllZoneClasses) {
      const std::string name(to_string(z));
      if (lim.contains(name))
        p.arrival_limit[static_cast<std::size_t>(z)] =
            read_minutes(lim[name], "arrival_limit_minutes." + name, source, 1, kMinutesPerDay);
    }
  }
  if (doc.contains("outside_zone_class")) {
    const auto& v = doc["outside_zone_class"];
    const auto z = v.is_string() ? parse_zone_class(v.get<std::string>()) : std::nullopt;
    if (!z) fail(source, "outside_zone_class", "must be \"urban\", \"rural\" or \"remote\"");
    p.outside_zone_class = *z;
  }
  if (doc.contains("delay_call_lead_minutes"))
    p.delay_call_lead = read_minutes(doc["delay_call_lead_minutes"], "delay_call_lead_minutes", source, 1, 120);
  if (doc.contains("utc_offset_minutes"))
    p.utc_offset = read_minutes(doc["utc_offset_minutes"], "utc_offset_minutes", source, -14 * kMinutesPerHour,
                                14 * kMinutesPerHour);
  if (doc.contains("contact_hours")) p.contact_hours = read_window(doc, "contact_hours", source);
  if (doc.contains("contact_break")) p.contact_break = read_window(doc, "contact_break", source);
  if (doc.contains("follow_up_due_minutes"))
    p.follow_up_due =
        read_minutes(doc["follow_up_due_minutes"], "follow_up_due_minutes", source, 1, 30 * kMinutesPerDay);
  if (doc.contains("disconnection_notice_minutes"))
    p.disconnection_notice = read_minutes(doc["disconnection_notice_minutes"], "disconnection_notice_minutes", source,
                                          0, 90 * kMinutesPerDay);
  if (doc.contains("stalled_after_minutes"))
    p.stalled_after =
        read_minutes(doc["stalled_after_minutes"], "stalled_after_minutes", source, 1, 7 * kMinutesPerDay);
  if (doc.contains("eta_change_threshold_minutes"))
    p.notify.eta_change_threshold =
        read_minutes(doc["eta_change_threshold_minutes"], "eta_change_threshold_minutes", source, 1, kMinutesPerDay);
  if (doc.contains("notify_max_per_hour")) {
    const auto& v = doc["notify_max_per_hour"];
    if (!v.is_number_integer() || v.get<long>() < 1 || v.get<long>() > 60)
      fail(source, "notify_max_per_hour", "must be a whole number in [1, 60]");
    p.notify.max_per_hour = v.get<std::uint32_t>();
  }
  if (doc.contains("eta_window_minutes")) {
    const auto& v = doc["eta_window_minutes"];
    if (!v.is_array() || v.size() != 2) fail(source, "eta_window_minutes", "must be [before, after] in minutes");
    p.notify.window_before = read_minutes(v[0], "eta_window_minutes[0]", source, 0, 240);
    p.notify.window_after = read_minutes(v[1], "eta_window_minutes[1]", source, 0, 240);
  }
  const auto read_days = [&](const char* key, long lo, long hi, Duration& out) {
    if (!doc.contains(key)) return;
    const auto& v = doc[key];
    if (!v.is_number_integer() || v.get<long>() < lo || v.get<long>() > hi)
      fail(source, key, "must be a whole number of days in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    out = hours(24 * v.get<long>());
  };
  read_days("tracking_retention_days", 1, 365, p.notify.tracking_retention);
  read_days("report_max_age_days", 1, 365, p.max_report_age);
  read_days("booking_horizon_days", 1, 3660, p.booking_horizon);
  if (doc.contains("fault_link_auto")) {
    if (!doc["fault_link_auto"].is_boolean()) fail(source, "fault_link_auto", "must be true or false");
    p.fault_link.automatic = doc["fault_link_auto"].get<bool>();
  }
  const auto read_number = [&](const char* key, double hi, const char* range, double& out) {
    if (!doc.contains(key)) return;
    const auto& v = doc[key];
    if (!v.is_number() || !(v.get<double>() > 0) || v.get<double>() > hi)
      fail(source, key, std::string("must be a number in ") + range);
    out = v.get<double>();
  };
  read_number("fault_link_distance_m", 5000, "(0, 5000]", p.fault_link.distance_m);
  read_number("fault_link_auto_confidence", 1, "(0, 1]", p.fault_link.auto_confidence);
  if (doc.contains("fault_link_window_minutes"))
    p.fault_link.window =
        read_minutes(doc["fault_link_window_minutes"], "fault_link_window_minutes", source, 1, kMinutesPerDay);
  if (doc.contains("default_service_minutes"))
    p.default_service =
        read_minutes(doc["default_service_minutes"], "default_service_minutes", source, 1, kMinutesPerDay);
  if (doc.contains("skills")) {
    const auto& v = doc["skills"];
    if (!v.is_array() || v.empty() || v.size() > 64) fail(source, "skills", "must be a list of 1 to 64 skills");
    p.skills.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string key = "skills[" + std::to_string(i) + "]";
      if (!v[i].is_string()) fail(source, key, "must be a string");
      try {
        validate_skill(v[i].get<std::string>(), key);
      } catch (const Error& e) {
        fail(source, key, e.message());
      }
      if (std::find(p.skills.begin(), p.skills.end(), v[i].get<std::string>()) != p.skills.end())
        fail(source, key, "duplicate skill");
      p.skills.push_back(v[i].get<std::string>());
    }
  }
  if (doc.contains("company_name")) {
    const auto& v = doc["company_name"];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 100)
      fail(source, "company_name", "must be a string of 1 to 100 characters");
    p.company_name = v.get<std::string>();
  }
  if (doc.contains("phone_region")) {
    const auto& v = doc["phone_region"];
    if (!v.is_string()) fail(source, "phone_region", "must be a region code such as \"CN\"");
    const std::string region = v.get<std::string>();
    if (!known_phone_region(region))
      fail(source, "phone_region",
           quote_capped(region) +
               " is not a region libphonenumber knows (ISO 3166-1 alpha-2 in upper case, e.g. \"CN\")");
    p.phone_region = region;
  }
  return p;
}

void ServicePolicy::require_known_skill(const std::string& skill, const std::string& field) const {
  if (std::find(skills.begin(), skills.end(), skill) == skills.end())
    throw_invalid(field, "unknown skill '" + skill + "' (the policy's catalogue has " + std::to_string(skills.size()) +
                             " skills)");
}

ServicePolicy ServicePolicy::load_file(const std::string& path) {
  return from_json(read_text_file(path), path);
}

}  // namespace linecrew
