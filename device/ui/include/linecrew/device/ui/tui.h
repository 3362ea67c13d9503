// The terminal UI (`linecrew-device ui`): draws the screen model
// (device/ui/screen.h) with ncurses, reads keys with a one-second timeout (the
// countdowns redraw every second; no busy loop), and runs the sync agent and
// the position loop in the background while it is open.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "linecrew/core/call_script.h"
#include "linecrew/core/clock.h"
#include "linecrew/core/ids.h"
#include "linecrew/device/position/position_source.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/sync/sync_agent.h"

namespace linecrew::device::ui {

struct TuiOptions {
  DeviceId device_id;
  double slowdown = 1.0;                                   // traffic factor for the watcher
  Duration utc_offset = hours(8);                          // the times shown
  std::optional<std::chrono::milliseconds> sync_interval;  // default: the server's pull interval
};

// Runs the screen on the process's terminal until the crew quits or `stop` is
// set (SIGINT/SIGTERM). `agent` (may be null: no sync, "LOCAL") syncs in the
// background as `sync --loop` does; fixes from `position` (may be null) go
// through the upload throttle into the store. Returns the process exit code.
int run_tui(LocalStore& store, const Clock& clock, const CallScriptTemplates& templates, SyncAgent* agent,
            std::unique_ptr<position::PositionSource> position, const TuiOptions& options,
            const std::atomic<bool>& stop);

}  // namespace linecrew::device::ui
