// linecrew-fault-proxy: the FaultProxy (fault_proxy.h) as a separate process,
// for shell/python tests and for a handheld running under qemu.
//
//   linecrew-fault-proxy --target HOST:PORT [--listen HOST:PORT] [--port-file F]
//                        [--control-file C] [--status-file S] [--mode MODE]
//                        [--die-with-parent]
//
// --listen       default 127.0.0.1:0 (ephemeral port).
// --port-file    the bound port and a newline, written atomically (tmp + rename)
//                once the proxy listens: wait for this file, then connect.
// --mode         the initial mode (default "up").
// --control-file polled every 20 ms. Whenever it changes (inode, size or mtime),
//                its last non-empty line that does not start with '#' is applied:
//                  up | down | blackhole | drop_after BYTES | delay MS
//                so both `echo down > C` and `echo down >> C` work. Rewriting the
//                same command re-applies it (re-arms drop_after). An empty or
//                missing file changes nothing; a malformed line is reported on
//                stderr and ignored. Write atomically (tmp file + mv) to be safe.
// --status-file  rewritten atomically whenever the mode or a counter changes:
//                  applied=<N> accepted=<A> cut=<C> refused=<R> active=<X>
//                  to_target=<BYTES> to_client=<BYTES> mode=<MODE>
//                (one line; MODE last, it may hold a space: "mode=delay 50").
//                `applied` counts control commands applied; once it (and mode=)
//                reflects a command, the proxy has acted on it (e.g. `down` has
//                closed every open connection).
// --die-with-parent  exit (SIGTERM) when the parent process dies.
//
// Exits 0 on SIGTERM/SIGINT, 2 on bad usage, 1 if it cannot listen.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "fault_proxy.h"

namespace {

using linecrew::testing::Fault;
using linecrew::testing::FaultProxy;
using linecrew::testing::FaultProxyCounters;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

[[noreturn]] void usage(const std::string& error) {
  std::cerr << "linecrew-fault-proxy: " << error << "\n"
            << "usage: linecrew-fault-proxy --target HOST:PORT [--listen HOST:PORT] [--port-file F]\n"
            << "         [--control-file C] [--status-file S] [--mode MODE] [--die-with-parent]\n"
            << "MODE (also the control file's syntax): up | down | blackhole | drop_after BYTES | delay MS\n";
  std::exit(2);
}

// "host:port", "[v6]:port".
bool split_host_port(const std::string& s, std::string& host, std::uint16_t& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string p = s.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long v = std::stoul(p);
  if (v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename to " + path);
}

// The command in a control file: its last non-empty line not starting with '#'.
std::string last_command(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    last = line;
  }
  return last;
}

struct FileStamp {
  ino_t ino = 0;
  off_t size = -1;
  long long mtime_ns = -1;
  bool operator==(const FileStamp&) const = default;
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0", target, port_file, control_file, status_file, initial = "up";
  bool die_with_parent = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--listen")
      listen = value();
    else if (arg == "--target")
      target = value();
    else if (arg == "--port-file")
      port_file = value();
    else if (arg == "--control-file")
      control_file = value();
    else if (arg == "--status-file")
      status_file = value();
    else if (arg == "--mode")
      initial = value();
    else if (arg == "--die-with-parent")
      die_with_parent = true;
    else if (arg == "--help" || arg == "-h")
      usage("help");
    else
      usage("unknown argument " + arg);
  }
  std::string listen_host, target_host;
  std::uint16_t listen_port = 0, target_port = 0;
  if (target.empty()) usage("--target is required");
  if (!split_host_port(target, target_host, target_port) || target_port == 0) usage("bad --target " + target);
  if (!split_host_port(listen, listen_host, listen_port)) usage("bad --listen " + listen);
  const auto initial_fault = linecrew::testing::parse_fault(initial);
  if (!initial_fault) usage("bad --mode " + initial);

  const pid_t parent = ::getppid();
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) return 0;  // the parent died before prctl
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  try {
    FaultProxy proxy(listen_host, listen_port, target_host, target_port);
    proxy.set_mode(*initial_fault);
    std::cerr << "linecrew-fault-proxy: listening on " << proxy.address() << ", forwarding to " << target << ", mode "
              << to_string(*initial_fault) << std::endl;
    if (!port_file.empty()) write_atomically(port_file, std::to_string(proxy.port()) + "\n");

    FileStamp last_stamp;
    std::uint64_t applied = 0;
    std::string last_status;
    while (!g_stop) {
      struct stat st {};
      if (!control_file.empty() && ::stat(control_file.c_str(), &st) == 0) {
        const FileStamp stamp{st.st_ino, st.st_size,
                              static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec};
        if (!(stamp == last_stamp)) {
          last_stamp = stamp;
          std::ifstream in(control_file, std::ios::binary);
          std::stringstream text;
          text << in.rdbuf();
          const std::string command = last_command(text.str());
          if (!command.empty()) {
            if (const auto fault = linecrew::testing::parse_fault(command)) {
              if (proxy.set_mode(*fault)) {
                ++applied;
                std::cerr << "linecrew-fault-proxy: mode " << to_string(*fault) << std::endl;
              } else {
                std::cerr << "linecrew-fault-proxy: mode " << to_string(*fault) << " not applied in time" << std::endl;
              }
            } else {
              std::cerr << "linecrew-fault-proxy: ignoring bad command '" << command << "'" << std::endl;
            }
          }
        }
      }
      if (!status_file.empty()) {
        const FaultProxyCounters c = proxy.counters();
        std::ostringstream s;
        s << "applied=" << applied << " accepted=" << c.connections_accepted << " cut=" << c.connections_cut
          << " refused=" << c.connections_refused << " active=" << c.connections_active
          << " to_target=" << c.bytes_to_target << " to_client=" << c.bytes_to_client
          << " mode=" << to_string(proxy.mode()) << "\n";
        if (s.str() != last_status) {
          last_status = s.str();
          write_atomically(status_file, last_status);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::cerr << "linecrew-fault-proxy: stopping" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "linecrew-fault-proxy: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
