#include "server_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace linecrew::testing {

namespace fs = std::filesystem;

TempDir::TempDir(const std::string& tag) {
  std::random_device rd;
  path_ =
      std::string(LINECREW_BINARY_DIR) + "/tmp/" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string make_config(const TempDir& dir, const std::string& data_dir, const std::string& extra, bool fault_links) {
  for (const char* f :
       {"zones.geojson", "policy.json", "call_script.json", "follow_up_script.json", "notify_templates.json"})
    fs::copy_file(std::string(LINECREW_SOURCE_DIR) + "/config/" + f, dir.file(f), fs::copy_options::overwrite_existing);
  if (!fault_links) {
    // A one-key edit of the shipped policy, so every other figure stays the shipped one.
    std::ifstream in(dir.file("policy.json"));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string on = "\"fault_link_auto\": true";
    const auto at = text.find(on);
    if (at == std::string::npos) throw std::runtime_error("config/policy.json: no '" + on + "' to turn off");
    write_file(dir.file("policy.json"),
               text.substr(0, at) + "\"fault_link_auto\": false" + text.substr(at + on.size()));
  }
  const std::string path = dir.file("server.json");
  write_file(path, R"({"listen": "127.0.0.1:0", "metrics_listen": "127.0.0.1:0", "data_dir": ")" + data_dir + R"(")" +
                       (extra.empty() ? "" : ", " + extra) + "}");
  return path;
}

ServerProcess::ServerProcess(std::string config, std::string data_dir)
    : config_(std::move(config)), data_dir_(std::move(data_dir)) {
  port_file_ = data_dir_ + ".port";
  stderr_file_ = data_dir_ + ".stderr";
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(SIGKILL);
    wait_exit();
  }
}

bool ServerProcess::start(std::chrono::seconds timeout) {
  fs::remove(port_file_);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) ::dup2(fd, 2);
    ::execl(LINECREW_SERVER_BIN, LINECREW_SERVER_BIN, "--config", config_.c_str(), "--data-dir", data_dir_.c_str(),
            "--port-file", port_file_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
      return false;
    }
    std::ifstream in(port_file_);
    if (in >> port_ >> metrics_port_ >> tracking_port_ && port_ > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void ServerProcess::kill(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

int ServerProcess::wait_exit() {
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
  }
  return exit_status_;
}

std::string ServerProcess::admin_token() const {
  std::ifstream in(data_dir_ + "/admin.token");
  std::string token;
  in >> token;
  return token;
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(stderr_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace linecrew::testing
