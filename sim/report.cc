#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>

namespace linecrew::sim {

double Samples::mean() const {
  if (ms.empty()) return 0;
  return std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
}

double Samples::percentile(double p) const {
  if (ms.empty()) return 0;
  std::vector<double> v = ms;
  std::sort(v.begin(), v.end());
  // Nearest rank.
  const auto rank = static_cast<std::size_t>(std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size())));
  return v[rank == 0 ? 0 : rank - 1];
}

double RunReport::lateness_mean() const {
  Samples s{lateness_min};
  return s.mean();
}

double RunReport::lateness_p95() const {
  Samples s{lateness_min};
  return s.percentile(0.95);
}

double RunReport::tickets_per_crew_mean() const {
  if (crews == 0) return 0;
  std::uint64_t n = 0;
  for (const auto& [c, k] : tickets_by_crew) n += k;
  return static_cast<double>(n) / static_cast<double>(crews);
}

std::uint32_t RunReport::tickets_per_crew_max() const {
  std::uint32_t m = 0;
  for (const auto& [c, k] : tickets_by_crew) m = std::max(m, k);
  return m;
}

double RunReport::delay_notice_compliance_sim() const {
  std::uint32_t late = 0, excused = 0;
  for (const auto& z : sim) {
    late += z.arrivals - z.on_time;
    excused += z.late_excused;
  }
  return late ? static_cast<double>(excused) / late : 1.0;
}

namespace {

// The multi-caller faults of the outcomes: visits, crews, arrivals; and the server's links of every call.
FaultFigures fault_figures(const std::vector<TicketOutcome>& outcomes) {
  FaultFigures f;
  std::map<std::uint32_t, std::vector<const TicketOutcome*>> by_fault;
  for (const auto& o : outcomes) {
    if (o.fault) by_fault[*o.fault].push_back(&o);
    if (o.linked) ++f.linked;
    if (o.linked && !o.linked_same_fault) ++f.linked_elsewhere;
  }
  for (const auto& entry : by_fault) {
    const auto& calls = entry.second;
    if (calls.size() < 2) continue;
    ++f.faults;
    std::set<std::string> crews;
    for (const TicketOutcome* o : calls) {
      ++f.calls;
      if (!o->visitors.empty()) ++f.visits;
      crews.insert(o->visitors.begin(), o->visitors.end());
      if (!o->arrival) continue;
      ++f.reached;
      if (*o->arrival <= o->deadline) ++f.on_time;
    }
    f.crews += static_cast<std::uint32_t>(crews.size());
  }
  return f;
}

}  // namespace

void tally(RunReport& r, const std::vector<TicketOutcome>& outcomes, TimePoint now) {
  r.faults = fault_figures(outcomes);
  r.sim = {};
  r.lateness_min.clear();
  r.tickets_by_crew.clear();
  r.unreached = 0;
  for (const auto& o : outcomes) {
    auto& z = r.sim[static_cast<std::size_t>(o.zone)];
    ++z.tickets;
    std::vector<ContactRecord> contacts = o.contacts;
    std::stable_sort(contacts.begin(), contacts.end(),
                     [](const ContactRecord& a, const ContactRecord& b) { return a.time < b.time; });
    const auto verdict = evaluate_compliance(o.deadline, o.arrival, contacts, now);
    if (verdict.compliance == Compliance::kViolation) ++z.violations;
    if (!o.arrival) {
      ++r.unreached;
      continue;
    }
    ++z.arrivals;
    ++r.tickets_by_crew[o.crew];
    if (*o.arrival <= o.deadline) {
      ++z.on_time;
    } else {
      r.lateness_min.push_back(static_cast<double>((*o.arrival - o.deadline).count()) / 60.0);
      if (verdict.compliance == Compliance::kLateExcused) ++z.late_excused;
    }
  }
}

double margin_pp(const ZoneFigures& a, const ZoneFigures& b) {
  return 100.0 * (a.on_time_rate() - b.on_time_rate());
}

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pct(double rate) {
  return fmt("%.1f %%", 100.0 * rate);
}

std::string row(const std::string& name, const std::string& a, const std::string& b, const std::string& extra = "") {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-40s %20s %20s  %s\n", name.c_str(), a.c_str(), b.c_str(), extra.c_str());
  return buf;
}

std::string count_of(std::uint64_t n) {
  return std::to_string(n);
}

// One fault, many callers: how each policy served the scenario's faults with several callers. Only when
// there are some (or the server linked calls anyway).
std::string fault_rows(const RunReport& a, const RunReport* b) {
  const auto any = [](const RunReport& r) { return r.faults.faults > 0 || r.faults.linked > 0; };
  if (!any(a) && !(b && any(*b))) return "";
  const auto other = [&](auto f) { return b ? f(*b) : std::string("-"); };
  std::string out;
  const auto size = [](const RunReport& r) { return count_of(r.faults.faults) + " / " + count_of(r.faults.calls); };
  out += "  faults with several callers (the scenario's true faults)\n";
  out += row("    faults / their calls", size(a), other(size));
  const auto visits = [](const RunReport& r) {
    return count_of(r.faults.visits) + " (" + fmt("%.2f", r.faults.crews_per_fault()) + ")";
  };
  out += row("    crew visits (crews per fault)", visits(a), other(visits));
  const auto linked = [](const RunReport& r) {
    return count_of(r.faults.linked) + " (" + count_of(r.faults.linked_elsewhere) + ")";
  };
  out += row("    calls linked by server (wrong fault)", linked(a), other(linked));
  const auto on_time = [](const RunReport& r) {
    return pct(r.faults.on_time_rate()) + " (" + count_of(r.faults.on_time) + "/" + count_of(r.faults.reached) + ")";
  };
  out += row("    on-time rate of their calls", on_time(a), other(on_time),
             b ? fmt("%+.1f pp", 100.0 * (a.faults.on_time_rate() - b->faults.on_time_rate())) : "");
  return out;
}

}  // namespace

std::string format_report(const RunReport& a, const RunReport* b) {
  const auto other = [&](auto f) { return b ? f(*b) : std::string("-"); };
  std::string out;
  out += row("", "Linecrew (planner)", b ? "baseline (nearest free)" : "", b ? "margin" : "");
  out += "  on-time arrival rate by zone class (arrival <= original deadline)\n";
  for (std::size_t z = 0; z < 3; ++z) {
    const auto name = std::string("    ") + std::string(to_string(kAllZoneClasses[z]));
    const auto& za = a.sim[z];
    const auto cell = [&](const RunReport& r) {
      const auto& f = r.sim[z];
      return pct(f.on_time_rate()) + " (" + std::to_string(f.on_time) + "/" + std::to_string(f.arrivals) + ")";
    };
    out += row(name, cell(a), other(cell), b ? fmt("%+.1f pp", margin_pp(za, b->sim[z])) : "");
  }
  out += row("  server GetReport on-time rate", "", "");
  for (std::size_t z = 0; z < 3; ++z) {
    const auto cell = [&](const RunReport& r) {
      const auto& f = r.server[z];
      return pct(f.on_time_rate()) + " (" + std::to_string(f.on_time) + "/" + std::to_string(f.arrivals) + ")";
    };
    out += row(std::string("    ") + std::string(to_string(kAllZoneClasses[z])), cell(a), other(cell));
  }
  out += row("  tickets reached / reported",
             count_of(a.sim[0].arrivals + a.sim[1].arrivals + a.sim[2].arrivals) + " / " +
                 count_of(a.sim[0].tickets + a.sim[1].tickets + a.sim[2].tickets),
             other([](const RunReport& r) {
               return count_of(r.sim[0].arrivals + r.sim[1].arrivals + r.sim[2].arrivals) + " / " +
                      count_of(r.sim[0].tickets + r.sim[1].tickets + r.sim[2].tickets);
             }));
  out += fault_rows(a, b);
  const auto dnc = [](const RunReport& r) {
    return pct(r.server_delay_notice_compliance) + " (" + std::to_string(r.server_late_with_consent) + "/" +
           std::to_string(r.server_late_arrivals) + ")";
  };
  out += row("  delay-notice compliance (server)", dnc(a), other(dnc));
  const auto viol = [](const RunReport& r) { return count_of(r.server_violations); };
  out += row("  violations (server)", viol(a), other(viol));
  const auto esc = [](const RunReport& r) {
    return count_of(r.escalations_opened) + " (" + count_of(r.escalations_open) + " unacknowledged)";
  };
  out += row("  escalations opened (server)", esc(a), other(esc));
  std::map<std::string, bool> kinds;
  for (const auto& k : a.escalations_by_kind) kinds[k.first] = true;
  if (b)
    for (const auto& k : b->escalations_by_kind) kinds[k.first] = true;
  for (const auto& k : kinds) {
    const std::string& kind = k.first;  // a plain local: clang 14 cannot capture a structured binding
    const auto n = [&kind](const RunReport& r) {
      const auto it = r.escalations_by_kind.find(kind);
      return count_of(it == r.escalations_by_kind.end() ? 0 : it->second);
    };
    out += row("    " + kind, n(a), other(n));
  }
  const auto fu = [](const RunReport& r) {
    return count_of(r.follow_ups_opened) + " (" + count_of(r.follow_ups_overdue) + " overdue, " +
           count_of(r.follow_up_apologies) + " apologies)";
  };
  out += row("  follow-ups opened (server)", fu(a), other(fu));
  const auto late = [](const RunReport& r) {
    return fmt("%.1f", r.lateness_mean()) + " / " + fmt("%.1f", r.lateness_p95()) + " min";
  };
  out += row("  lateness of late arrivals mean / p95", late(a), other(late));
  const auto tpc = [](const RunReport& r) {
    return fmt("%.1f", r.tickets_per_crew_mean()) + " (max " + std::to_string(r.tickets_per_crew_max()) + ")";
  };
  out += row("  tickets reached per crew", tpc(a), other(tpc));
  const auto calls = [](const RunReport& r) {
    return std::to_string(r.prompts) + ": " + std::to_string(r.calls_consent) + "/" + std::to_string(r.calls_refused) +
           "/" + std::to_string(r.calls_unreachable);
  };
  out += row("  delay prompts: calls yes/refused/unreach.", calls(a), other(calls));
  const auto create = [](const RunReport& r) {
    return fmt("%.1f", r.create_ms.mean()) + " / " + fmt("%.1f", r.create_ms.percentile(0.95)) + " ms";
  };
  out += row("  planner: CreateTicket (insert) mean/p95", create(a), other(create));
  const auto replan = [](const RunReport& r) {
    return r.replan_ms.count() ? fmt("%.1f", r.replan_ms.mean()) + " / " + fmt("%.1f", r.replan_ms.percentile(0.95)) +
                                     " ms (" + std::to_string(r.replans) + ")"
                               : std::string("none");
  };
  out += row("  planner: re-plan mean/p95 (count)", replan(a), other(replan));
  std::vector<std::string> names;
  for (const auto& [n, s] : a.rpc_ms) names.push_back(n);
  if (b)
    for (const auto& [n, s] : b->rpc_ms)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  for (const auto& n : names) {
    const auto lat = [&](const RunReport& r) {
      const auto it = r.rpc_ms.find(n);
      if (it == r.rpc_ms.end()) return std::string("-");
      return fmt("%.2f", it->second.mean()) + " / " + fmt("%.2f", it->second.percentile(0.95)) + " ms";
    };
    out += row("  rpc " + n + " mean/p95 (client)", lat(a), other(lat));
  }
  const auto sync = [](const RunReport& r) {
    return fmt("%.1f", static_cast<double>(r.sync_up_bytes) / 1024.0) + " / " +
           fmt("%.1f", static_cast<double>(r.sync_down_bytes) / 1024.0) + " KiB";
  };
  out += row("  sync payload up / down", sync(a), other(sync));
  const auto per = [](const RunReport& r) {
    return r.syncs
               ? fmt("%.0f", static_cast<double>(r.sync_up_bytes + r.sync_down_bytes) / static_cast<double>(r.syncs)) +
                     " B (" + std::to_string(r.syncs) + ")"
               : std::string("-");
  };
  out += row("  sync payload per sync (syncs)", per(a), other(per));
  const auto push = [](const RunReport& r) {
    return std::to_string(r.pushes_desk) + " / " + std::to_string(r.pushes_board) + " (" +
           std::to_string(r.board_updates) + ")";
  };
  out += row("  pushes desk / board (board updates)", push(a), other(push));
  const auto gap = [](const RunReport& r) {
    return std::to_string(r.max_offline_outbox) + " / " + std::to_string(r.uploaded_after_gap);
  };
  out += row("  offline: max outbox / actions up after gap", gap(a), other(gap));
  const auto wall = [](const RunReport& r) {
    return fmt("%.1f s", r.wall_seconds) + " (" + std::to_string(r.steps) + " steps)";
  };
  out += row("  wall time", wall(a), other(wall));
  const auto split = [](const RunReport& r) {
    return fmt("%.0f", r.setup_seconds) + "/" + fmt("%.0f", r.desk_seconds) + "/" + fmt("%.0f", r.crews_seconds) + "/" +
           fmt("%.0f s", r.finish_seconds);
  };
  out += row("    set-up/desk/crews/finish", split(a), other(split));
  const auto cpu = [](const RunReport& r) {
    return fmt("%.0f", r.server_cpu_seconds) + " / " + fmt("%.0f s", r.sim_cpu_seconds);
  };
  out += row("    CPU server / simulator", cpu(a), other(cpu));
  return out;
}

}  // namespace linecrew::sim
