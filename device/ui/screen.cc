#include "linecrew/device/ui/screen.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <string_view>

#include "linecrew/core/error.h"
#include "linecrew/device/app/actions.h"
#include "linecrew/device/app/watch.h"

namespace linecrew::device::ui {

namespace {

// --- text helpers -----------------------------------------------------------

std::string hhmm(TimePoint t, Duration offset) {
  return format_hhmm(t, offset);
}

std::string pad_left(const std::string& s, int cols) {
  const int w = display_width(s);
  return w >= cols ? s : std::string(static_cast<std::size_t>(cols - w), ' ') + s;
}

std::string_view short_status(TicketStatus s) {
  switch (s) {
    case TicketStatus::kReported:
    case TicketStatus::kAssigned:
      return "new ";
    case TicketStatus::kAccepted:
      return "acc ";
    case TicketStatus::kEnRoute:
      return "road";
    case TicketStatus::kOnSite:
      return "site";
    case TicketStatus::kRestored:
      return "rest";
    case TicketStatus::kClosed:
      return "clsd";
    case TicketStatus::kCancelled:
      return "canc";
    case TicketStatus::kReturnVisitOwed:
      return "rtrn";
  }
  return "?   ";
}

constexpr std::array<DelayReason, 5> kReasons = {DelayReason::kTraffic, DelayReason::kWeather,
                                                 DelayReason::kPreviousJobOverran, DelayReason::kEquipment,
                                                 DelayReason::kOther};

// The crew actions on keys 1..7; 'h' asks the desk for help; on a visit to
// confirm (rules §4), 'v' records the customer's confirmation and 'u' a call
// that did not reach them (a new time agreed: linecrew-device act).
constexpr std::array<const char*, 7> kActionKeys = {
    "accept", "en_route", "arrived", "cause_found", "restored", "explained_to_customer", "left_site"};
constexpr int kHelpKey = 'h';
constexpr int kConfirmedKey = 'v';
constexpr int kUnreachableKey = 'u';

// The actions that ask for a text before they are recorded.
bool needs_text(const std::string& action) {
  return action == "cause_found" || action == "need_help";
}

// The route's key hint: all of it where it fits, else a short form that
// keeps every action key (the handheld's 40 columns).
constexpr std::string_view kRouteHint = "1acc 2road 3arr 4cause 5rest 6expl 7left h help c call q";
constexpr std::string_view kRouteHintNarrow = "1acc 2go 3arr 4cau 5rst 6exp 7lft h help";

bool card_due(DelayState s) {
  return s == DelayState::kPromptNow || s == DelayState::kPrompted || s == DelayState::kEscalate;
}

const CallCard* find_card(const Snapshot& snap, const TicketId& id) {
  for (const auto& c : snap.calls)
    if (c.ticket.id == id) return &c;
  return nullptr;
}

bool is_due(const CallCard& c) {
  return card_due(c.decision.state);
}

std::pair<std::string, TimePoint::rep> aside_key(const CallCard& c) {
  return {c.ticket.id.str(), c.decision.effective_deadline.time_since_epoch().count()};
}

void open_card(ViewState& view, const CallCard& c, bool by_hand) {
  view.mode = Mode::kCall;
  view.call = c.ticket.id;
  view.call_deadline = c.decision.effective_deadline;
  view.call_by_hand = by_hand;
  view.scroll = 0;
}

std::size_t selected_index(const Snapshot& snap, const ViewState& view) {
  for (std::size_t i = 0; i < snap.route.size(); ++i)
    if (snap.route[i].ticket.id == view.selected) return i;
  return 0;
}

void say(ViewState& view, std::string text, unsigned attr = kNormal) {
  view.message = std::move(text);
  view.message_attr = attr;
}

// Runs a recording step; an Error becomes the message line.
template <class F>
bool attempt(ViewState& view, F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    say(view, e.what(), kRed | kBold);
    return false;
  }
}

void record_action(const Snapshot& snap, ViewState& view, LocalStore& store, const DeviceId& device_id, TimePoint now,
                   const std::string& action, const std::string& text) {
  if (view.selected.empty()) return say(view, "no ticket selected", kRed);
  ActionInput in;
  in.action = action;
  in.ticket = view.selected;
  in.text = text;
  if (action == "arrived") in.position = snap.position;
  if (attempt(view, [&] { record(store, device_id, in, now); }))
    say(view, in.ticket.str() + ": " + action + " (queued)", kGreen);
}

// The selected visit's confirmation call (rules §4): confirmed, or not reached (call again).
void record_confirmation_call(ViewState& view, LocalStore& store, const DeviceId& device_id, TimePoint now,
                              const std::string& outcome) {
  if (view.selected.empty()) return say(view, "no ticket selected", kRed);
  ActionInput in;
  in.action = "confirmation_call";
  in.ticket = view.selected;
  in.confirmation = outcome == "confirmed" ? ConfirmationOutcome::kConfirmed : ConfirmationOutcome::kUnreachable;
  if (attempt(view, [&] { record(store, device_id, in, now); }))
    say(view, in.ticket.str() + ": confirmation " + outcome + " (queued)", kGreen);
}

void record_outcome(const Snapshot& snap, ViewState& view, LocalStore& store, const DeviceId& device_id, TimePoint now,
                    const std::string& outcome, std::optional<TimePoint> proposed) {
  CallOutcome call;
  call.ticket = view.call;
  call.outcome = outcome;
  call.reason = view.reason;
  call.proposed = proposed;
  if (!attempt(view, [&] { record_call(store, device_id, call, now); })) return;
  if (outcome == "yes") {
    say(view, "agreed " + format_hhmm(*proposed, snap.utc_offset) + ": deadline moved", kGreen);
  } else if (outcome == "dropped") {
    say(view, "call dropped: redial now", kRed | kBold);
  } else {
    say(view, "customer " + outcome + ": escalated; call again", kRed | kBold);
  }
}

// --- rendering ---------------------------------------------------------------

class Canvas {
 public:
  Canvas(int rows, int cols) : cols_(std::max(cols, 0)), lines_(static_cast<std::size_t>(std::max(rows, 0))) {}
  void put(int row, const std::string& text, unsigned attr = kNormal) {
    if (row < 0 || row >= static_cast<int>(lines_.size())) return;
    lines_[static_cast<std::size_t>(row)] = Line{fit(text, cols_), attr};
  }
  int rows() const { return static_cast<int>(lines_.size()); }
  int cols() const { return cols_; }
  std::vector<Line> take() { return std::move(lines_); }

 private:
  int cols_;
  std::vector<Line> lines_;
};

std::string status_bar(const Snapshot& snap) {
  std::string s = hhmm(snap.now, snap.utc_offset) + " ";
  if (!snap.sync.enabled) {
    s += "LOCAL";
  } else if (!snap.sync.online) {
    s += "CONNECTING";
  } else {
    s += *snap.sync.online ? "ONLINE" : "OFFLINE";
  }
  s += " out:" + std::to_string(snap.sync.outbox);
  s += " sync:" + (snap.sync.last_sync ? hhmm(*snap.sync.last_sync, snap.utc_offset) : std::string("never"));
  return s;
}

unsigned status_attr(const Snapshot& snap) {
  return kReverse | (snap.sync.enabled && snap.sync.online && !*snap.sync.online ? kRed : kNormal);
}

std::string route_line(const Snapshot& snap, const RouteRow& r, bool selected) {
  const LocalTicket& t = r.ticket;
  std::string left;
  if (!t.removed.empty()) {
    left = "gone";
  } else if (t.status == TicketStatus::kOnSite) {
    left = "here";
  } else if (t.status == TicketStatus::kRestored) {
    left = "close";
  } else {
    left = countdown(t.effective_deadline - snap.now);
  }
  return std::string(selected ? ">" : " ") + pad_left(left, 6) + " " + std::string(short_status(t.status)) + " " +
         t.customer_name + " " + t.address;
}

unsigned route_attr(const RouteRow& r, bool selected) {
  unsigned a = selected ? kReverse : kNormal;
  if (!r.ticket.removed.empty()) return a | kDim;
  if (r.breach) a |= kRed | kBold;
  return a;
}

void render_route(Canvas& c, const Snapshot& snap, const ViewState& view) {
  const int list_rows = std::max(c.rows() - 5, 1);
  const std::size_t sel = selected_index(snap, view);
  if (snap.route.empty()) c.put(1, " no tickets", kDim);
  const std::size_t first = sel >= static_cast<std::size_t>(list_rows) ? sel + 1 - list_rows : 0;
  for (int row = 0; row < list_rows; ++row) {
    const std::size_t i = first + static_cast<std::size_t>(row);
    if (i >= snap.route.size()) break;
    const bool is_sel = i == sel;
    c.put(1 + row, route_line(snap, snap.route[i], is_sel), route_attr(snap.route[i], is_sel));
  }
  if (snap.route.empty()) return;
  const RouteRow& r = snap.route[sel];
  std::string a = r.ticket.id.str() + " dl " + hhmm(r.ticket.effective_deadline, snap.utc_offset);
  if (r.decision) {
    a += " eta " + hhmm(r.decision->predicted_arrival, snap.utc_offset);
    if (r.decision->late_minutes > 0) a += " +" + std::to_string(r.decision->late_minutes) + "m";
  }
  a += " " + (r.ticket.removed.empty() ? std::string(to_string(r.ticket.status)) : "[" + r.ticket.removed + "]");
  c.put(c.rows() - 4, a, r.breach ? kRed | kBold : kBold);
  if (r.confirmation) {  // rules §4: the confirmation call comes before the address
    c.put(c.rows() - 3,
          "CONFIRM " + r.ticket.customer_phone + " by " + hhmm(r.confirmation->window.due, snap.utc_offset) +
              " (visit " + hhmm(r.confirmation->window.appointment, snap.utc_offset) + ") v=ok u=no answer",
          r.confirmation->overdue ? kRed | kBold : kBold);
    return;
  }
  c.put(c.rows() - 3, r.ticket.customer_phone + " " + r.ticket.address);
}

void render_call(Canvas& c, const Snapshot& snap, const ViewState& view, const CallCard& card) {
  const DelayDecision& d = card.decision;
  c.put(0, "CALL " + card.ticket.customer_name + " " + card.ticket.customer_phone,
        is_due(card) ? kReverse | kRed | kBold : kReverse);
  std::string l1 = d.late_minutes > 0 ? "late " + std::to_string(d.late_minutes) + "m " : "on time ";
  l1 += "propose " + hhmm(d.proposed_time, snap.utc_offset) + " by " + hhmm(d.effective_deadline, snap.utc_offset);
  c.put(1, l1, kBold);
  std::string l2 =
      "call in " + countdown(d.effective_deadline - snap.now) + " (" + std::string(to_string(card.reason)) + ", w)";
  if (d.escalate) l2 += " ESCALATED";
  c.put(2, l2, d.escalate ? kRed | kBold : kNormal);
  std::vector<std::string> body;
  for (std::size_t i = 0; i < card.steps.size(); ++i)
    for (auto& l : wrap(std::to_string(i + 1) + ". " + card.steps[i], c.cols())) body.push_back(std::move(l));
  for (const auto& g : card.guardrails)
    for (auto& l : wrap("! " + g, c.cols())) body.push_back(std::move(l));
  const int body_rows = std::max(c.rows() - 5, 0);
  const std::size_t max_scroll = body.size() > static_cast<std::size_t>(body_rows) ? body.size() - body_rows : 0;
  const std::size_t first = std::min(view.scroll, max_scroll);
  for (int row = 0; row < body_rows && first + row < body.size(); ++row)
    c.put(3 + row, body[first + static_cast<std::size_t>(row)]);
}

std::string text_label(const std::string& action) {
  if (action == "cause_found") return "cause";
  if (action == "need_help") return "help";
  return action;
}

// --- commands ------------------------------------------------------------------

// What a command works on.
struct Exec {
  const Snapshot& snap;
  ViewState& view;
  LocalStore& store;
  const DeviceId& device_id;
  TimePoint now;
  const CallCard* card = nullptr;  // the open card (view.call), if it is in the snapshot
};

void move_selection(Exec& e, bool down) {
  if (e.snap.route.empty()) return;
  std::size_t i = selected_index(e.snap, e.view);
  if (down && i + 1 < e.snap.route.size()) ++i;
  if (!down && i > 0) --i;
  e.view.selected = e.snap.route[i].ticket.id;
}

// A crew action on the selected stop; cause_found and need_help first ask for their text.
void start_action(Exec& e, const std::string& action) {
  if (needs_text(action)) {
    if (e.view.selected.empty()) return say(e.view, "no ticket selected", kRed);
    e.view.mode = Mode::kText;
    e.view.pending_action = action;
    e.view.input.clear();
    return;
  }
  record_action(e.snap, e.view, e.store, e.device_id, e.now, action, "");
}

void open_selected_card(Exec& e) {
  const CallCard* sel = find_card(e.snap, e.view.selected);
  if (!sel) return say(e.view, "no call card: not a stop ahead", kRed);
  e.view.put_aside.erase(aside_key(*sel));
  open_card(e.view, *sel, true);
}

// "yes" asks for the agreed time first; the other outcomes are recorded now.
void call_outcome(Exec& e, const std::string& outcome) {
  if (!e.card) return;
  if (outcome == "yes") {
    e.view.mode = Mode::kAgreeTime;
    e.view.agreed = e.card->decision.proposed_time;
    if (e.view.agreed <= e.now) e.view.agreed = round_up(e.now + minutes(5), minutes(5));
    return;
  }
  record_outcome(e.snap, e.view, e.store, e.device_id, e.now, outcome, std::nullopt);
}

void next_reason(ViewState& view) {
  std::size_t i = 0;
  while (i < kReasons.size() && kReasons[i] != view.reason) ++i;
  view.reason = kReasons[(i + 1) % kReasons.size()];
}

void backspace(ViewState& view) {
  while (!view.input.empty()) {  // one whole UTF-8 character
    const auto last = static_cast<unsigned char>(view.input.back());
    view.input.pop_back();
    if ((last & 0xC0) != 0x80) break;
  }
}

// The commands that do the same in every mode (the mode functions below
// handle what differs).
void execute_any_mode(const Command& cmd, Exec& e) {
  switch (cmd.kind) {
    case CommandKind::kQuit:
      e.view.quit = true;
      return;
    case CommandKind::kUp:
    case CommandKind::kDown:
      return move_selection(e, cmd.kind == CommandKind::kDown);
    case CommandKind::kAction:
      return start_action(e, cmd.arg);
    case CommandKind::kOpenCall:
      return open_selected_card(e);
    case CommandKind::kCallOutcome:
      return call_outcome(e, cmd.arg);
    case CommandKind::kConfirmation:
      return record_confirmation_call(e.view, e.store, e.device_id, e.now, cmd.arg);
    case CommandKind::kNextReason:
      return next_reason(e.view);
    case CommandKind::kLater:
      e.view.agreed += minutes(5);
      return;
    case CommandKind::kEarlier:
      if (e.view.agreed - minutes(5) > e.now) e.view.agreed -= minutes(5);
      return;
    case CommandKind::kChar:
      e.view.input += cmd.arg;
      return;
    case CommandKind::kBackspace:
      return backspace(e.view);
    case CommandKind::kNone:
    case CommandKind::kConfirm:
    case CommandKind::kBack:
      return;
  }
}

// The route list: selection, crew actions, opening a card, quitting; nothing
// differs from the other modes (Confirm and Back do nothing here).
void execute_route(const Command& cmd, Exec& e) {
  execute_any_mode(cmd, e);
}

// A call card: Up/Down scroll the script, Back puts the card aside.
void execute_call(const Command& cmd, Exec& e) {
  switch (cmd.kind) {
    case CommandKind::kUp:
      e.view.scroll = e.view.scroll > 0 ? e.view.scroll - 1 : 0;
      return;
    case CommandKind::kDown:
      e.view.scroll = e.view.scroll + 1;
      return;
    case CommandKind::kBack:
      if (e.card) e.view.put_aside.insert(aside_key(*e.card));
      e.view.mode = Mode::kRoute;
      return;
    default:
      return execute_any_mode(cmd, e);
  }
}

// The customer agreed: Later/Earlier move the time, Confirm records it, Back returns to the card.
void execute_agree_time(const Command& cmd, Exec& e) {
  switch (cmd.kind) {
    case CommandKind::kConfirm:
      if (!e.card) return;
      record_outcome(e.snap, e.view, e.store, e.device_id, e.now, "yes", e.view.agreed);
      e.view.mode = Mode::kCall;  // update_view closes the card once the deadline has moved
      return;
    case CommandKind::kBack:
      e.view.mode = Mode::kCall;
      return;
    default:
      return execute_any_mode(cmd, e);
  }
}

// Typing an action's text: Confirm records the action with it, Back cancels.
void execute_text(const Command& cmd, Exec& e) {
  switch (cmd.kind) {
    case CommandKind::kConfirm:
      e.view.mode = Mode::kRoute;
      record_action(e.snap, e.view, e.store, e.device_id, e.now, e.view.pending_action, e.view.input);
      e.view.input.clear();
      return;
    case CommandKind::kBack:
      e.view.mode = Mode::kRoute;
      e.view.input.clear();
      return;
    default:
      return execute_any_mode(cmd, e);
  }
}

}  // namespace

std::string countdown(Duration left) {
  const bool late = left.count() < 0;
  const long s = static_cast<long>(late ? -left.count() : left.count());
  char buf[32];
  if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%s%02ld:%02ld", late ? "-" : "", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%s%ld:%02ld", late ? "-" : "", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

Snapshot take_snapshot(LocalStore& store, TimePoint now, const TravelModel& travel,
                       const CallScriptTemplates& templates, const SyncStatus& sync, double slowdown,
                       DelayReason reason) {
  Snapshot snap;
  snap.now = now;
  snap.sync = sync;
  snap.sync.outbox = store.outbox_size();
  if (!snap.sync.last_sync)
    if (const auto last = store.meta("last_sync")) {
      try {
        snap.sync.last_sync = TimePoint(Duration(std::stoll(*last)));
      } catch (const std::exception&) {
      }
    }
  if (const auto lat = store.meta("position_lat"), lon = store.meta("position_lon"); lat && lon) {
    try {
      snap.position = GeoPoint(std::stod(*lat), std::stod(*lon));
    } catch (const std::exception&) {
    }
  }

  const WatchResult w = watch(store, now, travel, slowdown);
  std::map<std::string, LocalTicket> tickets;
  const auto all = store.tickets();  // by effective deadline
  for (const auto& t : all) tickets.emplace(t.id.str(), t);
  std::map<std::string, DelayDecision> decisions;
  for (const auto& d : w.decisions) decisions.emplace(d.id.str(), d);
  std::map<std::string, ConfirmationDue> confirmations;
  for (const auto& c : w.confirmations) confirmations.emplace(c.ticket.str(), c);
  for (const auto& d : w.new_prompts) snap.new_prompts.push_back(d.id);

  for (const RouteStop& s : w.stops) {  // the watcher's order: the plan's, then by deadline
    RouteRow r;
    r.ticket = tickets.at(s.id.str());
    if (const auto it = decisions.find(s.id.str()); it != decisions.end()) {
      r.decision = it->second;
      r.breach = it->second.state != DelayState::kOnTrack;
    }
    if (r.ticket.status != TicketStatus::kOnSite && now > r.ticket.effective_deadline) r.breach = true;
    if (const auto it = confirmations.find(s.id.str()); it != confirmations.end()) r.confirmation = it->second;
    snap.route.push_back(std::move(r));
    if (const auto it = decisions.find(s.id.str()); it != decisions.end() && it->second.state != DelayState::kTooLate) {
      const CallScript script = prompt_script(store, tickets.at(s.id.str()), it->second, templates, reason);
      snap.calls.push_back(CallCard{tickets.at(s.id.str()), it->second, reason, script.steps, script.guardrails});
    }
  }
  for (const auto& t : all)  // close-outs still owed, then what the server took away
    if (t.removed.empty() && t.status == TicketStatus::kRestored)
      snap.route.push_back(RouteRow{t, std::nullopt, false, std::nullopt});
  for (const auto& t : all)
    if (!t.removed.empty()) snap.route.push_back(RouteRow{t, std::nullopt, false, std::nullopt});
  return snap;
}

void update_view(ViewState& view, const Snapshot& snap) {
  bool found = false;
  for (const auto& r : snap.route) found = found || r.ticket.id == view.selected;
  if (!found) view.selected = snap.route.empty() ? TicketId() : snap.route.front().ticket.id;

  if (view.mode == Mode::kCall || view.mode == Mode::kAgreeTime) {
    // A card closes when its stop is done or gone, when a consented call moved
    // the deadline, or (unless opened by hand) when no call is due any more.
    const CallCard* open = find_card(snap, view.call);
    if (!open || open->decision.effective_deadline != view.call_deadline || (!view.call_by_hand && !is_due(*open)))
      view.mode = Mode::kRoute;
  }
  if (view.mode != Mode::kRoute) return;
  for (const auto& c : snap.calls)
    if (is_due(c) && !view.put_aside.count(aside_key(c))) return open_card(view, c, false);
}

std::vector<Line> render(const Snapshot& snap, const ViewState& view, int rows, int cols) {
  Canvas c(rows, cols);
  if (c.rows() == 0) return c.take();
  const CallCard* card =
      view.mode == Mode::kCall || view.mode == Mode::kAgreeTime ? find_card(snap, view.call) : nullptr;
  if (card) {
    render_call(c, snap, view, *card);
  } else {
    c.put(0, status_bar(snap), status_attr(snap));
    render_route(c, snap, view);
  }
  std::string hint;
  if (card && view.mode == Mode::kAgreeTime) {
    c.put(c.rows() - 2, "agreed " + hhmm(view.agreed, snap.utc_offset) + "? +/- 5 min", kBold | kGreen);
    hint = "+ later - earlier Enter save Esc back";
  } else if (card) {
    c.put(c.rows() - 2, view.message, view.message_attr);
    hint = "y agreed n refused u unreach d dropped w why Esc";
  } else if (view.mode == Mode::kText) {
    c.put(c.rows() - 2, text_label(view.pending_action) + ": " + view.input + "_", kBold);
    hint = "type; Enter save, Esc cancel";
  } else {
    c.put(c.rows() - 2, view.message, view.message_attr);
    hint = display_width(kRouteHint) <= c.cols() ? kRouteHint : kRouteHintNarrow;
  }
  if (c.rows() >= 2) c.put(c.rows() - 1, hint, kReverse);
  return c.take();
}

Command command_for_key(int key, const ViewState& view) {
  switch (view.mode) {
    case Mode::kRoute:
      if (key == 'q') return {CommandKind::kQuit, ""};
      if (key == kKeyUp || key == 'k') return {CommandKind::kUp, ""};
      if (key == kKeyDown || key == 'j') return {CommandKind::kDown, ""};
      if (key >= '1' && key <= '7') return {CommandKind::kAction, kActionKeys[static_cast<std::size_t>(key - '1')]};
      if (key == kHelpKey) return {CommandKind::kAction, "need_help"};
      if (key == kConfirmedKey) return {CommandKind::kConfirmation, "confirmed"};
      if (key == kUnreachableKey) return {CommandKind::kConfirmation, "unreachable"};
      if (key == 'c' || key == kKeyEnter) return {CommandKind::kOpenCall, ""};
      return {};
    case Mode::kCall:
      if (key == 'y') return {CommandKind::kCallOutcome, "yes"};
      if (key == 'n') return {CommandKind::kCallOutcome, "refused"};
      if (key == 'u') return {CommandKind::kCallOutcome, "unreachable"};
      if (key == 'd') return {CommandKind::kCallOutcome, "dropped"};
      if (key == 'w') return {CommandKind::kNextReason, ""};
      if (key == kKeyUp || key == 'k') return {CommandKind::kUp, ""};
      if (key == kKeyDown || key == 'j') return {CommandKind::kDown, ""};
      if (key == kKeyEscape || key == 'b' || key == 'q') return {CommandKind::kBack, ""};
      return {};
    case Mode::kAgreeTime:
      if (key == '+' || key == kKeyUp || key == kKeyRight) return {CommandKind::kLater, ""};
      if (key == '-' || key == kKeyDown || key == kKeyLeft) return {CommandKind::kEarlier, ""};
      if (key == kKeyEnter || key == 'y') return {CommandKind::kConfirm, ""};
      if (key == kKeyEscape || key == 'b') return {CommandKind::kBack, ""};
      return {};
    case Mode::kText:
      if (key == kKeyEnter) return {CommandKind::kConfirm, ""};
      if (key == kKeyEscape) return {CommandKind::kBack, ""};
      if (key == kKeyBackspace) return {CommandKind::kBackspace, ""};
      if ((key >= 0x20 && key < 0x7F) || (key >= 0x80 && key <= 0xFF))
        return {CommandKind::kChar, std::string(1, static_cast<char>(key))};
      return {};
  }
  return {};
}

void execute(const Command& cmd, const Snapshot& snap, ViewState& view, LocalStore& store, const DeviceId& device_id,
             TimePoint now) {
  Exec e{snap, view, store, device_id, now, find_card(snap, view.call)};
  switch (view.mode) {
    case Mode::kRoute:
      return execute_route(cmd, e);
    case Mode::kCall:
      return execute_call(cmd, e);
    case Mode::kAgreeTime:
      return execute_agree_time(cmd, e);
    case Mode::kText:
      return execute_text(cmd, e);
  }
}

}  // namespace linecrew::device::ui
