#include "linecrew/device/ui/tui.h"

#include <curses.h>

#include <langinfo.h>
#include <clocale>
#include <cstring>
#include <mutex>
#include <thread>

#include "linecrew/device/app/position_feed.h"
#include "linecrew/device/app/watch.h"
#include "linecrew/device/ui/screen.h"

namespace linecrew::device::ui {

namespace {

enum Pair : short { kPairRed = 1, kPairGreen = 2 };

int translate(int key) {
  switch (key) {
    case KEY_UP:
      return kKeyUp;
    case KEY_DOWN:
      return kKeyDown;
    case KEY_LEFT:
      return kKeyLeft;
    case KEY_RIGHT:
      return kKeyRight;
    case KEY_ENTER:
    case '\n':
    case '\r':
      return kKeyEnter;
    case 27:
      return kKeyEscape;
    case KEY_BACKSPACE:
    case 127:
    case 8:
      return kKeyBackspace;
    default:
      return key;
  }
}

attr_t curses_attr(unsigned a, bool colour) {
  attr_t out = A_NORMAL;
  if (a & kBold) out |= A_BOLD;
  if (a & kReverse) out |= A_REVERSE;
  if (a & kDim) out |= A_DIM;
  if (colour && (a & kRed)) out |= COLOR_PAIR(kPairRed);
  if (colour && (a & kGreen)) out |= COLOR_PAIR(kPairGreen);
  if (!colour && (a & kRed)) out |= A_BOLD | A_UNDERLINE;  // a monochrome screen still shows the breach
  return out;
}

void draw(const std::vector<Line>& lines, int cols, bool colour) {
  erase();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int row = static_cast<int>(i);
    const bool last = i + 1 == lines.size();
    // Bars span the width; the bottom-right cell is left alone (writing it scrolls some terminals).
    std::string text = lines[i].text;
    const int pad = cols - display_width(text) - (last ? 1 : 0);
    if ((lines[i].attr & kReverse) && pad > 0) text.append(static_cast<std::size_t>(pad), ' ');
    attrset(curses_attr(lines[i].attr, colour));
    mvaddstr(row, 0, text.c_str());
  }
  attrset(A_NORMAL);
  refresh();
}

// The sync agent's outcome, shared between its thread and the screen.
class SharedStatus {
 public:
  void report(const SyncReport& r) {
    std::lock_guard lock(mu_);
    status_.online = r.ok;
    status_.error = r.error;
  }
  SyncStatus get() const {
    std::lock_guard lock(mu_);
    return status_;
  }
  void enable() {
    std::lock_guard lock(mu_);
    status_.enabled = true;
  }

 private:
  mutable std::mutex mu_;
  SyncStatus status_;
};

}  // namespace

int run_tui(LocalStore& store, const Clock& clock, const CallScriptTemplates& templates, SyncAgent* agent,
            std::unique_ptr<position::PositionSource> position, const TuiOptions& options,
            const std::atomic<bool>& stop) {
  // UTF-8 for the customer's language; the handheld's locale may be plain C.
  std::setlocale(LC_ALL, "");
  if (std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");

  SharedStatus status;
  std::atomic<bool> stop_background{false};
  std::thread sync_thread;
  if (agent) {
    status.enable();
    sync_thread = std::thread([&] {
      agent->run(
          stop_background, [&](const SyncReport& r) { status.report(r); }, options.sync_interval);
    });
  }
  std::unique_ptr<PositionThread> positions;
  if (position)
    positions = std::make_unique<PositionThread>(std::move(position), store, clock, options.device_id,
                                                 [&](const std::string& e) {
                                                   store.add_notice({clock.now(), "", "position: " + e});
                                                 });

  initscr();
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  set_escdelay(50);
  curs_set(0);
  timeout(1000);  // redraw the countdowns every second
  const bool colour = has_colors();
  if (colour) {
    start_color();
    use_default_colors();
    init_pair(kPairRed, COLOR_RED, -1);
    init_pair(kPairGreen, COLOR_GREEN, -1);
  }

  const StraightLineTravel travel;
  ViewState view;
  int rc = 0;
  try {
    while (!stop && !view.quit) {
      Snapshot snap = take_snapshot(store, clock.now(), travel, templates, status.get(), options.slowdown, view.reason);
      snap.utc_offset = options.utc_offset;
      update_view(view, snap);
      int rows = 0, cols = 0;
      getmaxyx(stdscr, rows, cols);
      draw(render(snap, view, rows, cols), cols, colour);
      if (!snap.new_prompts.empty()) beep();
      const int key = getch();
      if (key == ERR || key == KEY_RESIZE) continue;
      execute(command_for_key(translate(key), view), snap, view, store, options.device_id, clock.now());
    }
  } catch (...) {
    endwin();
    stop_background = true;
    if (sync_thread.joinable()) sync_thread.join();
    throw;
  }
  endwin();
  stop_background = true;
  if (sync_thread.joinable()) sync_thread.join();
  positions.reset();
  return rc;
}

}  // namespace linecrew::device::ui
