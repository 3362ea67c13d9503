#include "linecrew/device/app/watch.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/device/app/actions.h"

namespace linecrew::device {

Duration StraightLineTravel::duration(const GeoPoint& from, const GeoPoint& to) const {
  const double km = distance_m(from, to) / 1000.0 * detour_;
  return Duration(static_cast<Duration::rep>(std::ceil(km / speed_kmh_ * 3600.0)));
}

namespace {

std::optional<GeoPoint> stored_point(LocalStore& store, const std::string& prefix) {
  const auto lat = store.meta(prefix + "_lat"), lon = store.meta(prefix + "_lon");
  if (!lat || !lon) return std::nullopt;
  try {
    return GeoPoint(std::stod(*lat), std::stod(*lon));
  } catch (...) {
    return std::nullopt;
  }
}

bool watched(const LocalTicket& t) {
  return t.removed.empty() && !is_terminal(t.status) && t.status != TicketStatus::kRestored &&
         t.status != TicketStatus::kReturnVisitOwed;
}

}  // namespace

WatchResult watch(LocalStore& store, TimePoint now, const TravelModel& travel, double slowdown) {
  WatchResult r;
  const auto tickets = store.tickets();  // by effective deadline
  std::set<std::string> placed;
  const auto add = [&](const LocalTicket& t) {
    if (!watched(t) || !placed.insert(t.id.str()).second) return;
    RouteStop s{t.id,       t.location,           t.status,     t.service,
                t.deadline, t.effective_deadline, std::nullopt, t.earliest_start};
    if (t.status == TicketStatus::kOnSite) s.arrived_at = t.arrival.value_or(now);
    r.stops.push_back(s);
  };
  for (const PlanStop& p : store.plan())
    for (const auto& t : tickets)
      if (t.id == p.ticket) add(t);
  for (const auto& t : tickets) add(t);

  const auto lead_s = store.meta("delay_call_lead_s");
  const DelayWatcher watcher(lead_s ? Duration(std::stoll(*lead_s)) : minutes(10));
  const auto position = stored_point(store, "position");
  const GeoPoint fallback =
      stored_point(store, "home").value_or(r.stops.empty() ? GeoPoint(0, 0) : r.stops.front().location);
  DelayPromptLog log = store.prompt_log();
  r.decisions = watcher.evaluate(now, position, fallback, r.stops, travel, log, slowdown);
  for (const auto& d : r.decisions)
    if (d.state == DelayState::kPromptNow) {
      mark_prompted(log, d, now);
      r.new_prompts.push_back(d);
    }
  if (!r.new_prompts.empty()) store.save_prompt_log(log);
  for (const auto& t : tickets) {  // by effective deadline: a visit's is its agreed arrival
    if (!t.removed.empty() || t.confirmed) continue;
    const auto w = confirmation_window(t.kind, t.appointment, t.status);
    if (w && now >= w->opens && now < w->appointment) r.confirmations.push_back({t.id, *w, now > w->due});
  }
  return r;
}

CallScript prompt_script(LocalStore& store, const LocalTicket& t, const DelayDecision& d,
                         const CallScriptTemplates& templates, DelayReason reason) {
  CallScriptInput in;
  in.language = t.language;
  in.company = store.meta("company_name").value_or("");
  in.team = store.meta("crew_name").value_or("");
  in.crew_name = store.meta("member_name").value_or("");
  in.staff_number = store.meta("staff_number").value_or("");
  in.customer_name = t.customer_name;
  in.reason = reason;
  in.deadline = d.effective_deadline;
  in.new_time = d.proposed_time;
  in.callback_number = store.meta("callback_phone").value_or("");
  return templates.render(in);
}

OutboxEntry record_call(LocalStore& store, const DeviceId& device_id, const CallOutcome& call, TimePoint now) {
  const bool dropped = call.outcome == "dropped";
  const auto consent = dropped ? std::optional<Consent>(Consent::kUnreachable) : parse_consent(call.outcome);
  if (!consent) throw_invalid("consent", "'" + call.outcome + "': yes, refused, unreachable or dropped");
  const auto before = store.get(call.ticket);
  if (!before) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + call.ticket.str() + "'");
  ActionInput in;
  in.action = "contact_attempt";
  in.ticket = call.ticket;
  in.staff_number = call.staff_number;
  in.reason = call.reason;
  in.consent = consent;
  in.proposed = call.proposed;
  in.text = dropped ? "call dropped" + (call.note.empty() ? "" : ": " + call.note) : call.note;
  OutboxEntry e = record(store, device_id, in, now);
  DelayPromptLog log = store.prompt_log();
  mark_attempt(log, call.ticket, before->effective_deadline,
               ContactRecord{now, call.reason, call.proposed.value_or(now), *consent});
  store.save_prompt_log(log);
  if (dropped) store.log_call({now, call.ticket, "dropped", ""});
  return e;
}

}  // namespace linecrew::device
