#include "ctl/format.h"

#include <google/protobuf/util/json_util.h>

#include <iomanip>
#include <iostream>

#include "linecrew/core/time.h"

namespace linecrew::ctl {

std::string utc(const google::protobuf::Timestamp& ts) {
  return linecrew::format_utc(linecrew::TimePoint(linecrew::Duration(ts.seconds())));
}

std::string lower_enum(const std::string& name, const std::string& prefix) {
  std::string s = name.substr(prefix.size());
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string zone(const v1::Ticket& t) {
  return lower_enum(v1::ZoneClass_Name(t.zone_class()), "ZONE_CLASS_");
}
std::string status(const v1::Ticket& t) {
  return lower_enum(v1::TicketStatus_Name(t.status()), "TICKET_STATUS_");
}

void print_json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  std::cout << out;
}

void print_table(const std::vector<const v1::Ticket*>& tickets) {
  std::cout << std::left << std::setw(10) << "ID" << std::setw(8) << "ZONE" << std::setw(7) << "LIMIT" << std::setw(22)
            << "FIRST CONTACT (UTC)" << std::setw(22) << "DEADLINE (UTC)" << std::setw(10) << "ETA (UTC)"
            << std::setw(9) << "RISK" << std::setw(10) << "STATUS" << std::setw(8) << "OWNER"
            << "ADDRESS\n";
  for (const v1::Ticket* t : tickets) {
    const long limit_min = (t->deadline().seconds() - t->first_contact_time().seconds()) / 60;
    // ETA as HH:MM (UTC) to keep the row short; "-" when not planned.
    const std::string eta = t->has_eta() ? utc(t->eta()).substr(11, 5) : "-";
    std::string risk = "-";
    if (t->risk() == v1::RISK_AT_RISK) risk = "at risk";
    if (t->risk() == v1::RISK_PREDICTED_MISS) risk = "MISS";
    if (t->risk() == v1::RISK_NONE) risk = "ok";
    std::cout << std::left << std::setw(10) << t->id() << std::setw(8) << zone(*t) << std::setw(7)
              << (std::to_string(limit_min) + "m") << std::setw(22) << utc(t->first_contact_time()) << std::setw(22)
              << utc(t->effective_deadline()) << std::setw(10) << eta << std::setw(9) << risk << std::setw(10)
              << status(*t) << std::setw(8) << (t->owner_crew_id().empty() ? "desk" : t->owner_crew_id())
              << t->address() << "\n";
    if (!t->risk_reason().empty() && t->risk() == v1::RISK_PREDICTED_MISS)
      std::cout << "          ^ " << t->risk_reason() << "\n";
  }
}

void print_crews(const std::vector<const v1::Crew*>& crews, bool json) {
  if (json) {
    for (const v1::Crew* c : crews) print_json(*c);
    return;
  }
  std::cout << std::left << std::setw(10) << "CREW" << std::setw(24) << "NAME" << std::setw(8) << "SHIFT"
            << std::setw(44) << "WINDOW (UTC)"
            << "SKILLS\n";
  for (const v1::Crew* c : crews) {
    std::string skills;
    for (const auto& s : c->skills()) skills += (skills.empty() ? "" : ",") + s;
    std::cout << std::left << std::setw(10) << c->id() << std::setw(24) << c->name() << std::setw(8)
              << (c->on_shift() ? "on" : "off") << std::setw(44)
              << (utc(c->shift_start()) + " - " + utc(c->shift_end())) << skills << "\n";
  }
}

void print_report(const v1::GetReportResponse& r, bool csv) {
  const auto zone_name = [](v1::ZoneClass z) { return lower_enum(v1::ZoneClass_Name(z), "ZONE_CLASS_"); };
  const auto cause = [](v1::DelayReason d) {
    return d == v1::DELAY_REASON_UNSPECIFIED ? std::string("none")
                                             : lower_enum(v1::DelayReason_Name(d), "DELAY_REASON_");
  };
  if (csv) {
    std::cout << "zone,arrivals,on_time,late_excused,violations,on_time_rate,compliant_rate\n";
    for (const auto& z : r.by_zone())
      std::cout << zone_name(z.zone_class()) << "," << z.arrivals() << "," << z.on_time() << "," << z.late_excused()
                << "," << z.violations() << "," << z.on_time_rate() << "," << z.compliant_rate() << "\n";
    std::cout << "\nticket,zone,deadline,effective_deadline,late_by_s,cause,reason\n";
    for (const auto& v : r.violations())
      std::cout << v.ticket_id() << "," << zone_name(v.zone_class()) << "," << utc(v.deadline()) << ","
                << utc(v.effective_deadline()) << "," << v.late_by().seconds() << "," << cause(v.cause()) << ",\""
                << v.reason() << "\"\n";
    return;
  }
  std::cout << "report " << utc(r.from()) << " .. " << utc(r.to()) << "\n"
            << std::left << std::setw(8) << "ZONE" << std::setw(10) << "ARRIVALS" << std::setw(9) << "ON TIME"
            << std::setw(9) << "EXCUSED" << std::setw(12) << "VIOLATIONS"
            << "ON-TIME RATE\n";
  for (const auto& z : r.by_zone())
    std::cout << std::left << std::setw(8) << zone_name(z.zone_class()) << std::setw(10) << z.arrivals() << std::setw(9)
              << z.on_time() << std::setw(9) << z.late_excused() << std::setw(12) << z.violations() << std::fixed
              << std::setprecision(1) << 100.0 * z.on_time_rate() << "%\n";
  std::cout << "delay-notice compliance: " << r.late_with_timely_consent() << "/" << r.late_arrivals()
            << " late arrivals had a timely consented call\n";
  for (const auto& v : r.violations())
    std::cout << "violation " << v.ticket_id() << " (" << zone_name(v.zone_class()) << ", cause " << cause(v.cause())
              << "): " << v.reason() << "\n";
  for (const auto& st : r.stalled())
    std::cout << "stalled " << st.ticket_id() << " for " << st.stalled_for().seconds() / 60 << " min (owner "
              << (st.owner_crew_id().empty() ? "desk" : st.owner_crew_id()) << ")\n";
  std::cout << "repeat visits: " << r.repeat_visits() << "\n";
  const auto& e = r.escalations();
  std::cout << "escalations: " << e.open() << " open, " << e.acknowledged() << " acknowledged, " << e.resolved()
            << " resolved; time to acknowledge: mean " << e.mean_time_to_acknowledge().seconds() / 60 << " min, max "
            << e.max_time_to_acknowledge().seconds() / 60 << " min\n";
  for (const auto& k : e.opened())
    std::cout << "  " << lower_enum(v1::EscalationKind_Name(k.kind()), "ESCALATION_KIND_") << ": " << k.count() << "\n";
  const auto& f = r.follow_ups();
  std::cout << "follow-ups: " << f.opened() << " opened, " << f.done() << " done (" << f.done_in_time()
            << " within the reply time), " << f.overdue() << " overdue now, " << f.apologies()
            << " apologies; satisfied " << f.satisfied() << ", not satisfied " << f.not_satisfied() << ", new requests "
            << f.new_requests() << ", satisfaction ";
  if (f.satisfied() + f.not_satisfied() == 0) {
    std::cout << "- (no answers yet)\n";  // the contract's 1 for "none" is not a figure to show a desk
  } else {
    std::cout << std::fixed << std::setprecision(1) << 100.0 * f.satisfaction_rate() << "%\n";
  }
  const auto& cp = r.complaints();
  std::cout << "complaints: " << cp.recorded() << " recorded (" << cp.serious() << " serious), " << cp.open()
            << " open, " << cp.satisfied() << " closed satisfied; time to satisfaction: mean "
            << cp.mean_time_to_satisfaction().seconds() / 60 << " min, max "
            << cp.max_time_to_satisfaction().seconds() / 60 << " min\n";
  for (const auto& k : cp.by_cause())
    std::cout << "  " << lower_enum(v1::ComplaintCause_Name(k.cause()), "COMPLAINT_CAUSE_") << ": " << k.count()
              << "\n";
}

void print_escalations(const std::vector<const v1::Escalation*>& escalations) {
  if (escalations.empty()) {
    std::cout << "no escalations\n";  // an empty queue reads as such, not as a bare header
    return;
  }
  std::cout << std::left << std::setw(14) << "ID" << std::setw(24) << "KIND" << std::setw(14) << "STATE"
            << std::setw(22) << "OPENED (UTC)"
            << "DETAIL\n";
  for (const v1::Escalation* e : escalations) {
    std::cout << std::left << std::setw(14) << e->id() << std::setw(24)
              << lower_enum(v1::EscalationKind_Name(e->kind()), "ESCALATION_KIND_") << std::setw(14)
              << lower_enum(v1::EscalationState_Name(e->state()), "ESCALATION_STATE_") << std::setw(22)
              << utc(e->opened_time()) << e->detail() << "\n";
    if (!e->acknowledged_by().empty())
      std::cout << "              acknowledged by " << e->acknowledged_by() << " at " << utc(e->acknowledged_time())
                << "\n";
    if (!e->resolved_by().empty())
      std::cout << "              resolved by " << e->resolved_by() << " at " << utc(e->resolved_time()) << ": "
                << e->resolution_note() << "\n";
  }
}

void print_follow_ups(const std::vector<const v1::FollowUp*>& follow_ups) {
  if (follow_ups.empty()) {
    std::cout << "no follow-ups\n";
    return;
  }
  std::cout << std::left << std::setw(14) << "ID" << std::setw(13) << "REASON" << std::setw(22) << "DUE (UTC)"
            << std::setw(15) << "STATE"
            << "DETAIL\n";
  for (const v1::FollowUp* f : follow_ups) {
    std::string state = f->outcome() != v1::FOLLOW_UP_OUTCOME_UNSPECIFIED
                            ? lower_enum(v1::FollowUpOutcome_Name(f->outcome()), "FOLLOW_UP_OUTCOME_")
                            : (f->overdue() ? "OVERDUE" : "owed");
    std::cout << std::left << std::setw(14) << f->id() << std::setw(13)
              << lower_enum(v1::FollowUpReason_Name(f->reason()), "FOLLOW_UP_REASON_") << std::setw(22)
              << utc(f->due_time()) << std::setw(15) << state << f->detail() << "\n";
    if (f->attempts() > 0) std::cout << "              " << f->attempts() << " unreachable attempt(s)\n";
    if (f->apologies() > 0) std::cout << "              " << f->apologies() << " overdue apology(ies) sent\n";
    if (!f->done_by().empty())
      std::cout << "              done by " << f->done_by() << " at " << utc(f->done_time())
                << (f->note().empty() ? "" : ": " + f->note()) << "\n";
    if (!f->parent_id().empty()) std::cout << "              new request from " << f->parent_id() << "\n";
  }
}

void print_complaints(const std::vector<const v1::Complaint*>& complaints) {
  if (complaints.empty()) {
    std::cout << "no complaints\n";
    return;
  }
  std::cout << std::left << std::setw(14) << "ID" << std::setw(10) << "SEVERITY" << std::setw(17) << "CAUSE"
            << std::setw(8) << "STATE" << std::setw(22) << "RECORDED (UTC)"
            << "REASON\n";
  for (const v1::Complaint* c : complaints) {
    std::cout << std::left << std::setw(14) << c->id() << std::setw(10)
              << lower_enum(v1::ComplaintSeverity_Name(c->severity()), "COMPLAINT_SEVERITY_") << std::setw(17)
              << lower_enum(v1::ComplaintCause_Name(c->cause()), "COMPLAINT_CAUSE_") << std::setw(8)
              << (c->open() ? "open" : "closed") << std::setw(22) << utc(c->recorded_time()) << c->reason() << "\n";
    std::cout << "              " << c->name() << ", " << c->address() << ", recorded by " << c->recorded_by() << "\n";
    if (!c->open())
      std::cout << "              closed by " << c->closed_by() << " at " << utc(c->closed_time())
                << ", customer satisfied: " << c->outcome() << "\n";
  }
}

}  // namespace linecrew::ctl
