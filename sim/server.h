// The real linecrew-server as a child process on the simulated clock: its
// configuration written for the run, its clock file, its /metrics.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "linecrew/core/time.h"

namespace linecrew::sim {

struct ServerSetup {
  std::string server_bin;  // linecrew-server
  std::string config_dir;  // the shipped config/: policy.json, call_script.json
  std::string zones_file;
  std::string work_dir;  // gets server.json, data/, clock.txt, server.log
  bool planner = true;
  bool log = true;  // the server's request log to work_dir/server.log (else discarded)
  // One fault, many callers: false runs the server on a copy of the policy (work_dir/policy.json) with
  // "fault_link_auto": false, for a desk that has no fault linking (the baseline).
  bool fault_link_auto = true;
};

// Moves the simulated time: writes the file atomically (temp file + rename).
void write_clock(const std::string& path, TimePoint t);

class ServerInstance {
 public:
  // Writes the configuration and the clock file (at `now`), starts the server
  // and waits until it serves. Throws std::runtime_error with the server's
  // output if it does not start.
  ServerInstance(const ServerSetup& setup, TimePoint now);
  ~ServerInstance();  // SIGTERM, then waits
  ServerInstance(const ServerInstance&) = delete;
  ServerInstance& operator=(const ServerInstance&) = delete;

  void set_time(TimePoint t) const { write_clock(clock_file_, t); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int metrics_port() const { return metrics_port_; }
  const std::string& admin_token() const { return admin_token_; }
  // CPU time the server process has used (user + system), seconds; 0 if unknown.
  double cpu_seconds() const;
  // GET /metrics; empty on failure.
  std::string metrics() const;
  void stop();

 private:
  std::string clock_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string admin_token_;
};

// Prometheus text: "name{labels} value" lines (comments skipped), keyed by name{labels}.
std::map<std::string, double> parse_metrics(const std::string& text);

}  // namespace linecrew::sim
