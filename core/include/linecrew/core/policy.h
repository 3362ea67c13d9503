// The service policy: every configurable figure of the rules, with the rules'
// defaults. Loaded from a JSON policy file; unknown keys and bad values stop
// the load with an error naming the file and the key.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/time.h"
#include "linecrew/core/zone_class.h"

namespace linecrew {

// A daily window of local time, [start, end), as offsets from local midnight.
struct DailyWindow {
  Duration start;
  Duration end;
};

// Customer ETA updates (issue 6).
struct NotifyPolicy {
  // An ETA that moved less than this since the one last told sends nothing.
  Duration eta_change_threshold = minutes(10);
  // At most this many messages per ticket in any hour (agreed times and
  // cancellations are exempt).
  std::uint32_t max_per_hour = 4;
  // The window told around an ETA: [eta - before, eta + after].
  Duration window_before = minutes(10);
  Duration window_after = minutes(20);
  // A tracking link stays valid this long after the ticket is closed or cancelled.
  Duration tracking_retention = hours(24 * 7);
};

// When intake links a report to an open ticket as the same fault (fault.h).
struct FaultLinkPolicy {
  // Link at or above auto_confidence without the desk. Off unless the policy
  // file turns it on (the shipped one does): merging customers' tickets is a
  // utility's decision.
  bool automatic = false;
  double distance_m = 300;       // farther apart: never the same fault
  Duration window = hours(2);    // first contacts farther apart: never
  double auto_confidence = 0.7;  // in (0, 1]; below it (and above 0) intake only suggests
};

struct ServicePolicy {
  // Arrival limit by zone class, indexed by ZoneClass (rules §1).
  std::array<Duration, 3> arrival_limit = {minutes(45), minutes(90), minutes(120)};
  // The class of a point in no zone polygon (rules §1: urban, the strictest).
  ZoneClass outside_zone_class = ZoneClass::kUrban;
  // How long before the predicted breach becomes unavoidable the handheld
  // prompts the delay call (rules §2.5).
  Duration delay_call_lead = minutes(10);
  // Local time zone of the utility, east of UTC (scripts, quiet hours).
  Duration utc_offset = hours(8);
  // Non-urgent outbound calls only inside this window, outside the break
  // (rules §4); delay calls are exempt.
  DailyWindow contact_hours = {hours(8), hours(20)};
  DailyWindow contact_break = {hours(12), hours(14)};
  Duration follow_up_due = hours(48);
  Duration disconnection_notice = hours(24 * 7);
  Duration stalled_after = hours(2);
  // Expected work on site when a ticket does not say.
  Duration default_service = minutes(30);
  // The utility's skill catalogue: tickets and crews may name only these.
  std::vector<std::string> skills = {"lv_cable", "hv_switching", "meter", "transformer", "tree_clearing"};
  // The utility's name, read out in the delay-call introduction (rules §3).
  std::string company_name = "国网供电服务";
  // The region a phone number without "+" belongs to (customers' phones,
  // crews' callback numbers): "13800138000" in CN is +8613800138000. A region
  // libphonenumber knows, ISO 3166-1 alpha-2 in upper case (phone.h).
  std::string phone_region = "CN";
  // How far in the future a reported first-contact time may lie (clock skew).
  Duration max_clock_skew = minutes(5);
  // How far in the past a reported first-contact time may lie: a report
  // entered late from a paper log, not a time from another era.
  Duration max_report_age = hours(24 * 7);
  // Booked times (appointments, earliest starts, committed returns, agreed
  // arrivals) lie within this distance of now.
  Duration booking_horizon = hours(24 * 366);
  NotifyPolicy notify;
  // One fault, many callers (rules §7): a new fault report within this
  // distance and time of an open one may be the same fault (fault.h).
  FaultLinkPolicy fault_link;

  Duration limit(ZoneClass zone) const { return arrival_limit[static_cast<std::size_t>(zone)]; }
  // The arrival deadline: first contact + limit. "Not exceeding": arriving
  // exactly at the deadline is on time.
  TimePoint deadline(TimePoint first_contact, ZoneClass zone) const { return first_contact + limit(zone); }
  // Whether a non-urgent call may be made at `t` (rules §4).
  bool non_urgent_call_allowed(TimePoint t) const;
  // The earliest time at or after `t` when it is: `t` itself when allowed,
  // else the next whole minute inside contact hours (at most a day ahead).
  TimePoint next_non_urgent_call(TimePoint t) const;
  // Throws Error(kInvalidArgument, field) unless `skill` is in the catalogue.
  void require_known_skill(const std::string& skill, const std::string& field) const;

  static ServicePolicy from_json(std::string_view text, std::string_view source);
  static ServicePolicy load_file(const std::string& path);
};

}  // namespace linecrew
