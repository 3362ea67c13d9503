#include "linecrew/server/http/metrics.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "linecrew/core/error.h"
#include "linecrew/server/app/config.h"
#include "linecrew/server/app/stats.h"

namespace linecrew::http {

MetricsServer::MetricsServer(const std::string& listen, storage::TicketStore& tickets, const Clock& clock,
                             Planning* planning, CrewSync* sync)
    : tickets_(tickets), clock_(clock), planning_(planning), sync_(sync), http_(listen, "metrics_listen") {
  if (!app::is_loopback(listen)) throw_invalid("metrics_listen", "'" + listen + "' must be a loopback address");
  http_.server().Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4");
  });
  http_.start();
}

MetricsServer::~MetricsServer() = default;

std::string MetricsServer::render() {
  std::string out =
      "# HELP linecrew_open_tickets Tickets not closed or cancelled, by zone class and status.\n"
      "# TYPE linecrew_open_tickets gauge\n";
  const TimePoint now = clock_.now();
  const auto counts = tickets_.open_counts(now);
  for (const auto& c : counts.by_zone_status)
    out += "linecrew_open_tickets{zone=\"" + std::string(to_string(c.zone)) + "\",status=\"" +
           std::string(to_string(c.status)) + "\"} " + std::to_string(c.count) + "\n";
  out +=
      "# HELP linecrew_overdue_tickets Open tickets not reached by their original deadline.\n"
      "# TYPE linecrew_overdue_tickets gauge\n"
      "linecrew_overdue_tickets " +
      std::to_string(counts.past_deadline) + "\n";
  const EscalationFigures esc = tickets_.unresolved_escalations();
  out +=
      "# HELP linecrew_escalations Escalations waiting for the desk (rules 7), by state.\n"
      "# TYPE linecrew_escalations gauge\n"
      "linecrew_escalations{state=\"open\"} " +
      std::to_string(esc.open) + "\nlinecrew_escalations{state=\"acknowledged\"} " + std::to_string(esc.acknowledged) +
      "\n# HELP linecrew_escalations_unresolved Escalations not resolved, by kind.\n"
      "# TYPE linecrew_escalations_unresolved gauge\n";
  for (const EscalationKind k : kAllEscalationKinds)
    out += "linecrew_escalations_unresolved{kind=\"" + std::string(to_string(k)) + "\"} " +
           std::to_string(esc.opened[static_cast<std::size_t>(k)]) + "\n";
  out +=
      "# HELP linecrew_escalation_oldest_open_seconds Age of the oldest escalation nobody acknowledged (0: none).\n"
      "# TYPE linecrew_escalation_oldest_open_seconds gauge\n"
      "linecrew_escalation_oldest_open_seconds " +
      std::to_string(esc.oldest_open ? std::max<std::int64_t>(0, (now - *esc.oldest_open).count()) : 0) + "\n";
  const FollowUpFigures fu = tickets_.owed_follow_ups(now);
  out +=
      "# HELP linecrew_follow_ups_owed Follow-up calls owed to customers (rules 7), and of those past their reply "
      "time.\n"
      "# TYPE linecrew_follow_ups_owed gauge\n"
      "linecrew_follow_ups_owed{state=\"due\"} " +
      std::to_string(fu.opened - fu.overdue) + "\nlinecrew_follow_ups_owed{state=\"overdue\"} " +
      std::to_string(fu.overdue) + "\n";
  const ComplaintFigures cp = tickets_.open_complaints();
  out +=
      "# HELP linecrew_complaints_open Complaints the customer has not yet called satisfied (rules 7), by "
      "severity.\n"
      "# TYPE linecrew_complaints_open gauge\n"
      "linecrew_complaints_open{severity=\"ordinary\"} " +
      std::to_string(cp.open - cp.serious) + "\nlinecrew_complaints_open{severity=\"serious\"} " +
      std::to_string(cp.serious) +
      "\n# HELP linecrew_complaint_oldest_open_seconds Age of the oldest open complaint (0: none).\n"
      "# TYPE linecrew_complaint_oldest_open_seconds gauge\n"
      "linecrew_complaint_oldest_open_seconds " +
      std::to_string(cp.oldest_open ? std::max<std::int64_t>(0, (now - *cp.oldest_open).count()) : 0) + "\n";
  if (planning_) {
    const app::PlanningStats st = planning_->stats();
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", st.last_replan_ms / 1000.0);
    out +=
        "# HELP linecrew_predicted_misses Tickets the plan predicts late or cannot assign.\n"
        "# TYPE linecrew_predicted_misses gauge\n"
        "linecrew_predicted_misses " +
        std::to_string(st.predicted_late + st.unassigned) + "\n" +
        "# HELP linecrew_replan_seconds Duration of the last background re-plan.\n"
        "# TYPE linecrew_replan_seconds gauge\n"
        "linecrew_replan_seconds " +
        ms + "\n" +
        "# HELP linecrew_replans_total Background re-plans run.\n"
        "# TYPE linecrew_replans_total counter\n"
        "linecrew_replans_total " +
        std::to_string(st.replans) + "\n";
  }
  if (sync_) {
    out +=
        "# HELP linecrew_sync_lag_seconds Time since the crew's handheld last pulled its changes.\n"
        "# TYPE linecrew_sync_lag_seconds gauge\n";
    for (const auto& lag : sync_->sync_lag())
      out += "linecrew_sync_lag_seconds{crew=\"" + lag.crew.str() + "\"} " +
             std::to_string(lag.since_last_pull.count()) + "\n";
  }
  return out + app::rpc_stats().render();
}

}  // namespace linecrew::http
