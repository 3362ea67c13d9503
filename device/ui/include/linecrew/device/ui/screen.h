// The handheld's terminal screen as pure data: a snapshot of the local store
// (route, delay watcher, open call cards, sync state), rendered for a terminal
// size into lines with attributes, and the keys mapped to commands that act
// through the existing device functions (record(), record_call(), watch()).
// No curses in here: device/ui/tui.* draws these lines and reads the keys, so
// the whole screen logic is tested without a terminal. Time is passed in.
//
// Keys (a rugged handheld has a keypad and a few more):
//   route:  Up/Down (or k/j) select, 1 accept, 2 en route, 3 arrived,
//           4 cause found (asks for the text), 5 restored, 6 explained,
//           7 left site, h need help (asks what help), c open the call
//           card, q quit
//   call card: y customer agreed (then +/- moves the agreed time by 5 min,
//           Enter records it), n refused, u unreachable, d dropped,
//           w next reason, Up/Down scroll the script, Esc back to the route
//   text:   type, Backspace, Enter records, Esc cancels
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "linecrew/core/call_script.h"
#include "linecrew/core/delay_watch.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/travel.h"
#include "linecrew/device/app/watch.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/ui/text_width.h"  // display_width, fit, wrap

namespace linecrew::device::ui {

// Keys that are not printable ASCII (printable keys are their character).
enum Key : int {
  kKeyUp = 0x1001,
  kKeyDown,
  kKeyLeft,
  kKeyRight,
  kKeyEnter,
  kKeyEscape,
  kKeyBackspace,
};

// Line attributes, combinable.
enum Attr : unsigned {
  kNormal = 0,
  kBold = 1u << 0,
  kReverse = 1u << 1,
  kRed = 1u << 2,
  kDim = 1u << 3,
  kGreen = 1u << 4,
};

struct Line {
  std::string text;  // UTF-8, at most the terminal's width in display columns
  unsigned attr = kNormal;
  bool operator==(const Line&) const = default;
};

// What the sync side says (the UI's sync agent, or nothing when not syncing).
struct SyncStatus {
  bool enabled = false;                // a sync agent is running
  std::optional<bool> online;          // the last sync's outcome; nullopt before the first
  std::optional<TimePoint> last_sync;  // last successful sync (store meta "last_sync")
  std::size_t outbox = 0;
  std::string error;  // the last failure
};

// One stop of the crew's remaining route.
struct RouteRow {
  LocalTicket ticket;
  std::optional<DelayDecision> decision;        // for a stop ahead of the crew
  bool breach = false;                          // predicted late, or the deadline has passed
  std::optional<ConfirmationDue> confirmation;  // a scheduled visit to confirm now (rules §4)
};

// An open delay-call card (the watcher said PromptNow; it stays open while
// Prompted or Escalated, until a call outcome moves or retires the deadline).
struct CallCard {
  LocalTicket ticket;
  DelayDecision decision;
  DelayReason reason = DelayReason::kTraffic;
  std::vector<std::string> steps;  // the rendered script (prompt_script())
  std::vector<std::string> guardrails;
};

struct Snapshot {
  TimePoint now;
  Duration utc_offset = hours(8);     // for the times shown
  std::vector<RouteRow> route;        // the plan's order, then the rest by deadline; close-outs and removals last
  std::vector<CallCard> calls;        // open cards, route order
  std::vector<TicketId> new_prompts;  // PromptNow in this snapshot
  SyncStatus sync;
  std::optional<GeoPoint> position;  // the crew's last known position
};

// Runs the delay watcher (which logs new prompts as shown) and reads the
// store: the screen's data at `now`. The call cards are rendered with `reason`.
Snapshot take_snapshot(LocalStore& store, TimePoint now, const TravelModel& travel,
                       const CallScriptTemplates& templates, const SyncStatus& sync, double slowdown = 1.0,
                       DelayReason reason = DelayReason::kTraffic);

enum class Mode {
  kRoute,      // the route list
  kCall,       // a call card
  kAgreeTime,  // the customer agreed: adjusting the agreed time
  kText,       // typing the text an action needs
};

// What the screen remembers between snapshots (not domain state).
struct ViewState {
  Mode mode = Mode::kRoute;
  TicketId selected;                                           // the selected route stop
  TicketId call;                                               // the open card's ticket
  TimePoint call_deadline;                                     // its effective deadline when opened
  bool call_by_hand = false;                                   // opened with 'c', not by a prompt
  std::set<std::pair<std::string, TimePoint::rep>> put_aside;  // cards closed with Esc: (ticket, deadline)
  std::size_t scroll = 0;                                      // the card's script scroll
  TimePoint agreed;                                            // kAgreeTime
  DelayReason reason = DelayReason::kTraffic;
  std::string input;           // kText
  std::string pending_action;  // kText: the action waiting for its text
  std::string message;         // the last outcome or error
  unsigned message_attr = kNormal;
  bool quit = false;
};

// Brings the view in line with a new snapshot: keeps the selection on an
// existing stop, opens the first open card not put aside (a new prompt
// always opens), closes a card that is no longer open.
void update_view(ViewState& view, const Snapshot& snap);

// The screen: exactly `rows` lines, none wider than `cols` display columns.
// Made for 40x16 and up; smaller sizes get what fits.
std::vector<Line> render(const Snapshot& snap, const ViewState& view, int rows, int cols);

enum class CommandKind {
  kNone,
  kQuit,
  kUp,
  kDown,
  kAction,        // arg: the crew action on the selected stop
  kOpenCall,      // the selected stop's call card
  kCallOutcome,   // arg: "yes" (asks for the agreed time), "refused", "unreachable", "dropped"
  kConfirmation,  // arg: "confirmed" or "unreachable": the selected visit's confirmation call (rules §4)
  kNextReason,
  kLater,    // agreed time + 5 min
  kEarlier,  // agreed time - 5 min
  kConfirm,
  kBack,
  kChar,  // arg: the character typed
  kBackspace,
};

struct Command {
  CommandKind kind = CommandKind::kNone;
  std::string arg;
  bool operator==(const Command&) const = default;
};

// The command a key means in the view's mode.
Command command_for_key(int key, const ViewState& view);

// Carries out `cmd`: moves the selection or changes mode, or records through
// record() / record_call(). Errors the crew can act on (an illegal transition,
// a removed ticket, a missing text) become the message line, nothing is
// written then; only store failures throw.
void execute(const Command& cmd, const Snapshot& snap, ViewState& view, LocalStore& store, const DeviceId& device_id,
             TimePoint now);

// The time left to a deadline: "mm:ss" under an hour, else "h:mm"; a
// leading '-' once it has passed.
std::string countdown(Duration left);

}  // namespace linecrew::device::ui
