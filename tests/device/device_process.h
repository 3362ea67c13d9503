// Running the real linecrew-device binary from a test: under CMake's
// emulator in a cross build (qemu-user), on a pipe or a pseudo-terminal.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace linecrew::testing {

// The command line that runs the device binary here (emulator first when cross-compiled).
inline std::vector<std::string> device_command(std::initializer_list<std::string> args) {
  std::vector<std::string> argv;
  std::istringstream emulator(LINECREW_DEVICE_EMULATOR);
  for (std::string part; emulator >> part;) argv.push_back(part);
  argv.push_back(LINECREW_DEVICE_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

inline bool emulated() {
  return std::string(LINECREW_DEVICE_EMULATOR).size() > 0;
}

[[noreturn]] inline void exec_or_die(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

// The device process on a pseudo-terminal of the given size: what it draws
// is collected, keys are written to it.
class PtyDevice {
 public:
  PtyDevice(std::vector<std::string> argv, unsigned short rows, unsigned short cols) {
    winsize ws{};
    ws.ws_row = rows;
    ws.ws_col = cols;
    pid_ = ::forkpty(&fd_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      ::setenv("TERM", "xterm", 1);
      ::setenv("LANG", "C.UTF-8", 1);
      exec_or_die(std::move(argv));
    }
  }
  ~PtyDevice() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  PtyDevice(const PtyDevice&) = delete;
  PtyDevice& operator=(const PtyDevice&) = delete;

  bool started() const { return pid_ > 0 && fd_ >= 0; }
  const std::string& output() const { return output_; }

  // Reads what the device draws until `needle` appears after `from` (an offset into output()).
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from = 0) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (output_.find(needle, from) == std::string::npos) {
      if (std::chrono::steady_clock::now() >= until || !drain(50)) return false;
    }
    return true;
  }
  void send(const std::string& keys) { (void)!::write(fd_, keys.data(), keys.size()); }

  // The exit code (128 + signal when killed), or -1 if it did not end in time.
  int wait_exit(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
      }
      drain(20);
    }
    return -1;
  }

 private:
  // Waits up to `ms` for output and appends it; false once the terminal is closed.
  bool drain(int ms) {
    pollfd p{fd_, POLLIN, 0};
    const int n = ::poll(&p, 1, ms);
    if (n <= 0) return n == 0;
    char buf[4096];
    const ssize_t got = ::read(fd_, buf, sizeof buf);
    if (got <= 0) return false;
    output_.append(buf, static_cast<std::size_t>(got));
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int status_ = -1;
  std::string output_;
};

}  // namespace linecrew::testing
