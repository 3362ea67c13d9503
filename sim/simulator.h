// The storm simulator: plays a scenario against a real linecrew-server
// process on the simulated clock, with a real handheld (LocalStore +
// SyncAgent) per crew, once with the server's planner and once with the
// baseline desk (a second server without planner; the simulator pins each
// ticket to the nearest free crew), and reports both.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "report.h"
#include "scenario.h"

namespace linecrew::sim {

enum class Policy { kLinecrew, kBaseline };

struct RunOptions {
  std::string server_bin;  // linecrew-server
  std::string config_dir;  // policy.json, call_script.json
  std::string work_dir;    // one sub-directory per run (server data, clock, log, stores)
  bool linecrew = true;
  bool baseline = true;
  int threads = 4;           // crews stepped in parallel
  bool file_stores = false;  // handheld stores as SQLite files in work_dir (else in memory)
  bool server_log = true;    // keep the server's request log
  bool push = true;          // push channel: the board stream wakes the handhelds it concerns (else they only poll)
  bool concurrent = true;    // both policies at once (their own servers and handhelds)
  std::optional<Duration> board_at;  // print the Linecrew board this long after the start
  std::ostream* progress = nullptr;  // progress lines and the board
};

struct SimResult {
  std::optional<RunReport> linecrew;
  std::optional<RunReport> baseline;
};

// Throws std::runtime_error / Error when a server does not start or a
// dispatcher RPC fails unexpectedly.
RunReport run_policy(const Scenario& s, const RunOptions& o, Policy policy);
SimResult simulate(const Scenario& s, const RunOptions& o);

}  // namespace linecrew::sim
