#include "linecrew/core/notify.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "language_file.h"
#include "linecrew/core/crew_action.h"
#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/core/io.h"

namespace linecrew {

namespace {

constexpr std::array<std::string_view, 12> kNoticeNames = {
    "assigned",  "eta_changed",     "en_route",     "arrived",   "restored",          "return_visit",
    "cancelled", "new_time_agreed", "acknowledged", "withdrawn", "follow_up_apology", "complaint_received"};
static_assert(kNoticeNames.size() == static_cast<std::size_t>(NoticeKind::kComplaintReceived) + 1,
              "a name for every NoticeKind");
static_assert(kNoticeNames.size() <= 32, "ToldState::told has a bit per NoticeKind");
const std::set<std::string, std::less<>> kPlaceholders = {"company",     "customer",   "ticket", "crew",
                                                          "eta_from",    "eta_to",     "agreed", "cause",
                                                          "return_time", "reply_time", "link"};
const std::array<std::string_view, 3> kTimelineEvents = {"cause_found", "new_time_agreed", "cannot_fix"};

// Down to a whole 5 minutes.
TimePoint floor5(TimePoint t) {
  const auto m = std::chrono::floor<std::chrono::minutes>(t);
  return m - minutes(((m.time_since_epoch().count() % 5) + 5) % 5);
}

constexpr int kStatusCount = static_cast<int>(TicketStatus::kReturnVisitOwed) + 1;

[[noreturn]] void fail(std::string_view source, const std::string& where, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, std::string(source), where + ": " + what);
}

// A {"key": "text"} object of templates, each checked for placeholders.
std::map<std::string, std::string, std::less<>> text_map(const nlohmann::json& v, std::string_view source,
                                                         const std::string& where) {
  if (!v.is_object()) fail(source, where, "must be an object of texts");
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& [key, text] : v.items()) {
    if (!text.is_string()) fail(source, (where + ".").append(key), "must be a string");
    if (const auto err = check_placeholders(text.get<std::string>(), kPlaceholders))
      fail(source, (where + ".").append(key), *err);
    out[key] = text.get<std::string>();
  }
  return out;
}

}  // namespace

std::string_view to_string(NoticeKind kind) {
  return enum_name(kNoticeNames, kind);
}
std::optional<NoticeKind> parse_notice_kind(std::string_view text) {
  return enum_from<NoticeKind>(kNoticeNames, text);
}

bool is_urgent(NoticeKind kind) {
  return kind != NoticeKind::kRestored && kind != NoticeKind::kReturnVisit && kind != NoticeKind::kFollowUpApology &&
         kind != NoticeKind::kComplaintReceived;
}

bool is_cap_exempt(NoticeKind kind) {
  return kind == NoticeKind::kNewTimeAgreed || kind == NoticeKind::kCancelled || kind == NoticeKind::kWithdrawn ||
         kind == NoticeKind::kAcknowledged || kind == NoticeKind::kFollowUpApology ||
         kind == NoticeKind::kComplaintReceived;
}

bool counts_toward_cap(NoticeKind kind) {
  return kind != NoticeKind::kAcknowledged;
}

EtaWindow eta_window(TimePoint eta, const NotifyPolicy& policy, TimePoint now) {
  const TimePoint from = std::max(floor5(eta - policy.window_before), floor5(now));
  TimePoint to = floor5(eta + policy.window_after);
  if (to < eta + policy.window_after) to += minutes(5);
  return {from, std::max(to, from + minutes(15))};
}

CustomerFacts customer_facts(const Ticket& t, std::optional<TimePoint> eta) {
  CustomerFacts f;
  f.status = t.status;
  f.assigned = !t.owner.empty();
  f.eta = eta;
  std::optional<TimePoint> latest_call;
  for (const ContactRecord& c : t.contacts)
    if (c.consent == Consent::kYes && (!latest_call || c.time >= *latest_call)) {
      latest_call = c.time;
      f.agreed = c.proposed_time;
    }
  for (const TicketEvent& e : t.timeline) {
    if (e.kind == "cause_found") f.cause = e.detail;
    if (e.kind == "cannot_fix") f.return_time = parse_cannot_fix_detail(e.detail).committed_return;
  }
  for (const FollowUp& fu : t.follow_ups) {
    f.apologies += fu.apologies;
    if (fu.apologies && (!f.reply_time || fu.due > *f.reply_time)) f.reply_time = fu.due;
  }
  f.complaints = static_cast<std::uint32_t>(t.complaints.size());
  return f;
}

std::vector<Notice> next_notices(const CustomerFacts& f, ToldState& told, const NotifyPolicy& policy) {
  std::vector<Notice> out;
  const ToldState before = told;
  const auto add = [&](NoticeKind kind, std::string key, std::optional<TimePoint> eta) {
    told.mark(kind);
    out.push_back(
        {kind, std::move(key), eta, kind == NoticeKind::kNewTimeAgreed ? f.agreed : std::nullopt, std::nullopt, 0});
  };
  // Keys are unique per ticket: a stage told again after a withdrawal is "assigned:2", "en_route:2", ...
  const auto in_round = [](const std::string& key, std::uint32_t round) {
    return round <= 1 ? key : key + ":" + std::to_string(round);
  };
  using S = TicketStatus;
  // The first word, before a crew is planned. Stale for a ticket first seen
  // past its crew's arrival or over; too late once anything else was told.
  if (told.told == 0 && !crew_has_arrived(f.status) && !is_terminal(f.status))
    add(NoticeKind::kAcknowledged, "acknowledged", std::nullopt);
  if (f.status == S::kCancelled) {
    if (!told.has(NoticeKind::kCancelled)) add(NoticeKind::kCancelled, "cancelled", std::nullopt);
  } else {
    if (f.agreed && f.agreed != told.agreed) {
      told.agreed = f.agreed;
      told.eta = f.agreed;
      add(NoticeKind::kNewTimeAgreed, "agreed:" + std::to_string(f.agreed->time_since_epoch().count()), f.agreed);
    }
    if (f.status == S::kReported && !f.assigned && told.has(NoticeKind::kAssigned)) {
      // The crew told no longer has the ticket and no other crew does: back
      // in the queue. The next crew is told afresh, in a new round.
      ++told.withdrawals;
      told.unmark(NoticeKind::kAssigned);
      told.unmark(NoticeKind::kEnRoute);
      told.eta.reset();
      add(NoticeKind::kWithdrawn, in_round("withdrawn", told.withdrawals), std::nullopt);
    }
    const std::uint32_t round = told.withdrawals + 1;
    if (crew_travelling(f.status) && f.assigned && f.eta) {
      if (!told.has(NoticeKind::kAssigned)) {
        told.eta = f.eta;
        add(NoticeKind::kAssigned, in_round("assigned", round), f.eta);
      } else if (f.status == S::kEnRoute && !told.has(NoticeKind::kEnRoute)) {
        told.eta = f.eta;
        add(NoticeKind::kEnRoute, in_round("en_route", round), f.eta);
      } else if (told.eta && !(told.agreed && *f.eta <= *told.agreed) &&
                 (*f.eta - *told.eta >= policy.eta_change_threshold ||
                  *told.eta - *f.eta >= policy.eta_change_threshold)) {
        // (An arrival expected by the time agreed with the customer is no news.)
        told.eta = f.eta;
        ++told.eta_updates;
        add(NoticeKind::kEtaChanged, "eta:" + std::to_string(told.eta_updates), f.eta);
      }
    }
    if (crew_has_arrived(f.status) && !told.has(NoticeKind::kArrived))
      add(NoticeKind::kArrived, "arrived", std::nullopt);
    if ((f.status == S::kRestored || f.status == S::kClosed) && !told.has(NoticeKind::kRestored))
      add(NoticeKind::kRestored, "restored", std::nullopt);
    if (f.status == S::kReturnVisitOwed && !told.has(NoticeKind::kReturnVisit))
      add(NoticeKind::kReturnVisit, "return_visit", std::nullopt);
  }
  // The service loop after the crew (rules §7), whatever the ticket's status.
  if (f.apologies > told.apologies) {  // several at once are one message, with the latest reply time
    told.apologies = f.apologies;
    told.mark(NoticeKind::kFollowUpApology);
    out.push_back({NoticeKind::kFollowUpApology, "apology:" + std::to_string(told.apologies), std::nullopt,
                   std::nullopt, f.reply_time, 0});
  }
  for (; told.complaints < f.complaints; ++told.complaints) {
    told.mark(NoticeKind::kComplaintReceived);
    out.push_back({NoticeKind::kComplaintReceived, "complaint:" + std::to_string(told.complaints + 1), std::nullopt,
                   std::nullopt, std::nullopt, told.complaints + 1});
  }
  if (!(told == before)) ++told.view_version;
  return out;
}

bool eta_may_need_notice(TicketStatus status, const ToldState& told, TimePoint eta, const NotifyPolicy& policy) {
  using S = TicketStatus;
  if (!crew_travelling(status)) return false;
  if (!told.has(NoticeKind::kAssigned)) return true;  // waiting for a first ETA
  if (status == S::kEnRoute && !told.has(NoticeKind::kEnRoute)) return true;
  if (!told.eta || (told.agreed && eta <= *told.agreed)) return false;
  return eta - *told.eta >= policy.eta_change_threshold || *told.eta - eta >= policy.eta_change_threshold;
}

TimePoint send_time(NoticeKind kind, TimePoint now, const std::vector<TimePoint>& sent_times,
                    const ServicePolicy& policy) {
  TimePoint t = now;
  for (int guard = 0; guard < 1000; ++guard) {
    TimePoint next = t;
    if (!is_cap_exempt(kind)) {
      // The sends in the hour before `t`; the cap frees up an hour after the oldest of them.
      std::vector<TimePoint> window;
      for (TimePoint s : sent_times)
        if (s > t - hours(1) && s <= t) window.push_back(s);
      if (window.size() >= policy.notify.max_per_hour) {
        std::sort(window.begin(), window.end());
        next = std::max(next, window[window.size() - policy.notify.max_per_hour] + hours(1));
      }
    }
    if (!is_urgent(kind)) next = policy.next_non_urgent_call(next);
    if (next == t) return t;
    t = next;
  }
  return t;
}

NoticeTemplates NoticeTemplates::from_json(std::string_view text, std::string_view source) {
  NoticeTemplates t;
  t.default_language_ = detail::read_language_file(
      text, source, [&](const std::string& name, const nlohmann::json& body, const std::string& where) {
        Language l;
        l.messages = text_map(body.value("messages", nlohmann::json()), source, where + ".messages");
        for (const auto k : kNoticeNames)
          if (!l.messages.count(k)) fail(source, where + ".messages." + std::string(k), "missing");
        l.timeline = text_map(body.value("timeline", nlohmann::json::object()), source, where + ".timeline");
        for (const auto& [key, _] : l.timeline)
          if (std::find(kTimelineEvents.begin(), kTimelineEvents.end(), key) == kTimelineEvents.end())
            fail(source, (where + ".timeline.").append(key),
                 "unknown event (cause_found, new_time_agreed, cannot_fix)");
        l.page = text_map(body.value("page", nlohmann::json::object()), source, where + ".page");
        l.status = text_map(body.value("status", nlohmann::json()), source, where + ".status");
        for (int i = 0; i < kStatusCount; ++i) {
          const auto k = to_string(static_cast<TicketStatus>(i));
          if (!l.status.count(k)) fail(source, where + ".status." + std::string(k), "missing");
        }
        t.languages_[name] = std::move(l);
      });
  if (!t.languages_.count(t.default_language_))
    fail(source, "default_language", "'" + t.default_language_ + "' has no templates");
  return t;
}

NoticeTemplates NoticeTemplates::load_file(const std::string& path) {
  return from_json(read_text_file(path), path);
}

const std::string& NoticeTemplates::language(std::string_view wanted) const {
  const auto it = languages_.find(wanted);
  return it == languages_.end() ? default_language_ : it->first;
}

const NoticeTemplates::Language& NoticeTemplates::lang(std::string_view wanted) const {
  return languages_.find(language(wanted))->second;
}

std::string NoticeTemplates::message(NoticeKind kind, std::string_view language,
                                     const PlaceholderValues& values) const {
  return render_placeholders(lang(language).messages.find(to_string(kind))->second, values);
}

std::string NoticeTemplates::timeline(std::string_view event, std::string_view language,
                                      const PlaceholderValues& values) const {
  const auto& m = lang(language).timeline;
  const auto it = m.find(event);
  return it == m.end() ? std::string() : render_placeholders(it->second, values);
}

std::string NoticeTemplates::page(std::string_view key, std::string_view language) const {
  const auto& m = lang(language).page;
  const auto it = m.find(key);
  return it == m.end() ? std::string(key) : it->second;
}

std::string NoticeTemplates::status(TicketStatus status, std::string_view language) const {
  return lang(language).status.find(to_string(status))->second;
}

}  // namespace linecrew
