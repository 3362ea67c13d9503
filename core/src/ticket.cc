#include "linecrew/core/ticket.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/limits.h"
#include "linecrew/core/phone.h"
#include "linecrew/core/text.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, 4> kChannels = {"hotline", "service_counter", "app", "web"};
constexpr std::array<std::string_view, 4> kKinds = {"fault_repair", "scheduled_visit", "return_visit", "disconnection"};
constexpr std::array<std::string_view, 4> kDeliveries = {"in_person", "posted_at_premises", "registered_mail", "sms"};

// A disconnection carries its delivered notice; no other kind has one.
void check_notice(const TicketDraft& d, const ServicePolicy& policy, TimePoint now) {
  if (d.kind != TicketKind::kDisconnection) {
    if (d.notice) throw_invalid("disconnection_notice", "only a disconnection carries a notice");
    return;
  }
  if (!d.notice) throw_invalid("disconnection_notice", "is required for a disconnection (when, how, by whom)");
  if (d.notice->delivered > now + policy.max_clock_skew)
    throw_invalid("disconnection_notice.delivered_time", format_utc(d.notice->delivered) + " is in the future");
  if (d.notice->delivered < now - policy.booking_horizon)
    throw_invalid("disconnection_notice.delivered_time", format_utc(d.notice->delivered) + " is more than " +
                                                             std::to_string(policy.booking_horizon / hours(24)) +
                                                             " days ago (booking_horizon_days)");
  check_length(d.notice->delivered_by, limit::kNoticeDeliveredBy, "disconnection_notice.delivered_by");
}

}  // namespace

std::string_view to_string(Channel channel) {
  return enum_name(kChannels, channel);
}
std::optional<Channel> parse_channel(std::string_view text) {
  return enum_from<Channel>(kChannels, text);
}
std::string_view to_string(TicketKind kind) {
  return enum_name(kKinds, kind);
}
std::optional<TicketKind> parse_ticket_kind(std::string_view text) {
  return enum_from<TicketKind>(kKinds, text);
}
std::string_view to_string(NoticeDelivery method) {
  return enum_name(kDeliveries, method);
}
std::optional<NoticeDelivery> parse_notice_delivery(std::string_view text) {
  return enum_from<NoticeDelivery>(kDeliveries, text);
}

Ticket intake(const TicketDraft& d, const ZoneMap& zones, const ServicePolicy& policy, TimePoint now) {
  validate_id(d.client_request_id, "client_request_id");
  check_length(d.customer.name, limit::kCustomerName, "customer.name");
  Ticket t;
  t.client_request_id = d.client_request_id;
  t.fingerprint = fingerprint(d);
  t.customer = {d.customer.name, normalise_phone(d.customer.phone, policy.phone_region, "customer.phone"),
                d.customer.language.empty() ? "zh-CN" : d.customer.language};
  if (t.customer.language != "zh-CN" && t.customer.language != "en")
    throw_invalid("customer.language", "'" + t.customer.language + "' is not zh-CN or en");
  if (!d.location) throw_invalid("location", "is required");
  t.location = *d.location;
  check_length(d.address, limit::kAddress, "address");
  t.address = d.address;
  if (d.priority > 9) throw_invalid("priority", std::to_string(d.priority) + " is outside [0, 9]");
  t.priority = d.priority;
  if (!d.channel) throw_invalid("first_contact_channel", "is required");
  t.channel = *d.channel;
  t.first_contact = d.first_contact.value_or(now);
  if (t.first_contact > now + policy.max_clock_skew)
    throw_invalid("first_contact_time", format_utc(t.first_contact) + " is in the future");
  if (t.first_contact < now - policy.max_report_age)
    throw_invalid("first_contact_time", format_utc(t.first_contact) + " is more than " +
                                            std::to_string(policy.max_report_age / hours(24)) +
                                            " days ago (the policy's report_max_age_days)");
  const auto check_booking = [&](const std::optional<TimePoint>& time, const char* field) {
    if (!time) return;
    if (*time > now + policy.booking_horizon || *time < now - policy.booking_horizon)
      throw_invalid(field, format_utc(*time) + " is more than " + std::to_string(policy.booking_horizon / hours(24)) +
                               " days from now (the policy's booking_horizon_days)");
  };
  check_booking(d.appointment, "appointment_time");
  check_booking(d.earliest_start, "earliest_start");
  if (d.service_duration && (*d.service_duration <= Duration{0} || *d.service_duration > hours(24)))
    throw_invalid("service_duration", "must be in (0, 24 h]");
  t.service_duration = d.service_duration.value_or(policy.default_service);
  if (d.required_skills.size() > 20) throw_invalid("required_skills", "at most 20 skills");
  for (std::size_t i = 0; i < d.required_skills.size(); ++i) {
    validate_skill(d.required_skills[i], "required_skills[" + std::to_string(i) + "]");
    policy.require_known_skill(d.required_skills[i], "required_skills[" + std::to_string(i) + "]");
  }
  t.required_skills = d.required_skills;
  check_length(d.description, limit::kDescription, "description");
  t.description = d.description;
  t.kind = d.kind;
  t.earliest_start = d.earliest_start;
  t.appointment = d.appointment;
  check_notice(d, policy, now);
  t.notice = d.notice;
  t.parent = d.parent;

  const ZoneMatch zone = zones.locate(t.location);
  t.zone_class = zone.zone_class;
  t.zone_name = zone.zone_name;
  switch (t.kind) {
    case TicketKind::kFaultRepair:
      if (t.appointment) throw_invalid("appointment_time", "must be unset for a fault repair");
      t.deadline = policy.deadline(t.first_contact, t.zone_class);
      break;
    case TicketKind::kScheduledVisit:
    case TicketKind::kReturnVisit:
      if (!t.appointment) throw_invalid("appointment_time", "is required for a " + std::string(to_string(t.kind)));
      if (*t.appointment <= t.first_contact) throw_invalid("appointment_time", "must be after the first contact");
      t.deadline = *t.appointment;
      break;
    case TicketKind::kDisconnection: {
      // Rules §7: the notice decides the earliest start, whatever the client sent.
      const TimePoint notice_end = t.notice->delivered + policy.disconnection_notice;
      if (!t.earliest_start) t.earliest_start = notice_end;
      if (*t.earliest_start < notice_end)
        throw_invalid("earliest_start", format_utc(*t.earliest_start) + " is before the notice period ends: notice " +
                                            format_utc(t.notice->delivered) + " + " +
                                            std::to_string(policy.disconnection_notice / hours(24)) +
                                            " days = " + format_utc(notice_end));
      if (!t.appointment) throw_invalid("appointment_time", "is required for a disconnection");
      if (*t.appointment < *t.earliest_start) throw_invalid("appointment_time", "must not precede earliest_start");
      t.deadline = *t.appointment;
      break;
    }
  }
  if (t.earliest_start && *t.earliest_start > t.deadline)
    throw_invalid("earliest_start", "is after the deadline " + format_utc(t.deadline));
  t.status = TicketStatus::kReported;
  t.created = now;
  std::string detail = "via " + std::string(to_string(t.channel)) + ", zone " + std::string(to_string(t.zone_class));
  if (zone.defaulted) detail += " (in no zone polygon: policy default)";
  t.timeline.push_back({t.first_contact, "reported", "system", detail});
  return t;
}

std::vector<std::string> closeout_missing(const Ticket& t) {
  std::vector<std::string> missing;
  for (const char* needed : {"cause_found", "explained_to_customer"}) {
    const bool found =
        std::any_of(t.timeline.begin(), t.timeline.end(), [&](const TicketEvent& e) { return e.kind == needed; });
    if (!found) missing.emplace_back(needed);
  }
  return missing;
}

bool settle_return_visit(Ticket& parent, const Ticket& child, TimePoint now) {
  if (child.parent != parent.id || parent.status != TicketStatus::kReturnVisitOwed || !is_terminal(child.status))
    return false;
  require_transition(parent.status, TicketStatus::kClosed, Actor::kSystem);
  parent.status = TicketStatus::kClosed;
  parent.timeline.push_back(
      {now, "closed", "system", "return visit " + child.id.str() + " " + std::string(to_string(child.status))});
  return true;
}

std::optional<std::string> too_early_to_start(TicketKind kind, std::optional<TimePoint> earliest_start,
                                              TimePoint when) {
  if (kind != TicketKind::kDisconnection || !earliest_start || when >= *earliest_start) return std::nullopt;
  return "earliest_start: a disconnection may not start before " + format_utc(*earliest_start);
}

std::optional<std::string> too_early_to_start(const Ticket& t, TimePoint when) {
  auto why = too_early_to_start(t.kind, t.earliest_start, when);
  if (why && t.notice) *why += " (notice delivered " + format_utc(t.notice->delivered) + ")";
  return why;
}

std::string fingerprint(const TicketDraft& d) {
  // FNV-1a 64 over a canonical rendering of every field the caller sent.
  std::string canon;
  const auto add = [&](std::string_view s) {
    canon += std::to_string(s.size());
    canon += ':';
    canon += s;
  };
  const auto add_time = [&](const std::optional<TimePoint>& t) {
    add(t ? std::to_string(t->time_since_epoch().count()) : "-");
  };
  add(d.client_request_id);
  add(d.customer.name);
  add(d.customer.phone);
  add(d.customer.language);
  if (d.location) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9f,%.9f", d.location->lat(), d.location->lon());
    add(buf);
  } else {
    add("-");
  }
  add(d.address);
  add(std::to_string(d.priority));
  add_time(d.first_contact);
  add(d.channel ? to_string(*d.channel) : "-");
  add_time(d.earliest_start);
  add(d.service_duration ? std::to_string(d.service_duration->count()) : "-");
  for (const auto& s : d.required_skills) add(s);
  add(to_string(d.kind));
  add_time(d.appointment);
  add(d.description);
  if (!d.parent.empty()) add("parent:" + d.parent.str());  // only when present, as below
  if (d.notice) {                                          // only when present: earlier drafts keep their digest
    add_time(d.notice->delivered);
    add(to_string(d.notice->method));
    add(d.notice->delivered_by);
  }
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : canon) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace linecrew
