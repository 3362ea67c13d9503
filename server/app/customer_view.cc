#include "linecrew/server/app/customer_view.h"

#include <algorithm>

#include "linecrew/core/error.h"

namespace linecrew::app {

namespace {

std::string hhmm(TimePoint t, const ServicePolicy& policy) {
  return format_hhmm(t, policy.utc_offset);
}

}  // namespace

bool customer_visible(const TicketEvent& e) {
  // The contract's visible kinds (customer.proto); "accepted" is internal to the desk and crew.
  static const std::array<std::string_view, 11> kVisible = {
      "reported",       "assigned",  "en_route", "arrived",    "cause_found",
      "restored",       "cancelled", "closed",   "cannot_fix", "explained_to_customer",
      "contact_attempt"};
  if (std::find(kVisible.begin(), kVisible.end(), e.kind) == kVisible.end()) return false;
  // Only a consented contact is shown ("new time agreed"); refused or unreachable never.
  if (e.kind == "contact_attempt") return e.detail.find("agreed ") != std::string::npos;
  return true;
}

PlaceholderValues notice_values(const Ticket& t, const std::optional<Crew>& crew, const ServicePolicy& policy,
                                const std::optional<EtaWindow>& window, const std::string& link) {
  const CustomerFacts facts = customer_facts(t, std::nullopt);
  PlaceholderValues v = {
      {"company", policy.company_name},
      {"customer", t.customer.name},
      {"ticket", t.id.str()},
      {"crew", crew && !crew->members.empty() ? crew->members.front().first_name : std::string()},
      {"cause", redact_crew_text(facts.cause, crew)},
      {"link", link},
  };
  if (window) {
    v["eta_from"] = hhmm(window->from, policy);
    v["eta_to"] = hhmm(window->to, policy);
  }
  if (facts.agreed) v["agreed"] = hhmm(*facts.agreed, policy);
  if (facts.return_time) v["return_time"] = hhmm(*facts.return_time, policy);
  return v;
}

CustomerView customer_view(const Ticket& t, const ToldState& told, const std::optional<Crew>& crew,
                           const NoticeTemplates& templates, const ServicePolicy& policy, TimePoint now) {
  CustomerView v;
  v.ticket = t.id;
  v.status = t.status;
  v.language = templates.language(t.customer.language);
  v.effective_deadline = t.effective_deadline();
  if (crew_travelling(t.status) && told.eta && !t.owner.empty())
    v.eta_window = eta_window(*told.eta, policy.notify, now);
  if (!t.owner.empty() && crew && !crew->members.empty()) v.crew_first_name = crew->members.front().first_name;
  const PlaceholderValues values = notice_values(t, crew, policy, v.eta_window, "");
  for (const TicketEvent& e : t.timeline) {
    if (!customer_visible(e)) continue;
    CustomerTimelineEntry entry{e.time, e.kind, {}};
    if (e.kind == "cause_found") {
      PlaceholderValues with = values;
      with["cause"] = redact_crew_text(e.detail, crew);
      entry.message = templates.timeline("cause_found", v.language, with);
    } else if (e.kind == "contact_attempt") {
      PlaceholderValues with = values;
      const auto at = e.detail.find("agreed ");
      try {
        with["agreed"] = hhmm(parse_utc(std::string_view(e.detail).substr(at + 7, 20), "agreed"), policy);
      } catch (const Error&) {
      }
      entry.message = templates.timeline("new_time_agreed", v.language, with);
    } else if (e.kind == "cannot_fix") {
      entry.message = templates.timeline("cannot_fix", v.language, values);
    }
    v.timeline.push_back(std::move(entry));
  }
  // Both counters only grow: the ticket on every stored change, the told
  // state on every change of what the customer was told.
  v.version = t.version + told.view_version;
  return v;
}

bool tracking_valid(const Ticket& t, TimePoint now, const ServicePolicy& policy) {
  if (!is_terminal(t.status)) return true;
  TimePoint ended = t.created;
  for (const TicketEvent& e : t.timeline)
    if (e.kind == "closed" || e.kind == "cancelled") ended = std::max(ended, e.time);
  return now < ended + policy.notify.tracking_retention;
}

}  // namespace linecrew::app
