// FaultProxy against a tiny in-test echo server: each mode, the counters, a
// prompt shutdown, and the linecrew-fault-proxy tool's control file.
#include "fault_proxy.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace linecrew::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Echoes every byte back on every connection; one poll() thread.
class EchoServer {
 public:
  EchoServer() : listen_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in a = loopback(0);
    if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_.get(), 16) != 0)
      throw std::runtime_error("echo server: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~EchoServer() {
    stop_ = true;
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void run() {
    std::vector<Fd> clients;
    while (!stop_) {
      std::vector<pollfd> fds{{listen_.get(), POLLIN, 0}};
      for (const Fd& c : clients) fds.push_back({c.get(), POLLIN, 0});
      if (::poll(fds.data(), static_cast<nfds_t>(fds.size()), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          ++accepted_;
          clients.emplace_back(fd);
        }
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        Fd& c = clients[i - 1];
        char buf[65536];
        const ssize_t n = ::recv(c.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          c.reset();
          continue;
        }
        if (n < 0) continue;
        // Small test payloads: the send buffer takes them; give up after 2 s.
        std::size_t off = 0;
        const auto deadline = Clock::now() + 2s;
        while (off < static_cast<std::size_t>(n) && Clock::now() < deadline) {
          const ssize_t w = ::send(c.get(), buf + off, static_cast<std::size_t>(n) - off, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (w > 0) {
            off += static_cast<std::size_t>(w);
          } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            break;
          } else {
            pollfd p{c.get(), POLLOUT, 0};
            ::poll(&p, 1, 20);
          }
        }
      }
      std::erase_if(clients, [](const Fd& c) { return c.get() < 0; });
    }
  }

  Fd listen_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// A blocking client socket with 2 s send/receive timeouts.
Fd connect_to(std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  timeval tv{2, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const sockaddr_in a = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "connect failed";
  return fd;
}

bool send_all(const Fd& fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd.get(), data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

struct ReadResult {
  std::string data;
  bool closed = false;  // EOF or an error such as ECONNRESET
};

// Reads until `want` bytes arrived, the peer closed, or `timeout`.
ReadResult read_for(const Fd& fd, std::size_t want, std::chrono::milliseconds timeout) {
  ReadResult r;
  const auto deadline = Clock::now() + timeout;
  while (r.data.size() < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[65536];
    const ssize_t n = ::recv(fd.get(), buf, std::min(sizeof buf, want - r.data.size()), MSG_DONTWAIT);
    if (n > 0) {
      r.data.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      r.closed = true;
      break;
    }
  }
  return r;
}

// True if the peer closes (EOF or reset) within `timeout`, discarding data.
bool closes_within(const Fd& fd, std::chrono::milliseconds timeout) {
  return read_for(fd, SIZE_MAX, timeout).closed;
}

std::string payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Round trip of one small message, or -1ms if it did not come back.
std::chrono::milliseconds echo_rtt(const Fd& fd) {
  const auto t0 = Clock::now();
  if (!send_all(fd, "ping")) return -1ms;
  if (read_for(fd, 4, 3s).data != "ping") return -1ms;
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}

TEST(FaultProxyParse, RoundTripsTheControlSyntax) {
  for (const char* s : {"up", "down", "blackhole", "drop_after 100", "delay 50", "drop_after 0"}) {
    const auto f = parse_fault(s);
    ASSERT_TRUE(f) << s;
    EXPECT_EQ(to_string(*f), s);
  }
  EXPECT_EQ(parse_fault("  drop_after   7 \n"), Fault::drop_after(7));
  EXPECT_EQ(parse_fault("delay 20"), Fault::delay(20ms));
  for (const char* s : {"", "up 1", "drop_after", "drop_after x", "drop_after -1", "delay", "delay 5ms", "sideways"})
    EXPECT_FALSE(parse_fault(s)) << s;
}

TEST(FaultProxy, UpForwardsBothWays) {
  EchoServer echo;
  FaultProxy proxy("127.0.0.1", echo.port());
  EXPECT_EQ(proxy.address(), "127.0.0.1:" + std::to_string(proxy.port()));
  Fd c = connect_to(proxy.port());
  ASSERT_TRUE(send_all(c, "hello"));
  EXPECT_EQ(read_for(c, 5, 2s).data, "hello");
  const std::string big = payload(64 * 1024);
  ASSERT_TRUE(send_all(c, big));
  EXPECT_EQ(read_for(c, big.size(), 3s).data, big);

  // The proxy counts a write just after it; the client may have read it first.
  FaultProxyCounters n;
  const auto counted = Clock::now() + 2s;
  while ((n = proxy.counters()).bytes_to_client < 5 + big.size() && Clock::now() < counted)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(n.bytes_to_target, 5 + big.size());
  EXPECT_EQ(n.bytes_to_client, 5 + big.size());
  EXPECT_EQ(n.connections_accepted, 1u);
  EXPECT_EQ(n.connections_active, 1u);
  EXPECT_EQ(n.connections_cut, 0u);

  // A client's close reaches the server and the proxy forgets the connection.
  c.reset();
  const auto deadline = Clock::now() + 2s;
  while (proxy.counters().connections_active != 0 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(proxy.counters().connections_active, 0u);
  EXPECT_EQ(proxy.counters().connections_cut, 0u);
}

TEST(FaultProxy, DownCutsLiveConnectionsRefusesNewOnesAndUpRestores) {
  EchoServer echo;
  FaultProxy proxy("127.0.0.1", echo.port());
  Fd live = connect_to(proxy.port());
  ASSERT_GE(echo_rtt(live), 0ms);

  ASSERT_TRUE(proxy.set_mode(Fault::down()));
  EXPECT_EQ(proxy.mode(), Fault::down());
  EXPECT_TRUE(closes_within(live, 1s));
  EXPECT_EQ(proxy.counters().connections_cut, 1u);
  EXPECT_EQ(proxy.counters().connections_active, 0u);

  Fd refused = connect_to(proxy.port());
  send_all(refused, "ping");  // may fail already
  const ReadResult r = read_for(refused, 4, 1s);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, "");
  EXPECT_EQ(proxy.counters().connections_refused, 1u);

  ASSERT_TRUE(proxy.set_mode("up"));
  Fd again = connect_to(proxy.port());
  EXPECT_GE(echo_rtt(again), 0ms);
  EXPECT_EQ(proxy.counters().connections_accepted, 3u);
}

TEST(FaultProxy, BlackholeHoldsTrafficUntilUp) {
  EchoServer echo;
  FaultProxy proxy("127.0.0.1", echo.port());
  Fd live = connect_to(proxy.port());
  ASSERT_GE(echo_rtt(live), 0ms);

  ASSERT_TRUE(proxy.set_mode(Fault::blackhole()));
  Fd fresh = connect_to(proxy.port());  // accepted, but not connected onwards
  ASSERT_TRUE(send_all(live, "held"));
  ASSERT_TRUE(send_all(fresh, "also"));
  const ReadResult a = read_for(live, 4, 200ms);
  const ReadResult b = read_for(fresh, 4, 10ms);
  EXPECT_EQ(a.data, "");
  EXPECT_FALSE(a.closed);
  EXPECT_EQ(b.data, "");
  EXPECT_FALSE(b.closed);
  EXPECT_EQ(echo.accepted(), 1);
  EXPECT_EQ(proxy.counters().connections_active, 2u);

  ASSERT_TRUE(proxy.set_mode(Fault::up()));
  EXPECT_EQ(read_for(live, 4, 2s).data, "held");
  EXPECT_EQ(read_for(fresh, 4, 2s).data, "also");
  EXPECT_EQ(echo.accepted(), 2);
  EXPECT_EQ(proxy.counters().connections_cut, 0u);
}

TEST(FaultProxy, DropAfterCutsEachConnectionAtTheByteCount) {
  EchoServer echo;
  FaultProxy proxy("127.0.0.1", echo.port());
  ASSERT_TRUE(proxy.set_mode(Fault::drop_after(100)));

  // 30 out + 30 back = 60; then 30 out leaves 10 of the echo for the client.
  Fd c = connect_to(proxy.port());
  ASSERT_TRUE(send_all(c, payload(30)));
  ASSERT_EQ(read_for(c, 30, 2s).data, payload(30));
  ASSERT_TRUE(send_all(c, payload(30)));
  const ReadResult r = read_for(c, 100, 2s);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, payload(10));  // (a split read could shift it: the sums below are exact)
  FaultProxyCounters n = proxy.counters();
  EXPECT_EQ(n.bytes_to_target + n.bytes_to_client, 100u);
  EXPECT_EQ(n.bytes_to_client, 30 + r.data.size());
  EXPECT_EQ(n.connections_cut, 1u);

  // A later connection gets its own budget: 50 out, 50 back, cut.
  Fd d = connect_to(proxy.port());
  ASSERT_TRUE(send_all(d, payload(50)));
  const ReadResult s = read_for(d, 100, 2s);
  EXPECT_EQ(s.data, payload(50));
  EXPECT_TRUE(s.closed);
  n = proxy.counters();
  EXPECT_EQ(n.bytes_to_target + n.bytes_to_client, 200u);
  EXPECT_EQ(n.connections_cut, 2u);

  // Setting drop_after on a live connection counts from then on.
  ASSERT_TRUE(proxy.set_mode(Fault::up()));
  Fd e = connect_to(proxy.port());
  ASSERT_TRUE(send_all(e, payload(1000)));
  ASSERT_EQ(read_for(e, 1000, 2s).data.size(), 1000u);
  ASSERT_TRUE(proxy.set_mode(Fault::drop_after(8)));
  ASSERT_TRUE(send_all(e, payload(4)));
  const ReadResult t = read_for(e, 100, 2s);
  EXPECT_EQ(t.data, payload(4));
  EXPECT_TRUE(t.closed);
  EXPECT_EQ(proxy.counters().connections_cut, 3u);
}

TEST(FaultProxy, DelayAddsLatencyEachWay) {
  EchoServer echo;
  FaultProxy proxy("127.0.0.1", echo.port());
  Fd c = connect_to(proxy.port());
  const auto base = echo_rtt(c);
  ASSERT_GE(base, 0ms);

  ASSERT_TRUE(proxy.set_mode("delay 60"));
  const auto slow = echo_rtt(c);
  EXPECT_GE(slow, 120ms);  // 60 ms each way
  EXPECT_LT(slow, 1500ms);

  ASSERT_TRUE(proxy.set_mode(Fault::up()));
  const auto fast = echo_rtt(c);
  ASSERT_GE(fast, 0ms);
  EXPECT_LT(fast, 100ms);
}

TEST(FaultProxy, ShutsDownPromptlyWithHeldConnections) {
  EchoServer echo;
  std::vector<Fd> clients;
  const auto t0 = Clock::now();
  {
    FaultProxy proxy("127.0.0.1", echo.port());
    for (int i = 0; i < 3; ++i) clients.push_back(connect_to(proxy.port()));
    ASSERT_GE(echo_rtt(clients[0]), 0ms);
    ASSERT_TRUE(proxy.set_mode(Fault::blackhole()));
    send_all(clients[1], "stuck");
  }
  EXPECT_LT(Clock::now() - t0, 1s);
  for (const Fd& c : clients) EXPECT_TRUE(closes_within(c, 1s));
}

TEST(FaultProxy, TargetDownClosesTheClient) {
  std::uint16_t dead_port = 0;
  {
    EchoServer gone;
    dead_port = gone.port();
  }
  FaultProxy proxy("127.0.0.1", dead_port);
  Fd c = connect_to(proxy.port());
  EXPECT_TRUE(closes_within(c, 2s));
  EXPECT_EQ(proxy.counters().target_connect_failures, 1u);
}

#ifdef LINECREW_FAULT_PROXY_BIN
std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls `path` until `pred(text)` or 3 s.
template <class Pred>
std::string wait_file(const std::string& path, Pred pred) {
  const auto deadline = Clock::now() + 3s;
  std::string text;
  while (Clock::now() < deadline) {
    text = read_text(path);
    if (pred(text)) break;
    std::this_thread::sleep_for(5ms);
  }
  return text;
}

void write_text(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

TEST(FaultProxyTool, ControlFileSwitchesModes) {
  EchoServer echo;
  const std::string dir = std::filesystem::temp_directory_path() / ("fault-proxy-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string port_file = dir + "/port", control = dir + "/control", status = dir + "/status";
  const std::string target = "127.0.0.1:" + std::to_string(echo.port());

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(LINECREW_FAULT_PROXY_BIN, "linecrew-fault-proxy", "--target", target.c_str(), "--port-file",
            port_file.c_str(), "--control-file", control.c_str(), "--status-file", status.c_str(), "--die-with-parent",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string port_text = wait_file(port_file, [](const std::string& t) { return !t.empty(); });
  ASSERT_FALSE(port_text.empty());
  const auto port = static_cast<std::uint16_t>(std::stoi(port_text));

  Fd c = connect_to(port);
  EXPECT_GE(echo_rtt(c), 0ms);
  write_text(control, "down\n");
  const std::string st = wait_file(status, [](const std::string& t) { return t.find("applied=1 ") == 0; });
  EXPECT_NE(st.find("mode=down"), std::string::npos) << st;
  EXPECT_TRUE(closes_within(c, 1s));
  write_text(control, "# comment\nup\n");
  wait_file(status, [](const std::string& t) { return t.find("applied=2 ") == 0; });
  Fd d = connect_to(port);
  EXPECT_GE(echo_rtt(d), 0ms);
  EXPECT_NE(
      wait_file(status, [](const std::string& t) { return t.find("cut=1 ") != std::string::npos; }).find("cut=1 "),
      std::string::npos);

  ::kill(pid, SIGTERM);
  int wstatus = 0;
  const auto deadline = Clock::now() + 3s;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &wstatus, WNOHANG)) == 0 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &wstatus, 0);
    ADD_FAILURE() << "linecrew-fault-proxy did not stop on SIGTERM";
  }
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  std::filesystem::remove_all(dir);
}
#endif

}  // namespace
}  // namespace linecrew::testing
