#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace linecrew::sim {

namespace fs = std::filesystem;

void write_clock(const std::string& path, TimePoint t) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << format_utc(t) << "\n";
    if (!out) throw std::runtime_error("cannot write the clock file " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename the clock file to " + path);
}

namespace {

// The policy file the server reads: the config's own, or a copy in the run's directory with automatic
// fault linking off (the other keys as given).
fs::path policy_file(const ServerSetup& s, const fs::path& cfg) {
  fs::path given = cfg / "policy.json";
  if (s.fault_link_auto) return given;
  std::ifstream in(given);
  if (!in) throw std::runtime_error("cannot read " + given.string());
  nlohmann::json policy;
  try {
    policy = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(given.string() + ": not valid JSON: " + e.what());
  }
  policy["fault_link_auto"] = false;
  fs::path copy = fs::absolute(s.work_dir) / "policy.json";
  std::ofstream out(copy, std::ios::trunc);
  out << policy.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + copy.string());
  return copy;
}

}  // namespace

ServerInstance::ServerInstance(const ServerSetup& s, TimePoint now) {
  fs::create_directories(s.work_dir);
  const std::string data = s.work_dir + "/data";
  fs::remove_all(data);
  fs::create_directories(data);
  clock_file_ = s.work_dir + "/clock.txt";
  write_clock(clock_file_, now);
  const fs::path cfg = fs::absolute(s.config_dir);
  nlohmann::json j = {{"comment", "written by linecrew-sim"},
                      {"listen", "127.0.0.1:0"},
                      {"metrics_listen", "127.0.0.1:0"},
                      {"data_dir", fs::absolute(data).string()},
                      {"zones_file", fs::absolute(s.zones_file).string()},
                      {"policy_file", policy_file(s, cfg).string()},
                      {"call_script_file", (cfg / "call_script.json").string()},
                      {"notify_templates_file", (cfg / "notify_templates.json").string()},
                      {"follow_up_script_file", (cfg / "follow_up_script.json").string()},
                      {"planner", s.planner},
                      {"replan_budget_ms", 500},
                      {"clock_file", fs::absolute(clock_file_).string()}};
  const std::string config = s.work_dir + "/server.json";
  std::ofstream(config) << j.dump(2) << "\n";
  const std::string port_file = s.work_dir + "/port.txt";
  const std::string log = s.log ? s.work_dir + "/server.log" : std::string("/dev/null");
  fs::remove(port_file);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(s.server_bin.c_str(), s.server_bin.c_str(), "--config", config.c_str(), "--port-file", port_file.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream in(log);
      std::stringstream ss;
      ss << in.rdbuf();
      throw std::runtime_error("linecrew-server (" + s.server_bin + ") exited at start: " + ss.str());
    }
    std::ifstream in(port_file);
    if (in >> port_ >> metrics_port_ && port_ > 0) {
      std::ifstream tok(data + "/admin.token");
      tok >> admin_token_;
      if (!admin_token_.empty()) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  throw std::runtime_error("linecrew-server did not start within 60 s");
}

ServerInstance::~ServerInstance() {
  stop();
}

void ServerInstance::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

double ServerInstance::cpu_seconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {  // fields 14 and 15: utime, stime in clock ticks
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string ServerInstance::metrics() const {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(metrics_port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[65536];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) body.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  const auto head = body.find("\r\n\r\n");
  return head == std::string::npos ? std::string() : body.substr(head + 4);
}

std::map<std::string, double> parse_metrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    try {
      out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    } catch (...) {
    }
  }
  return out;
}

}  // namespace linecrew::sim
