// Customer ETA updates (issue 6): what to tell a customer and when. Pure
// rules: from what the customer can know now (CustomerFacts) and what they
// have been told (ToldState), the notices due; when each may go out (hourly
// cap, quiet hours of rules §4); and the message texts, rendered from data
// templates per event and language.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/placeholders.h"
#include "linecrew/core/policy.h"
#include "linecrew/core/ticket.h"
#include "linecrew/core/time.h"

namespace linecrew {

// The stored told state is a bit per kind in this order: new kinds go at the end.
enum class NoticeKind : std::uint8_t {
  kAssigned,           // a crew is planned: the first ETA window (again after a withdrawal)
  kEtaChanged,         // the ETA moved by the threshold or more since last told
  kEnRoute,            // the crew is on its way
  kArrived,            // the crew is there
  kRestored,           // power back on, with the cause in plain words
  kReturnVisit,        // not fixable on site: the committed return time
  kCancelled,          // the dispatcher cancelled the ticket
  kNewTimeAgreed,      // the crew recorded a new time agreed with the customer
  kAcknowledged,       // the report is stored: its reference and the tracking link (rules §7), before anything else
  kWithdrawn,          // the crew told no longer has the ticket, which is back with the desk (rules §7)
  kFollowUpApology,    // a follow-up is overdue: the progress, an apology and a new reply time (rules §4, §7)
  kComplaintReceived,  // a complaint was recorded: acknowledged with an apology, to the complainant (rules §7)
};
std::string_view to_string(NoticeKind kind);  // "assigned", "eta_changed", ...
std::optional<NoticeKind> parse_notice_kind(std::string_view text);
// Urgent notices go out at any hour; the others (restored, return visit,
// follow-up apologies, complaint acknowledgements) wait for contact hours (rules §4).
bool is_urgent(NoticeKind kind);
// Exempt from the hourly cap: the customer has just agreed a time on the
// phone, the ticket is over, the crew they expect is not coming (withdrawn),
// the report has just been taken (acknowledged: always the first message),
// or an apology is owed (follow-up overdue, complaint received).
bool is_cap_exempt(NoticeKind kind);
// Whether a message of `kind` uses up the hourly cap: all but the
// acknowledgement, a receipt that must not hold back the first news of the crew.
bool counts_toward_cap(NoticeKind kind);

// The window told to a customer around an ETA: [eta - before, eta + after],
// rounded outwards to 5 minutes, starting no earlier than `now` (rounded
// down) and at least 15 minutes long: a window is never in the past.
struct EtaWindow {
  TimePoint from;
  TimePoint to;
  bool operator==(const EtaWindow&) const = default;
};
EtaWindow eta_window(TimePoint eta, const NotifyPolicy& policy, TimePoint now);

// What the customer can be told now, from the ticket and the plan.
struct CustomerFacts {
  TicketStatus status = TicketStatus::kReported;
  bool assigned = false;                 // a crew owns the ticket
  std::optional<TimePoint> eta;          // the plan's arrival estimate
  std::optional<TimePoint> agreed;       // the latest time agreed with the customer (rules §2.2)
  std::string cause;                     // the cause found, as the crew wrote it
  std::optional<TimePoint> return_time;  // committed return, after "cannot fix"
  std::uint32_t apologies = 0;           // overdue follow-up apologies made, over all follow-ups (rules §7)
  std::optional<TimePoint> reply_time;   // the new reply time of the latest of them
  std::uint32_t complaints = 0;          // complaints recorded (each acknowledged to its complainant)
};
CustomerFacts customer_facts(const Ticket& ticket, std::optional<TimePoint> eta);

// What the customer has been told, kept per ticket. A withdrawal starts a new
// round: "assigned" and "en_route" are told again for the next crew.
struct ToldState {
  std::uint32_t told = 0;           // bit per NoticeKind sent (or queued); assigned and en_route: in this round
  std::optional<TimePoint> eta;     // the ETA last told (none after a withdrawal)
  std::optional<TimePoint> agreed;  // the agreed time last confirmed
  std::uint32_t eta_updates = 0;    // ETA-changed notices so far
  std::uint32_t view_version = 0;   // +1 whenever what the customer sees changes
  std::uint32_t withdrawals = 0;    // withdrawn notices so far
  std::uint32_t apologies = 0;      // follow-up apologies told so far (CustomerFacts::apologies)
  std::uint32_t complaints = 0;     // complaints acknowledged so far

  bool has(NoticeKind k) const { return (told >> static_cast<unsigned>(k)) & 1U; }
  void mark(NoticeKind k) { told |= 1U << static_cast<unsigned>(k); }
  void unmark(NoticeKind k) { told &= ~(1U << static_cast<unsigned>(k)); }
  bool operator==(const ToldState&) const = default;
};

struct Notice {
  NoticeKind kind;
  std::string key;                      // unique per ticket: "acknowledged", "assigned", "eta:2", "withdrawn",
                                        // "assigned:2" (the second round), "agreed:1795850400", ...
  std::optional<TimePoint> eta;         // the ETA it tells, if any
  std::optional<TimePoint> agreed;      // for kNewTimeAgreed
  std::optional<TimePoint> reply_time;  // for kFollowUpApology
  std::uint32_t complaint = 0;          // for kComplaintReceived: the complaint's number (its complainant is told)
};

// The notices due now, in the order to send them; updates `told`. The first
// is the acknowledgement, unless the customer was told something before or the
// ticket is first seen already past its crew's arrival or over. A ticket
// that moved on past a stage before it was told (e.g. arrived while the
// handheld was offline) skips the stale stages. An ETA that moved less than
// the threshold since the last one told sends nothing, nor does one still by
// the time agreed with the customer. A ticket back with the desk (no crew,
// status reported) after its crew was told sends "withdrawn" and starts a new
// round; a cancelled one sends only "cancelled". A crew replaced directly by
// another is not news in itself: the new crew's ETA is compared with the one
// told, as any ETA.
std::vector<Notice> next_notices(const CustomerFacts& facts, ToldState& told, const NotifyPolicy& policy);

// For a ticket already evaluated with next_notices (leaving `told`) whose only
// change since is its planned ETA, now `eta`: false when next_notices would
// certainly send nothing, so the ticket need not be read again (the
// notifier's ETA sweep). True may still send nothing.
bool eta_may_need_notice(TicketStatus status, const ToldState& told, TimePoint eta, const NotifyPolicy& policy);

// The earliest time a notice of `kind` may go out at or after `now`, given
// when this ticket's earlier messages that count toward the cap
// (counts_toward_cap) went out: at most max_per_hour in any hour (except
// cap-exempt kinds), non-urgent ones only in contact hours.
TimePoint send_time(NoticeKind kind, TimePoint now, const std::vector<TimePoint>& sent_times,
                    const ServicePolicy& policy);

// The customer message and timeline texts, per language, from a JSON file:
//   {"default_language": "zh-CN",
//    "languages": {"zh-CN": {"messages": {"assigned": "...", ... every NoticeKind},
//                            "timeline": {"cause_found": "...", "new_time_agreed": "...", "cannot_fix": "..."},
//                            "page": {"title": "...", ...free labels for the tracking page},
//                            "status": {"reported": "...", ... every TicketStatus}}}}
// Placeholders: {company} {customer} {ticket} {crew} {eta_from} {eta_to}
// {agreed} {cause} {return_time} {reply_time} {link}.
class NoticeTemplates {
 public:
  // Throws Error(kInvalidArgument, "<source>: <where>: ...").
  static NoticeTemplates from_json(std::string_view text, std::string_view source);
  static NoticeTemplates load_file(const std::string& path);

  // The language used for `wanted` ("" or unknown: the default).
  const std::string& language(std::string_view wanted) const;
  std::string message(NoticeKind kind, std::string_view language, const PlaceholderValues& values) const;
  // A timeline entry's text; empty when the templates have none for `event`.
  std::string timeline(std::string_view event, std::string_view language, const PlaceholderValues& values) const;
  // A tracking page label; `key` itself when missing.
  std::string page(std::string_view key, std::string_view language) const;
  std::string status(TicketStatus status, std::string_view language) const;

 private:
  struct Language {
    std::map<std::string, std::string, std::less<>> messages, timeline, page, status;
  };
  const Language& lang(std::string_view wanted) const;
  std::string default_language_;
  std::map<std::string, Language, std::less<>> languages_;
};

}  // namespace linecrew
