#include "linecrew/device/ui/screen.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include "linecrew/core/error.h"
#include "linecrew/device/app/actions.h"
#include "linecrew/device/app/watch.h"

namespace linecrew::device::ui {

namespace {

// --- UTF-8 ----------------------------------------------------------------

// The code point at text[i] and its length in bytes; a malformed byte is U+FFFD, one byte.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size()) return {U'\uFFFD', 1};
  if (len == 1) return {b, 1};
  char32_t cp = b & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c >> 6) != 0x2) return {U'\uFFFD', 1};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, len};
}

int width_of(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F)) return 0;  // combining, zero-width
  const bool wide =
      (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
      (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

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

// The crew actions on keys 1..7.
constexpr std::array<const char*, 7> kActionKeys = {
    "accept", "en_route", "arrived", "cause_found", "restored", "explained_to_customer", "left_site"};

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

void record_action(const Snapshot& snap, ViewState& view, LocalStore& store, const std::string& device_id,
                   TimePoint now, const std::string& action, const std::string& text) {
  if (view.selected.empty()) return say(view, "no ticket selected", kRed);
  ActionInput in;
  in.action = action;
  in.ticket = view.selected;
  in.text = text;
  if (action == "arrived") in.position = snap.position;
  if (attempt(view, [&] { record(store, device_id, in, now); }))
    say(view, in.ticket.str() + ": " + action + " (queued)", kGreen);
}

void record_outcome(const Snapshot& snap, ViewState& view, LocalStore& store, const std::string& device_id,
                    TimePoint now, const std::string& outcome, std::optional<TimePoint> proposed) {
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
  return action == "cause_found" ? "cause" : action;
}

}  // namespace

int display_width(std::string_view text) {
  int w = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = decode(text, i);
    w += width_of(cp);
    i += len;
  }
  return w;
}

std::string fit(std::string_view text, int cols) {
  int w = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto [cp, len] = decode(text, i);
    if (cp == U'\n' || w + width_of(cp) > cols) break;
    w += width_of(cp);
    i += len;
  }
  return std::string(text.substr(0, i));
}

std::vector<std::string> wrap(std::string_view text, int cols) {
  std::vector<std::string> out;
  if (cols <= 0) return out;
  std::string line;
  int w = 0;
  std::size_t space = std::string::npos;  // the last space in `line`
  int w_after_space = 0;                  // the width after that space
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = decode(text, i);
    const std::string ch(text.substr(i, len));
    i += len;
    if (cp == U'\n') {
      out.push_back(line);
      line.clear();
      w = 0;
      space = std::string::npos;
      continue;
    }
    const int cw = width_of(cp);
    if (w + cw > cols) {
      if (cp == U' ') {  // a space at the break point vanishes
        out.push_back(line);
        line.clear();
        w = 0;
        space = std::string::npos;
        continue;
      }
      // Latin words break at the last space; Chinese (a wide character overflowing) anywhere.
      if (space != std::string::npos && space > 0 && cw < 2) {
        out.push_back(line.substr(0, space));
        line = line.substr(space + 1);
        w -= w_after_space;
      } else {
        out.push_back(line);
        line.clear();
        w = 0;
      }
      space = std::string::npos;
    }
    if (cp == U' ') {
      space = line.size();
      w_after_space = w + cw;
    }
    line += ch;
    w += cw;
  }
  if (!line.empty() || out.empty()) out.push_back(line);
  return out;
}

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
  for (const auto& d : w.new_prompts) snap.new_prompts.push_back(d.id);

  for (const RouteStop& s : w.stops) {  // the watcher's order: the plan's, then by deadline
    RouteRow r;
    r.ticket = tickets.at(s.id.str());
    if (const auto it = decisions.find(s.id.str()); it != decisions.end()) {
      r.decision = it->second;
      r.breach = it->second.state != DelayState::kOnTrack;
    }
    if (r.ticket.status != TicketStatus::kOnSite && now > r.ticket.effective_deadline) r.breach = true;
    snap.route.push_back(std::move(r));
    if (const auto it = decisions.find(s.id.str()); it != decisions.end() && it->second.state != DelayState::kTooLate) {
      const CallScript script = prompt_script(store, tickets.at(s.id.str()), it->second, templates, reason);
      snap.calls.push_back(CallCard{tickets.at(s.id.str()), it->second, reason, script.steps, script.guardrails});
    }
  }
  for (const auto& t : all)  // close-outs still owed, then what the server took away
    if (t.removed.empty() && t.status == TicketStatus::kRestored) snap.route.push_back(RouteRow{t, std::nullopt});
  for (const auto& t : all)
    if (!t.removed.empty()) snap.route.push_back(RouteRow{t, std::nullopt});
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
    hint = "1acc 2road 3arr 4cause 5rest 6expl 7left c call q";
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

void execute(const Command& cmd, const Snapshot& snap, ViewState& view, LocalStore& store, const std::string& device_id,
             TimePoint now) {
  const CallCard* card = find_card(snap, view.call);
  switch (cmd.kind) {
    case CommandKind::kNone:
      return;
    case CommandKind::kQuit:
      view.quit = true;
      return;
    case CommandKind::kUp:
    case CommandKind::kDown: {
      const bool down = cmd.kind == CommandKind::kDown;
      if (view.mode == Mode::kCall) {
        view.scroll = down ? view.scroll + 1 : (view.scroll > 0 ? view.scroll - 1 : 0);
        return;
      }
      if (snap.route.empty()) return;
      std::size_t i = selected_index(snap, view);
      if (down && i + 1 < snap.route.size()) ++i;
      if (!down && i > 0) --i;
      view.selected = snap.route[i].ticket.id;
      return;
    }
    case CommandKind::kAction:
      if (cmd.arg == "cause_found") {
        if (view.selected.empty()) return say(view, "no ticket selected", kRed);
        view.mode = Mode::kText;
        view.pending_action = cmd.arg;
        view.input.clear();
        return;
      }
      return record_action(snap, view, store, device_id, now, cmd.arg, "");
    case CommandKind::kOpenCall: {
      const CallCard* sel = find_card(snap, view.selected);
      if (!sel) return say(view, "no call card: not a stop ahead", kRed);
      view.put_aside.erase(aside_key(*sel));
      return open_card(view, *sel, true);
    }
    case CommandKind::kCallOutcome:
      if (!card) return;
      if (cmd.arg == "yes") {
        view.mode = Mode::kAgreeTime;
        view.agreed = card->decision.proposed_time;
        if (view.agreed <= now) view.agreed = round_up(now + minutes(5), minutes(5));
        return;
      }
      return record_outcome(snap, view, store, device_id, now, cmd.arg, std::nullopt);
    case CommandKind::kNextReason: {
      std::size_t i = 0;
      while (i < kReasons.size() && kReasons[i] != view.reason) ++i;
      view.reason = kReasons[(i + 1) % kReasons.size()];
      return;
    }
    case CommandKind::kLater:
      view.agreed += minutes(5);
      return;
    case CommandKind::kEarlier:
      if (view.agreed - minutes(5) > now) view.agreed -= minutes(5);
      return;
    case CommandKind::kConfirm:
      if (view.mode == Mode::kAgreeTime) {
        if (!card) return;
        record_outcome(snap, view, store, device_id, now, "yes", view.agreed);
        view.mode = Mode::kCall;  // update_view closes the card once the deadline has moved
        return;
      }
      if (view.mode == Mode::kText) {
        view.mode = Mode::kRoute;
        record_action(snap, view, store, device_id, now, view.pending_action, view.input);
        view.input.clear();
      }
      return;
    case CommandKind::kBack:
      if (view.mode == Mode::kAgreeTime) {
        view.mode = Mode::kCall;
      } else if (view.mode == Mode::kCall) {
        if (card) view.put_aside.insert(aside_key(*card));
        view.mode = Mode::kRoute;
      } else if (view.mode == Mode::kText) {
        view.mode = Mode::kRoute;
        view.input.clear();
      }
      return;
    case CommandKind::kChar:
      view.input += cmd.arg;
      return;
    case CommandKind::kBackspace:
      while (!view.input.empty()) {  // one whole UTF-8 character
        const auto last = static_cast<unsigned char>(view.input.back());
        view.input.pop_back();
        if ((last & 0xC0) != 0x80) break;
      }
      return;
  }
}

}  // namespace linecrew::device::ui
