#include "linecrew/server/rpc/convert.h"

#include <algorithm>
#include <cctype>

#include "linecrew/core/error.h"
#include "linecrew/core/notify.h"
#include "linecrew/core/report.h"
#include "linecrew/core/text.h"

namespace linecrew::rpc {

namespace {

// Our enums list their values in the proto's order, after UNSPECIFIED = 0;
// the static_asserts below pin every value, and the proto's last.
template <class Domain>
constexpr int proto_value(Domain d) {
  return static_cast<int>(d) + 1;
}

static_assert(proto_value(ZoneClass::kUrban) == v1::ZONE_CLASS_URBAN);
static_assert(proto_value(ZoneClass::kRural) == v1::ZONE_CLASS_RURAL);
static_assert(proto_value(ZoneClass::kRemote) == v1::ZONE_CLASS_REMOTE && v1::ZoneClass_MAX == v1::ZONE_CLASS_REMOTE);
static_assert(proto_value(TicketStatus::kReported) == v1::TICKET_STATUS_REPORTED);
static_assert(proto_value(TicketStatus::kAssigned) == v1::TICKET_STATUS_ASSIGNED);
static_assert(proto_value(TicketStatus::kAccepted) == v1::TICKET_STATUS_ACCEPTED);
static_assert(proto_value(TicketStatus::kEnRoute) == v1::TICKET_STATUS_EN_ROUTE);
static_assert(proto_value(TicketStatus::kOnSite) == v1::TICKET_STATUS_ON_SITE);
static_assert(proto_value(TicketStatus::kRestored) == v1::TICKET_STATUS_RESTORED);
static_assert(proto_value(TicketStatus::kClosed) == v1::TICKET_STATUS_CLOSED);
static_assert(proto_value(TicketStatus::kCancelled) == v1::TICKET_STATUS_CANCELLED);
static_assert(proto_value(TicketStatus::kReturnVisitOwed) == v1::TICKET_STATUS_RETURN_VISIT_OWED &&
              v1::TicketStatus_MAX == v1::TICKET_STATUS_RETURN_VISIT_OWED);
static_assert(proto_value(Channel::kHotline) == v1::CHANNEL_HOTLINE);
static_assert(proto_value(Channel::kServiceCounter) == v1::CHANNEL_SERVICE_COUNTER);
static_assert(proto_value(Channel::kApp) == v1::CHANNEL_APP);
static_assert(proto_value(Channel::kWeb) == v1::CHANNEL_WEB && v1::Channel_MAX == v1::CHANNEL_WEB);
static_assert(proto_value(TicketKind::kFaultRepair) == v1::TICKET_KIND_FAULT_REPAIR);
static_assert(proto_value(TicketKind::kScheduledVisit) == v1::TICKET_KIND_SCHEDULED_VISIT);
static_assert(proto_value(TicketKind::kReturnVisit) == v1::TICKET_KIND_RETURN_VISIT);
static_assert(proto_value(TicketKind::kDisconnection) == v1::TICKET_KIND_DISCONNECTION &&
              v1::TicketKind_MAX == v1::TICKET_KIND_DISCONNECTION);
static_assert(proto_value(DelayReason::kWeather) == v1::DELAY_REASON_WEATHER);
static_assert(proto_value(DelayReason::kTraffic) == v1::DELAY_REASON_TRAFFIC);
static_assert(proto_value(DelayReason::kPreviousJobOverran) == v1::DELAY_REASON_PREVIOUS_JOB_OVERRAN);
static_assert(proto_value(DelayReason::kEquipment) == v1::DELAY_REASON_EQUIPMENT);
static_assert(proto_value(DelayReason::kOther) == v1::DELAY_REASON_OTHER &&
              v1::DelayReason_MAX == v1::DELAY_REASON_OTHER);
static_assert(proto_value(Consent::kYes) == v1::CONSENT_YES);
static_assert(proto_value(Consent::kRefused) == v1::CONSENT_REFUSED);
static_assert(proto_value(Consent::kUnreachable) == v1::CONSENT_UNREACHABLE &&
              v1::Consent_MAX == v1::CONSENT_UNREACHABLE);
static_assert(proto_value(Role::kDispatcher) == v1::ROLE_DISPATCHER);
static_assert(proto_value(Role::kAdmin) == v1::ROLE_ADMIN);
static_assert(proto_value(Role::kCrewDevice) == v1::ROLE_CREW_DEVICE && v1::Role_MAX == v1::ROLE_CREW_DEVICE);

static_assert(proto_value(EscalationKind::kDelayCallRefused) == v1::ESCALATION_KIND_DELAY_CALL_REFUSED);
static_assert(proto_value(EscalationKind::kDelayCallUnreachable) == v1::ESCALATION_KIND_DELAY_CALL_UNREACHABLE);
static_assert(proto_value(EscalationKind::kCloseoutIncomplete) == v1::ESCALATION_KIND_CLOSEOUT_INCOMPLETE);
static_assert(proto_value(EscalationKind::kStalled) == v1::ESCALATION_KIND_STALLED);
static_assert(proto_value(EscalationKind::kFollowUpOverdue) == v1::ESCALATION_KIND_FOLLOW_UP_OVERDUE);
static_assert(proto_value(EscalationKind::kSeriousComplaint) == v1::ESCALATION_KIND_SERIOUS_COMPLAINT);
static_assert(proto_value(EscalationKind::kCrewNeedsHelp) == v1::ESCALATION_KIND_CREW_NEEDS_HELP &&
              v1::EscalationKind_MAX == v1::ESCALATION_KIND_CREW_NEEDS_HELP);
static_assert(proto_value(NoticeDelivery::kInPerson) == v1::NOTICE_DELIVERY_METHOD_IN_PERSON);
static_assert(proto_value(NoticeDelivery::kPostedAtPremises) == v1::NOTICE_DELIVERY_METHOD_POSTED_AT_PREMISES);
static_assert(proto_value(NoticeDelivery::kRegisteredMail) == v1::NOTICE_DELIVERY_METHOD_REGISTERED_MAIL);
static_assert(proto_value(NoticeDelivery::kSms) == v1::NOTICE_DELIVERY_METHOD_SMS &&
              v1::NoticeDeliveryMethod_MAX == v1::NOTICE_DELIVERY_METHOD_SMS);
static_assert(proto_value(EscalationState::kOpen) == v1::ESCALATION_STATE_OPEN);
static_assert(proto_value(EscalationState::kAcknowledged) == v1::ESCALATION_STATE_ACKNOWLEDGED);
static_assert(proto_value(EscalationState::kResolved) == v1::ESCALATION_STATE_RESOLVED &&
              v1::EscalationState_MAX == v1::ESCALATION_STATE_RESOLVED);
static_assert(proto_value(FollowUpReason::kRestoration) == v1::FOLLOW_UP_REASON_RESTORATION);
static_assert(proto_value(FollowUpReason::kCannotFix) == v1::FOLLOW_UP_REASON_CANNOT_FIX);
static_assert(proto_value(FollowUpReason::kPromise) == v1::FOLLOW_UP_REASON_PROMISE);
static_assert(proto_value(FollowUpReason::kNewRequest) == v1::FOLLOW_UP_REASON_NEW_REQUEST &&
              v1::FollowUpReason_MAX == v1::FOLLOW_UP_REASON_NEW_REQUEST);
static_assert(proto_value(FollowUpOutcome::kSatisfied) == v1::FOLLOW_UP_OUTCOME_SATISFIED);
static_assert(proto_value(FollowUpOutcome::kNotSatisfied) == v1::FOLLOW_UP_OUTCOME_NOT_SATISFIED);
static_assert(proto_value(FollowUpOutcome::kNewRequest) == v1::FOLLOW_UP_OUTCOME_NEW_REQUEST);
static_assert(proto_value(FollowUpOutcome::kUnreachable) == v1::FOLLOW_UP_OUTCOME_UNREACHABLE &&
              v1::FollowUpOutcome_MAX == v1::FOLLOW_UP_OUTCOME_UNREACHABLE);
static_assert(proto_value(ComplaintCause::kLateArrival) == v1::COMPLAINT_CAUSE_LATE_ARRIVAL);
static_assert(proto_value(ComplaintCause::kNotInformed) == v1::COMPLAINT_CAUSE_NOT_INFORMED);
static_assert(proto_value(ComplaintCause::kStaffConduct) == v1::COMPLAINT_CAUSE_STAFF_CONDUCT);
static_assert(proto_value(ComplaintCause::kRepeatFault) == v1::COMPLAINT_CAUSE_REPEAT_FAULT);
static_assert(proto_value(ComplaintCause::kPropertyDamage) == v1::COMPLAINT_CAUSE_PROPERTY_DAMAGE);
static_assert(proto_value(ComplaintCause::kOther) == v1::COMPLAINT_CAUSE_OTHER &&
              v1::ComplaintCause_MAX == v1::COMPLAINT_CAUSE_OTHER);
static_assert(proto_value(ComplaintSeverity::kOrdinary) == v1::COMPLAINT_SEVERITY_ORDINARY);
static_assert(proto_value(ComplaintSeverity::kSerious) == v1::COMPLAINT_SEVERITY_SERIOUS &&
              v1::ComplaintSeverity_MAX == v1::COMPLAINT_SEVERITY_SERIOUS);

template <class Domain, class IsValid>
std::optional<Domain> domain_value(int v, IsValid is_valid) {
  if (v == 0 || !is_valid(v)) return std::nullopt;
  return static_cast<Domain>(v - 1);
}

v1::Compliance to_proto(Compliance c) {
  switch (c) {
    case Compliance::kPending:
      return v1::COMPLIANCE_PENDING;
    case Compliance::kOnTime:
      return v1::COMPLIANCE_ON_TIME;
    case Compliance::kLateExcused:
      return v1::COMPLIANCE_LATE_EXCUSED;
    case Compliance::kViolation:
      return v1::COMPLIANCE_VIOLATION;
  }
  return v1::COMPLIANCE_UNSPECIFIED;
}

GeoPoint point(const v1::GeoPoint& p, const char* field) {
  try {
    return GeoPoint(p.lat(), p.lon());
  } catch (const Error& e) {
    throw e.prefixed(field);
  }
}
}  // namespace

GeoPoint point_from_proto(const v1::GeoPoint& p, const char* field) {
  return point(p, field);
}

DelayReason delay_reason_from_proto(int value, const char* field) {
  const auto r = domain_value<DelayReason>(value, v1::DelayReason_IsValid);
  if (!r) throw_invalid(field, "is required (a known DelayReason, not UNSPECIFIED)");
  return *r;
}

Consent consent_from_proto(int value, const char* field) {
  const auto c = domain_value<Consent>(value, v1::Consent_IsValid);
  if (!c) throw_invalid(field, "is required (a known Consent, not UNSPECIFIED)");
  return *c;
}

TimePoint from_proto(const google::protobuf::Timestamp& ts, std::string_view field) {
  return time_from_wire(ts.seconds(), ts.nanos(), field);
}

Duration from_proto(const google::protobuf::Duration& d, std::string_view field) {
  return duration_from_wire(d.seconds(), d.nanos(), field);
}

void to_proto(TimePoint t, google::protobuf::Timestamp* out) {
  out->set_seconds(t.time_since_epoch().count());
  out->set_nanos(0);
}

void to_proto(Duration d, google::protobuf::Duration* out) {
  out->set_seconds(d.count());
  out->set_nanos(0);
}

Crew crew_from_proto(const v1::Crew& c) {
  Crew out;
  if (!c.id().empty()) {
    validate_crew_id(c.id(), "crew.id");
    out.id = CrewId(c.id());
  }
  out.name = c.name();
  for (const auto& m : c.members()) out.members.push_back({m.first_name(), m.full_name(), m.staff_number()});
  out.skills.assign(c.skills().begin(), c.skills().end());
  if (!c.has_home_position()) throw_invalid("crew.home_position", "is required");
  out.home = point(c.home_position(), "crew.home_position");
  if (c.has_position()) out.position = point(c.position(), "crew.position");
  if (!c.has_shift_start()) throw_invalid("crew.shift_start", "is required");
  if (!c.has_shift_end()) throw_invalid("crew.shift_end", "is required");
  out.shift_start = from_proto(c.shift_start(), "crew.shift_start");
  out.shift_end = from_proto(c.shift_end(), "crew.shift_end");
  out.on_shift = c.on_shift();
  out.capacity = c.capacity();
  out.callback_phone = c.callback_phone();
  return out;
}

void to_proto(const Crew& c, v1::Crew* out) {
  out->set_id(c.id.str());
  out->set_name(c.name);
  for (const auto& m : c.members) {
    auto* pm = out->add_members();
    pm->set_first_name(m.first_name);
    pm->set_full_name(m.full_name);
    pm->set_staff_number(m.staff_number);
  }
  for (const auto& s : c.skills) out->add_skills(s);
  out->mutable_home_position()->set_lat(c.home.lat());
  out->mutable_home_position()->set_lon(c.home.lon());
  if (c.position) {
    out->mutable_position()->set_lat(c.position->lat());
    out->mutable_position()->set_lon(c.position->lon());
  }
  if (c.position_time) to_proto(*c.position_time, out->mutable_position_time());
  to_proto(c.shift_start, out->mutable_shift_start());
  to_proto(c.shift_end, out->mutable_shift_end());
  out->set_on_shift(c.on_shift);
  out->set_capacity(c.capacity);
  out->set_callback_phone(c.callback_phone);
  out->set_version(c.version);
}

storage::CrewFilter crew_filter_from_proto(const v1::ListCrewsRequest& req) {
  storage::CrewFilter f;
  f.on_shift_only = req.on_shift_only();
  if (!req.skill().empty()) validate_skill(req.skill(), "skill");
  f.skill = req.skill();
  if (req.page_size() > 1000) throw_invalid("page_size", std::to_string(req.page_size()) + " is above 1000");
  f.limit = req.page_size() == 0 ? 100 : req.page_size();
  if (!req.page_token().empty()) {
    try {
      validate_crew_id(req.page_token(), "page_token");
    } catch (const Error&) {
      throw_invalid("page_token", "not a token returned by ListCrews");
    }
  }
  f.after = req.page_token();
  return f;
}

void apply_crew_mask(const v1::Crew& from, const google::protobuf::FieldMask& mask, Crew& to, TimePoint now) {
  if (mask.paths_size() == 0) throw_invalid("update_mask", "names no field to change");
  for (const std::string& path : mask.paths()) {
    if (path == "name") {
      to.name = from.name();
    } else if (path == "members") {
      to.members.clear();
      for (const auto& m : from.members()) to.members.push_back({m.first_name(), m.full_name(), m.staff_number()});
    } else if (path == "skills") {
      to.skills.assign(from.skills().begin(), from.skills().end());
    } else if (path == "home_position") {
      to.home = point(from.home_position(), "crew.home_position");
    } else if (path == "position") {
      to.position = point(from.position(), "crew.position");
      to.position_time = now;
    } else if (path == "shift_start") {
      to.shift_start = from_proto(from.shift_start(), "crew.shift_start");
    } else if (path == "shift_end") {
      to.shift_end = from_proto(from.shift_end(), "crew.shift_end");
    } else if (path == "capacity") {
      to.capacity = from.capacity();
    } else if (path == "callback_phone") {
      to.callback_phone = from.callback_phone();
    } else {
      throw_invalid("update_mask", "'" + path + "' is not a field UpdateCrew may change");
    }
  }
}

void to_proto(const Report& r, v1::GetReportResponse* out) {
  to_proto(r.from, out->mutable_from());
  to_proto(r.to, out->mutable_to());
  for (const ZoneClass z : kAllZoneClasses) {
    const ZoneFigures& f = r.by_zone[static_cast<std::size_t>(z)];
    if (f.arrivals == 0 && f.violations == 0) continue;
    auto* pz = out->add_by_zone();
    pz->set_zone_class(to_proto(z));
    pz->set_arrivals(f.arrivals);
    pz->set_on_time(f.on_time);
    pz->set_late_excused(f.late_excused);
    pz->set_violations(f.violations);
    pz->set_on_time_rate(f.on_time_rate());
    pz->set_compliant_rate(f.compliant_rate());
  }
  out->set_late_arrivals(r.late_arrivals);
  out->set_late_with_timely_consent(r.late_with_timely_consent);
  out->set_delay_notice_compliance(r.delay_notice_compliance());
  for (const Violation& v : r.violations) {
    auto* pv = out->add_violations();
    pv->set_ticket_id(v.ticket.str());
    pv->set_zone_class(to_proto(v.zone_class));
    to_proto(v.deadline, pv->mutable_deadline());
    to_proto(v.effective_deadline, pv->mutable_effective_deadline());
    if (v.arrival) to_proto(*v.arrival, pv->mutable_arrival_time());
    to_proto(v.late_by, pv->mutable_late_by());
    pv->set_cause(v.cause ? static_cast<v1::DelayReason>(proto_value(*v.cause)) : v1::DELAY_REASON_UNSPECIFIED);
    pv->set_reason(v.reason);
  }
  for (const Stalled& st : r.stalled) {
    auto* ps = out->add_stalled();
    ps->set_ticket_id(st.ticket.str());
    ps->set_status(to_proto(st.status));
    ps->set_owner_crew_id(st.owner.str());
    to_proto(st.last_progress, ps->mutable_last_progress_time());
    to_proto(st.stalled_for, ps->mutable_stalled_for());
  }
  const EscalationFigures& e = r.escalations;
  auto* pe = out->mutable_escalations();
  for (const EscalationKind k : kAllEscalationKinds)
    if (const std::uint32_t n = e.opened[static_cast<std::size_t>(k)]) {
      auto* pk = pe->add_opened();
      pk->set_kind(static_cast<v1::EscalationKind>(proto_value(k)));
      pk->set_count(n);
    }
  pe->set_open(e.open);
  pe->set_acknowledged(e.acknowledged);
  pe->set_resolved(e.resolved);
  to_proto(e.mean_time_to_acknowledge(), pe->mutable_mean_time_to_acknowledge());
  to_proto(e.ack_time_max, pe->mutable_max_time_to_acknowledge());
  const FollowUpFigures& f = r.follow_ups;
  out->set_follow_ups_due(f.fell_due);
  out->set_follow_ups_in_time(f.done_in_time);
  out->set_follow_up_rate(f.in_time_rate());
  auto* pf = out->mutable_follow_ups();
  pf->set_opened(f.opened);
  pf->set_done(f.done);
  pf->set_done_in_time(f.done_in_time);
  pf->set_overdue(f.overdue);
  pf->set_apologies(f.apologies);
  pf->set_satisfied(f.satisfied);
  pf->set_not_satisfied(f.not_satisfied);
  pf->set_new_requests(f.new_requests);
  pf->set_unreachable_attempts(f.unreachable_attempts);
  pf->set_satisfaction_rate(f.satisfaction_rate());
  const ComplaintFigures& c = r.complaints;
  auto* pc = out->mutable_complaints();
  for (const ComplaintCause cause : kAllComplaintCauses)
    if (const std::uint32_t n = c.by_cause[static_cast<std::size_t>(cause)]) {
      auto* pk = pc->add_by_cause();
      pk->set_cause(static_cast<v1::ComplaintCause>(proto_value(cause)));
      pk->set_count(n);
    }
  pc->set_recorded(c.recorded);
  pc->set_serious(c.serious);
  pc->set_open(c.open);
  pc->set_satisfied(c.satisfied);
  to_proto(c.mean_time_to_satisfaction(), pc->mutable_mean_time_to_satisfaction());
  to_proto(c.time_to_satisfaction_max, pc->mutable_max_time_to_satisfaction());
  out->set_repeat_visits(r.repeat_visits);
}

void to_proto(const app::IssuedToken& t, v1::IssueTokenResponse* out) {
  out->set_token_id(t.record.id);
  out->set_secret(t.secret);
  out->set_role(static_cast<v1::Role>(proto_value(t.record.role)));
  out->set_crew_id(t.record.crew.str());
  to_proto(t.record.expires, out->mutable_expire_time());
}

ActorRef actor_of(const Principal& who) {
  const Actor actor = who.role == Role::kCrewDevice ? Actor::kCrew : Actor::kDispatcher;
  return {actor,
          std::string(to_string(who.role)) + ":" + (who.role == Role::kCrewDevice ? who.crew.str() : who.token_id)};
}

void to_proto(const app::PlanView& plan, const NotifyPolicy& policy, TimePoint now, v1::Ticket* out) {
  if (plan.eta) {
    to_proto(*plan.eta, out->mutable_eta());
    const EtaWindow w = eta_window(*plan.eta, policy, now);
    to_proto(w.from, out->mutable_eta_window()->mutable_earliest());
    to_proto(w.to, out->mutable_eta_window()->mutable_latest());
  }
  switch (plan.risk) {
    case app::Risk::kNone:
      out->set_risk(v1::RISK_NONE);
      break;
    case app::Risk::kAtRisk:
      out->set_risk(v1::RISK_AT_RISK);
      break;
    case app::Risk::kPredictedMiss:
      out->set_risk(v1::RISK_PREDICTED_MISS);
      break;
  }
  out->set_risk_reason(plan.reason);
}

Role role_from_proto(v1::Role role) {
  const auto r = domain_value<Role>(role, v1::Role_IsValid);
  if (!r) throw_invalid("role", "must be DISPATCHER, ADMIN or CREW_DEVICE");
  return *r;
}

std::vector<ZoneClass> zone_classes_from_proto(const google::protobuf::RepeatedField<int>& zones) {
  std::vector<ZoneClass> out;
  for (int i = 0; i < zones.size(); ++i) {
    const auto z = domain_value<ZoneClass>(zones.Get(i), v1::ZoneClass_IsValid);
    if (!z) throw_invalid("zone_classes[" + std::to_string(i) + "]", "unknown zone class");
    out.push_back(*z);
  }
  return out;
}

v1::ZoneClass to_proto(ZoneClass z) {
  return static_cast<v1::ZoneClass>(proto_value(z));
}
v1::TicketStatus to_proto(TicketStatus s) {
  return static_cast<v1::TicketStatus>(proto_value(s));
}

v1::TicketEventKind event_kind_to_proto(std::string_view kind) {
  std::string name = "TICKET_EVENT_KIND_";
  for (const char c : kind) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v1::TicketEventKind out = v1::TICKET_EVENT_KIND_UNSPECIFIED;
  v1::TicketEventKind_Parse(name, &out);
  return out;
}

TicketDraft draft_from_proto(const v1::CreateTicketRequest& req) {
  TicketDraft d;
  d.client_request_id = req.client_request_id();
  d.customer = {req.customer().name(), req.customer().phone(), req.customer().language()};
  if (req.has_location()) d.location = point(req.location(), "location");
  d.address = req.address();
  d.priority = req.priority();
  if (req.has_first_contact_time()) d.first_contact = from_proto(req.first_contact_time(), "first_contact_time");
  if (req.first_contact_channel() != v1::CHANNEL_UNSPECIFIED) {
    d.channel = domain_value<Channel>(req.first_contact_channel(), v1::Channel_IsValid);
    if (!d.channel)
      throw_invalid("first_contact_channel", "unknown value " + std::to_string(req.first_contact_channel()));
  }
  if (req.has_earliest_start()) d.earliest_start = from_proto(req.earliest_start(), "earliest_start");
  if (req.has_service_duration()) d.service_duration = from_proto(req.service_duration(), "service_duration");
  d.required_skills.assign(req.required_skills().begin(), req.required_skills().end());
  if (req.kind() != v1::TICKET_KIND_UNSPECIFIED) {
    const auto kind = domain_value<TicketKind>(req.kind(), v1::TicketKind_IsValid);
    if (!kind) throw_invalid("kind", "unknown value " + std::to_string(req.kind()));
    d.kind = *kind;
  }
  if (req.has_appointment_time()) d.appointment = from_proto(req.appointment_time(), "appointment_time");
  if (!req.parent_ticket_id().empty()) {
    validate_id(req.parent_ticket_id(), "parent_ticket_id");
    d.parent = TicketId(req.parent_ticket_id());
  }
  d.description = req.description();
  if (req.has_disconnection_notice()) {
    const auto& n = req.disconnection_notice();
    DisconnectionNotice notice;
    if (!n.has_delivered_time()) throw_invalid("disconnection_notice.delivered_time", "is required");
    notice.delivered = from_proto(n.delivered_time(), "disconnection_notice.delivered_time");
    const auto method = domain_value<NoticeDelivery>(n.method(), v1::NoticeDeliveryMethod_IsValid);
    if (!method) throw_invalid("disconnection_notice.method", "is required: in person, posted, registered mail or sms");
    notice.method = *method;
    notice.delivered_by = n.delivered_by();
    d.notice = std::move(notice);
  }
  return d;
}

void to_proto(const Ticket& t, TimePoint now, bool include_timeline, v1::Ticket* out) {
  out->set_id(t.id.str());
  out->set_client_request_id(t.client_request_id);
  out->mutable_customer()->set_name(t.customer.name);
  out->mutable_customer()->set_phone(t.customer.phone);
  out->mutable_customer()->set_language(t.customer.language);
  out->mutable_location()->set_lat(t.location.lat());
  out->mutable_location()->set_lon(t.location.lon());
  out->set_address(t.address);
  out->set_zone_class(to_proto(t.zone_class));
  out->set_priority(t.priority);
  to_proto(t.first_contact, out->mutable_first_contact_time());
  out->set_first_contact_channel(static_cast<v1::Channel>(proto_value(t.channel)));
  to_proto(t.deadline, out->mutable_deadline());
  to_proto(t.effective_deadline(), out->mutable_effective_deadline());
  if (t.earliest_start) to_proto(*t.earliest_start, out->mutable_earliest_start());
  if (t.appointment) to_proto(*t.appointment, out->mutable_appointment_time());
  to_proto(t.service_duration, out->mutable_service_duration());
  for (const auto& s : t.required_skills) out->add_required_skills(s);
  out->set_status(to_proto(t.status));
  out->set_owner_crew_id(t.owner.str());
  out->set_pinned_crew_id(t.pinned.str());
  const ComplianceVerdict v = t.compliance(now);
  out->mutable_compliance()->set_compliance(to_proto(v.compliance));
  to_proto(v.late_by, out->mutable_compliance()->mutable_late_by());
  out->mutable_compliance()->set_reason(v.reason);
  out->set_version(t.version);
  out->set_tracking_token(t.tracking_token);
  out->set_kind(static_cast<v1::TicketKind>(proto_value(t.kind)));
  out->set_description(t.description);
  out->set_parent_ticket_id(t.parent.str());
  out->set_fault_ticket_id(t.fault.str());
  if (include_timeline) {
    for (const TicketEvent& e : t.timeline) {
      v1::TicketEvent* pe = out->add_timeline();
      to_proto(e.time, pe->mutable_time());
      to_proto(e.time, pe->mutable_recorded_time());
      pe->set_kind(event_kind_to_proto(e.kind));
      pe->set_actor(e.actor);
      pe->set_detail(e.detail);
    }
  }
  to_proto(last_progress(t), out->mutable_last_progress_time());
  if (t.notice) {
    auto* n = out->mutable_disconnection_notice();
    to_proto(t.notice->delivered, n->mutable_delivered_time());
    n->set_method(static_cast<v1::NoticeDeliveryMethod>(proto_value(t.notice->method)));
    n->set_delivered_by(t.notice->delivered_by);
  }
  for (const Escalation& e : t.escalations) to_proto(t.id, e, out->add_escalations());
  for (const FollowUp& f : t.follow_ups) to_proto(t.id, f, now, out->add_follow_ups());
  for (const Complaint& c : t.complaints) to_proto(t.id, c, out->add_complaints());
}

void to_proto(const TicketId& ticket, const Escalation& e, v1::Escalation* out) {
  out->set_id(escalation_id(ticket, e.n));
  out->set_ticket_id(ticket.str());
  out->set_kind(static_cast<v1::EscalationKind>(proto_value(e.kind)));
  out->set_state(static_cast<v1::EscalationState>(proto_value(e.state())));
  out->set_detail(e.detail);
  to_proto(e.opened, out->mutable_opened_time());
  out->set_acknowledged_by(e.acknowledged_by);
  if (e.acknowledged_at) to_proto(*e.acknowledged_at, out->mutable_acknowledged_time());
  out->set_resolved_by(e.resolved_by);
  if (e.resolved_at) to_proto(*e.resolved_at, out->mutable_resolved_time());
  out->set_resolution_note(e.resolution);
}

void to_proto(const TicketId& ticket, const FollowUp& f, TimePoint now, v1::FollowUp* out) {
  out->set_id(follow_up_id(ticket, f.n));
  out->set_ticket_id(ticket.str());
  out->set_reason(static_cast<v1::FollowUpReason>(proto_value(f.reason)));
  out->set_detail(f.detail);
  to_proto(f.opened, out->mutable_opened_time());
  to_proto(f.first_due, out->mutable_first_due_time());
  to_proto(f.due, out->mutable_due_time());
  if (f.parent) out->set_parent_id(follow_up_id(ticket, f.parent));
  out->set_opened_by(f.opened_by);
  out->set_attempts(f.attempts);
  if (f.last_attempt) to_proto(*f.last_attempt, out->mutable_last_attempt_time());
  out->set_apologies(f.apologies);
  out->set_outcome(f.outcome ? static_cast<v1::FollowUpOutcome>(proto_value(*f.outcome))
                             : v1::FOLLOW_UP_OUTCOME_UNSPECIFIED);
  if (f.done_at) to_proto(*f.done_at, out->mutable_done_time());
  out->set_done_by(f.done_by);
  out->set_note(f.note);
  out->set_overdue(f.overdue(now));
}

void to_proto(const TicketId& ticket, const Complaint& c, v1::Complaint* out) {
  out->set_id(complaint_id(ticket, c.n));
  out->set_ticket_id(ticket.str());
  out->set_name(c.name);
  out->set_address(c.address);
  out->set_phone(c.phone);
  out->set_cause(static_cast<v1::ComplaintCause>(proto_value(c.cause)));
  out->set_reason(c.reason);
  out->set_severity(static_cast<v1::ComplaintSeverity>(proto_value(c.severity)));
  out->set_recorded_by(c.recorded_by);
  to_proto(c.recorded, out->mutable_recorded_time());
  out->set_open(c.open());
  if (c.closed_at) to_proto(*c.closed_at, out->mutable_closed_time());
  out->set_closed_by(c.closed_by);
  out->set_outcome(c.outcome);
}

namespace {
std::uint32_t page_size(std::uint32_t requested) {
  if (requested > storage::kMaxRecordPage) throw_invalid("page_size", std::to_string(requested) + " is above 1000");
  return requested == 0 ? 100 : requested;
}
}  // namespace

storage::FollowUpFilter filter_from_proto(const v1::ListFollowUpsRequest& req, TimePoint now) {
  storage::FollowUpFilter f;
  f.owed_only = !req.include_done();
  if (req.overdue_only()) {
    f.owed_only = true;
    f.due_before = now;
  }
  if (!req.ticket_id().empty()) f.ticket = TicketId(req.ticket_id());
  f.limit = page_size(req.page_size());
  f.after = req.page_token();
  return f;
}

storage::ComplaintFilter filter_from_proto(const v1::ListComplaintsRequest& req) {
  storage::ComplaintFilter f;
  f.open_only = !req.include_closed();
  if (!req.ticket_id().empty()) f.ticket = TicketId(req.ticket_id());
  f.limit = page_size(req.page_size());
  f.after = req.page_token();
  return f;
}

FollowUpResult follow_up_result_from_proto(const v1::RecordFollowUpRequest& req) {
  FollowUpResult r;
  const auto outcome = domain_value<FollowUpOutcome>(req.outcome(), v1::FollowUpOutcome_IsValid);
  if (!outcome) throw_invalid("outcome", "is required: satisfied, not_satisfied, new_request or unreachable");
  r.outcome = *outcome;
  r.note = req.note();
  r.new_request = req.new_request();
  if (req.has_reply_by_time()) r.reply_by = from_proto(req.reply_by_time(), "reply_by_time");
  return r;
}

ComplaintDraft complaint_from_proto(const v1::RecordComplaintRequest& req) {
  ComplaintDraft d;
  d.name = req.name();
  d.address = req.address();
  d.phone = req.phone();
  const auto cause = domain_value<ComplaintCause>(req.cause(), v1::ComplaintCause_IsValid);
  if (!cause) throw_invalid("cause", "is required: what the complaint is about");
  d.cause = *cause;
  d.reason = req.reason();
  const auto severity = domain_value<ComplaintSeverity>(req.severity(), v1::ComplaintSeverity_IsValid);
  if (!severity) throw_invalid("severity", "is required: ordinary or serious");
  d.severity = *severity;
  return d;
}

ConfirmationOutcome confirmation_outcome_from_proto(int value, const std::string& field) {
  switch (value) {
    case v1::CONFIRMATION_OUTCOME_CONFIRMED:
      return ConfirmationOutcome::kConfirmed;
    case v1::CONFIRMATION_OUTCOME_NEW_TIME_AGREED:
      return ConfirmationOutcome::kNewTimeAgreed;
    case v1::CONFIRMATION_OUTCOME_UNREACHABLE:
      return ConfirmationOutcome::kUnreachable;
    default:
      throw_invalid(field, "is required: confirmed, new_time_agreed or unreachable");
  }
}

CustomerAnswer customer_answer_from_proto(int value) {
  switch (value) {
    case v1::CUSTOMER_ANSWER_SATISFIED:
      return CustomerAnswer::kSatisfied;
    case v1::CUSTOMER_ANSWER_NOT_SATISFIED:
      return CustomerAnswer::kNotSatisfied;
    default:
      return CustomerAnswer::kNone;  // refused on close, naming customer_answer
  }
}

storage::EscalationFilter filter_from_proto(const v1::ListEscalationsRequest& req) {
  storage::EscalationFilter f;
  for (int i = 0; i < req.states_size(); ++i) {
    const auto st = domain_value<EscalationState>(req.states(i), v1::EscalationState_IsValid);
    if (!st) throw_invalid("states[" + std::to_string(i) + "]", "unknown escalation state");
    f.states.push_back(*st);
  }
  if (f.states.empty()) f.states = {EscalationState::kOpen, EscalationState::kAcknowledged};
  for (int i = 0; i < req.kinds_size(); ++i) {
    const auto k = domain_value<EscalationKind>(req.kinds(i), v1::EscalationKind_IsValid);
    if (!k) throw_invalid("kinds[" + std::to_string(i) + "]", "unknown escalation kind");
    f.kinds.push_back(*k);
  }
  if (!req.ticket_id().empty()) f.ticket = TicketId(req.ticket_id());
  f.limit = page_size(req.page_size());
  f.after = req.page_token();
  return f;
}

storage::TicketFilter filter_from_proto(const v1::ListTicketsRequest& req) {
  storage::TicketFilter f;
  f.zone_classes = zone_classes_from_proto(req.zone_classes());
  for (int i = 0; i < req.statuses_size(); ++i) {
    const auto s = domain_value<TicketStatus>(req.statuses(i), v1::TicketStatus_IsValid);
    if (!s) throw_invalid("statuses[" + std::to_string(i) + "]", "unknown status");
    f.statuses.push_back(*s);
  }
  if (!req.crew_id().empty()) f.owner = CrewId(req.crew_id());
  if (!req.fault_ticket_id().empty()) {
    validate_id(req.fault_ticket_id(), "fault_ticket_id");
    f.fault = TicketId(req.fault_ticket_id());
  }
  if (req.has_first_contact_from()) f.first_contact_from = from_proto(req.first_contact_from(), "first_contact_from");
  if (req.has_first_contact_to()) f.first_contact_to = from_proto(req.first_contact_to(), "first_contact_to");
  if (req.page_size() > 1000) throw_invalid("page_size", std::to_string(req.page_size()) + " is above 1000");
  f.limit = req.page_size() == 0 ? 100 : req.page_size();
  if (!req.page_token().empty()) {
    const std::string& tok = req.page_token();
    if (tok.size() > 18 || !std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw_invalid("page_token", "not a token returned by ListTickets");
    f.after = std::stoll(tok);
  }
  return f;
}

}  // namespace linecrew::rpc
