// What a customer may see about their own ticket (proto CustomerTicketView):
// status, the ETA window last told to them, the crew's first name, the
// promised time and a timeline of customer-visible events, with texts from
// the notice templates. Built from the ticket, the notifier's ToldState and
// the crew; no phone numbers, surnames, staff numbers or positions (crew
// text goes through redact_crew_text with the ticket's crew).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linecrew/core/crew.h"
#include "linecrew/core/notify.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "linecrew/server/app/redact.h"
#include "linecrew/server/app/signal.h"

namespace linecrew::app {

struct CustomerTimelineEntry {
  TimePoint time;
  std::string kind;     // the ticket timeline kind: "reported", "assigned", "en_route", "arrived", ...
  std::string message;  // rendered text for cause found, agreed time, return visit; else empty
  bool operator==(const CustomerTimelineEntry&) const = default;
};

struct CustomerView {
  TicketId ticket;
  TicketStatus status = TicketStatus::kReported;
  std::optional<EtaWindow> eta_window;  // unset when no crew is planned, or it has arrived
  std::string crew_first_name;          // the lead member's first name; empty if none assigned
  TimePoint effective_deadline;
  std::vector<CustomerTimelineEntry> timeline;  // oldest first
  std::string language;                         // of the texts: "zh-CN" or "en"
  std::uint64_t version = 0;                    // grows on every change of the view
};

// Timeline kinds a customer sees (the proto's visible kinds).
bool customer_visible(const TicketEvent& event);

// `now` keeps the window from starting in the past.
CustomerView customer_view(const Ticket& ticket, const ToldState& told, const std::optional<Crew>& crew,
                           const NoticeTemplates& templates, const ServicePolicy& policy, TimePoint now);

// The placeholder values for messages and timeline texts about `ticket`.
PlaceholderValues notice_values(const Ticket& ticket, const std::optional<Crew>& crew, const ServicePolicy& policy,
                                const std::optional<EtaWindow>& window, const std::string& link);

// Where the customer-facing channels (tracking page, CustomerService) get
// views from; the Notifier implements it.
class CustomerViews {
 public:
  virtual ~CustomerViews() = default;
  // The view for a tracking token; nullopt when the token is unknown,
  // malformed or expired (tracking_valid). The token is compared in constant time.
  virtual std::optional<CustomerView> by_token(std::string_view token) = 0;
  // Notified whenever some customer's view may have changed.
  virtual ChangeSignal& view_changes() = 0;
  virtual const NoticeTemplates& templates() const = 0;
  virtual const ServicePolicy& policy() const = 0;
};

// True while a tracking token for `ticket` is valid at `now`: until the
// policy's retention after it was closed or cancelled.
bool tracking_valid(const Ticket& ticket, TimePoint now, const ServicePolicy& policy);

}  // namespace linecrew::app
