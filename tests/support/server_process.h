// Starts the real linecrew-server binary as a child process on an ephemeral
// loopback port with its own data directory, for integration tests.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace linecrew::testing {

// A fresh directory under the build tree's tmp/, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // `config` is a server.json path; `data_dir` the data directory.
  ServerProcess(std::string config, std::string data_dir);
  ~ServerProcess();

  // Starts and waits until the port file appears; false if the process
  // exited first (its exit code and stderr are then available).
  bool start(std::chrono::seconds timeout = std::chrono::seconds(30));
  void kill(int signal = SIGKILL);
  // Waits for exit; returns the exit status (or 128 + signal).
  int wait_exit();
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int metrics_port() const { return metrics_port_; }
  int tracking_port() const { return tracking_port_; }
  std::string stderr_text() const;
  // The bootstrap admin token the server wrote into its data directory.
  std::string admin_token() const;

 private:
  std::string config_, data_dir_, port_file_, stderr_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  int tracking_port_ = 0;
  int exit_status_ = -1;
};

// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);
// The shipped config/ copied into `dir` with server.json pointing at `data_dir`;
// returns the server.json path.
// `extra` is added to server.json as further keys, e.g. R"("planner": false)".
// The tests put many tickets at one place for convenience, so the copied
// policy links no fault automatically unless `fault_links` (rules §7; the
// shipped policy does link).
std::string make_config(const TempDir& dir, const std::string& data_dir, const std::string& extra = "",
                        bool fault_links = false);

}  // namespace linecrew::testing
