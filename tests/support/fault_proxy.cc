#include "fault_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace linecrew::testing {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxQueued = 1024 * 1024;  // per direction: stop reading beyond this
constexpr std::chrono::milliseconds kConnectTimeout{3000};
constexpr std::chrono::milliseconds kMaxPollWait{200};

std::string_view trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Resolves host:port to the first stream address.
sockaddr_storage resolve(const std::string& host, std::uint16_t port, bool passive, socklen_t& len) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr)
    throw std::runtime_error("fault proxy: cannot resolve " + host + ": " + ::gai_strerror(rc));
  sockaddr_storage out{};
  std::memcpy(&out, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  ::freeaddrinfo(res);
  return out;
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Closes with RST (no FIN, no TIME_WAIT): the link was cut.
void abort_close(int fd) {
  if (fd < 0) return;
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
}

// Closes after what was written is delivered: FIN, then drain what the peer
// already sent (bounded) so close() does not turn into an RST.
void graceful_close(int fd) {
  if (fd < 0) return;
  ::shutdown(fd, SHUT_WR);
  char buf[4096];
  for (int i = 0; i < 256; ++i) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
  }
  ::close(fd);
}

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

struct Chunk {
  Clock::time_point release;
  std::string data;
  std::size_t off = 0;
};

// One direction of a connection: bytes read from `src`, waiting for `dst`.
struct Direction {
  std::deque<Chunk> queue;
  std::size_t queued = 0;
  bool src_eof = false;   // read() returned 0
  bool dst_shut = false;  // EOF passed on with shutdown(SHUT_WR)
};

struct Conn {
  int client = -1;
  int target = -1;  // -1 until the mode lets it connect
  bool connecting = false;
  Clock::time_point connect_deadline;
  Direction up;                   // client -> target
  Direction down;                 // target -> client
  std::uint64_t taken = 0;        // bytes read for forwarding, both directions
  std::uint64_t budget_base = 0;  // `taken` when the drop_after budget started
  bool dead = false;
  int client_idx = -1, target_idx = -1;  // into the pollfd array
};

}  // namespace

std::optional<Fault> parse_fault(std::string_view text) {
  text = trim(text);
  const auto sp = text.find_first_of(" \t");
  const std::string_view verb = text.substr(0, sp);
  const std::string_view arg = sp == std::string_view::npos ? std::string_view{} : trim(text.substr(sp));
  if (verb == "up" && arg.empty()) return Fault::up();
  if (verb == "down" && arg.empty()) return Fault::down();
  if (verb == "blackhole" && arg.empty()) return Fault::blackhole();
  if (verb == "drop_after") {
    if (auto n = parse_u64(arg)) return Fault::drop_after(*n);
    return std::nullopt;
  }
  if (verb == "delay") {
    auto ms = parse_u64(arg);
    if (ms && *ms <= 3'600'000) return Fault::delay(std::chrono::milliseconds(static_cast<std::int64_t>(*ms)));
    return std::nullopt;
  }
  return std::nullopt;
}

std::string to_string(const Fault& fault) {
  switch (fault.mode) {
    case FaultMode::kUp:
      return "up";
    case FaultMode::kDown:
      return "down";
    case FaultMode::kBlackhole:
      return "blackhole";
    case FaultMode::kDropAfter:
      return "drop_after " + std::to_string(fault.bytes);
    case FaultMode::kDelay:
      return "delay " + std::to_string(fault.latency.count());
  }
  return "?";
}

struct FaultProxy::Impl {
  std::string listen_host;
  std::uint16_t listen_port = 0;
  sockaddr_storage target_addr{};
  socklen_t target_len = 0;
  int listen_fd = -1;
  int wake_fd = -1;

  mutable std::mutex mu;
  std::condition_variable cv;
  Fault desired;
  std::uint64_t generation = 0;
  std::uint64_t applied = 0;
  std::atomic<bool> stopping{false};

  std::atomic<std::uint64_t> bytes_to_target{0}, bytes_to_client{0}, accepted{0}, cut{0}, refused{0}, active{0},
      connect_failures{0};

  // Owned by the I/O thread.
  Fault fault;
  std::list<Conn> conns;
  std::thread thread;

  void wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd, &one, sizeof one);
  }

  bool forwarding() const { return fault.mode != FaultMode::kDown && fault.mode != FaultMode::kBlackhole; }

  std::uint64_t budget_left(const Conn& c) const {
    if (fault.mode != FaultMode::kDropAfter) return UINT64_MAX;
    const std::uint64_t used = c.taken - c.budget_base;
    return used >= fault.bytes ? 0 : fault.bytes - used;
  }

  bool ready(const Direction& d, Clock::time_point now) const {
    if (d.queue.empty() || !forwarding()) return false;
    return fault.mode != FaultMode::kDelay || d.queue.front().release <= now;
  }

  void kill(Conn& c, bool count_as_cut) {
    if (c.dead) return;
    if (count_as_cut) cut.fetch_add(1);  // before the peers can see the close
    abort_close(c.client);
    abort_close(c.target);
    c.client = c.target = -1;
    c.dead = true;
  }

  void apply(const Fault& f) {
    fault = f;
    for (Conn& c : conns) {
      if (f.mode == FaultMode::kDown) kill(c, true);
      if (f.mode == FaultMode::kDropAfter) c.budget_base = c.taken;
    }
  }

  void start_connect(Conn& c) {
    const int fd = ::socket(target_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      connect_failures.fetch_add(1);
      kill(c, false);
      return;
    }
    set_nodelay(fd);
    c.target = fd;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&target_addr), target_len) == 0) return;
    if (errno == EINPROGRESS) {
      c.connecting = true;
      c.connect_deadline = Clock::now() + kConnectTimeout;
      return;
    }
    connect_failures.fetch_add(1);
    kill(c, false);
  }

  void finish_connect(Conn& c, short revents, Clock::time_point now) {
    int err = 0;
    socklen_t len = sizeof err;
    if (revents != 0 && ::getsockopt(c.target, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 &&
        (revents & POLLOUT)) {
      c.connecting = false;
      return;
    }
    if (revents != 0 || now >= c.connect_deadline) {
      connect_failures.fetch_add(1);
      kill(c, false);
    }
  }

  // Reads what `src` has (within the drop_after budget) into `d`.
  void pull(Conn& c, int src, Direction& d, Clock::time_point now) {
    if (c.dead || d.src_eof) return;
    const std::size_t room = kMaxQueued > d.queued ? kMaxQueued - d.queued : 0;
    const std::uint64_t want = std::min<std::uint64_t>({kReadChunk, room, budget_left(c)});
    if (want == 0) return;
    std::string buf(static_cast<std::size_t>(want), '\0');
    const ssize_t n = ::recv(src, buf.data(), buf.size(), 0);
    if (n == 0) {
      d.src_eof = true;
    } else if (n < 0) {
      if (!would_block(errno)) kill(c, false);
    } else {
      buf.resize(static_cast<std::size_t>(n));
      const auto release = fault.mode == FaultMode::kDelay ? now + fault.latency : now;
      d.queued += buf.size();
      c.taken += buf.size();
      d.queue.push_back(Chunk{release, std::move(buf)});
    }
  }

  // Writes the ready part of `d` to `dst`.
  void push(Conn& c, int dst, Direction& d, std::atomic<std::uint64_t>& counter, Clock::time_point now) {
    while (!c.dead && ready(d, now)) {
      Chunk& ch = d.queue.front();
      const ssize_t n = ::send(dst, ch.data.data() + ch.off, ch.data.size() - ch.off, MSG_NOSIGNAL);
      if (n < 0) {
        if (!would_block(errno)) kill(c, false);
        return;
      }
      const auto sent = static_cast<std::size_t>(n);
      counter.fetch_add(sent);
      ch.off += sent;
      d.queued -= sent;
      if (ch.off < ch.data.size()) return;
      d.queue.pop_front();
    }
    if (!c.dead && d.src_eof && d.queue.empty() && !d.dst_shut) {
      ::shutdown(dst, SHUT_WR);
      d.dst_shut = true;
    }
  }

  // Closes connections that finished normally or used up a drop_after budget.
  void settle(Conn& c) {
    if (c.dead) return;
    if (c.up.dst_shut && c.down.dst_shut) {
      ::close(c.client);
      ::close(c.target);
      c.client = c.target = -1;
      c.dead = true;
      return;
    }
    if (fault.mode == FaultMode::kDropAfter && budget_left(c) == 0 && c.up.queue.empty() && c.down.queue.empty()) {
      cut.fetch_add(1);
      graceful_close(c.client);
      graceful_close(c.target);
      c.client = c.target = -1;
      c.dead = true;
    }
  }

  void accept_all() {
    for (int i = 0; i < 64; ++i) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a transient error (ECONNABORTED, EMFILE): poll again
      accepted.fetch_add(1);
      if (fault.mode == FaultMode::kDown) {
        refused.fetch_add(1);
        abort_close(fd);
        continue;
      }
      set_nodelay(fd);
      Conn& c = conns.emplace_back();
      c.client = fd;
    }
  }

  void run() {
    std::uint64_t seen = 0;
    std::vector<pollfd> fds;
    while (!stopping.load()) {
      {
        std::unique_lock lk(mu);
        if (generation != seen) {
          const Fault f = desired;
          seen = generation;
          lk.unlock();
          apply(f);
          conns.remove_if([](const Conn& c) { return c.dead; });
          active.store(conns.size());
          lk.lock();
          applied = seen;
          cv.notify_all();
        }
      }

      auto now = Clock::now();
      auto wait = kMaxPollWait;
      const auto wait_until = [&](Clock::time_point t) {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - now);
        wait = std::clamp(ms, std::chrono::milliseconds(0), wait);
      };
      fds.clear();
      fds.push_back({wake_fd, POLLIN, 0});
      fds.push_back({listen_fd, POLLIN, 0});
      for (Conn& c : conns) {
        c.client_idx = c.target_idx = -1;
        settle(c);  // a drop_after budget may be used up already
        if (c.dead) continue;
        if (forwarding() && c.target < 0) start_connect(c);
        if (c.dead) continue;
        short ce = 0, te = 0;
        if (c.connecting) {
          te = POLLOUT;
          wait_until(c.connect_deadline);
        } else if (forwarding()) {
          const bool budget = budget_left(c) > 0;
          if (budget && !c.up.src_eof && c.up.queued < kMaxQueued) ce |= POLLIN;
          if (budget && !c.down.src_eof && c.down.queued < kMaxQueued) te |= POLLIN;
          for (Direction* d : {&c.up, &c.down}) {
            if (d->queue.empty()) continue;
            if (ready(*d, now))
              (d == &c.up ? te : ce) |= POLLOUT;
            else
              wait_until(d->queue.front().release);
          }
        }
        // With no events asked, poll() still reports POLLHUP/POLLERR. A socket
        // finished both ways (EOF read, FIN sent) is left out: it would report
        // POLLHUP on every call while the other side drains.
        const bool client_done = c.up.src_eof && c.down.dst_shut;
        const bool target_done = c.down.src_eof && c.up.dst_shut;
        c.client_idx = static_cast<int>(fds.size());
        fds.push_back({client_done ? -1 : c.client, ce, 0});
        if (c.target >= 0) {
          c.target_idx = static_cast<int>(fds.size());
          fds.push_back({target_done ? -1 : c.target, te, 0});
        }
      }

      const int rc = ::poll(fds.data(), static_cast<nfds_t>(fds.size()), static_cast<int>(wait.count()));
      if (rc < 0 && errno != EINTR) break;  // cannot happen with valid fds; never spin
      now = Clock::now();
      if (fds[0].revents & POLLIN) {
        std::uint64_t v = 0;
        [[maybe_unused]] const ssize_t n = ::read(wake_fd, &v, sizeof v);
      }
      if (fds[1].revents & POLLIN) accept_all();

      for (Conn& c : conns) {
        if (c.dead || c.client_idx < 0) continue;
        const short cr = fds[static_cast<std::size_t>(c.client_idx)].revents;
        const short tr = c.target_idx >= 0 ? fds[static_cast<std::size_t>(c.target_idx)].revents : short{0};
        if (c.connecting) {
          finish_connect(c, tr, now);
          if ((cr & (POLLERR | POLLHUP | POLLNVAL)) && !c.dead) kill(c, false);
          continue;
        }
        if (!forwarding()) {
          // Holding: only notice a peer that went away.
          if (((cr | tr) & (POLLERR | POLLHUP | POLLNVAL))) kill(c, false);
          continue;
        }
        if ((cr | tr) & (POLLERR | POLLNVAL)) {
          kill(c, false);
          continue;
        }
        if (cr & (POLLIN | POLLHUP)) pull(c, c.client, c.up, now);
        if (tr & (POLLIN | POLLHUP)) pull(c, c.target, c.down, now);
        push(c, c.target, c.up, bytes_to_target, now);
        push(c, c.client, c.down, bytes_to_client, now);
        settle(c);
      }
      conns.remove_if([](const Conn& c) { return c.dead; });
      active.store(conns.size());
    }
    for (Conn& c : conns) kill(c, false);
    conns.clear();
    active.store(0);
  }
};

FaultProxy::FaultProxy(const std::string& target_host, std::uint16_t target_port)
    : FaultProxy("127.0.0.1", 0, target_host, target_port) {}

FaultProxy::FaultProxy(const std::string& listen_host, std::uint16_t listen_port, const std::string& target_host,
                       std::uint16_t target_port)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.listen_host = listen_host;
  m.target_addr = resolve(target_host, target_port, false, m.target_len);
  socklen_t len = 0;
  sockaddr_storage la = resolve(listen_host, listen_port, true, len);
  m.listen_fd = ::socket(la.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (m.listen_fd < 0) throw std::runtime_error(errno_text("fault proxy: socket"));
  const auto fail = [&](const char* what) {
    const std::string msg = errno_text(what);
    ::close(m.listen_fd);
    if (m.wake_fd >= 0) ::close(m.wake_fd);
    throw std::runtime_error("fault proxy: " + msg + " (" + listen_host + ":" + std::to_string(listen_port) + ")");
  };
  int one = 1;
  ::setsockopt(m.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(m.listen_fd, reinterpret_cast<const sockaddr*>(&la), len) != 0) fail("bind");
  if (::listen(m.listen_fd, 128) != 0) fail("listen");
  sockaddr_storage bound{};
  len = sizeof bound;
  if (::getsockname(m.listen_fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) fail("getsockname");
  m.listen_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(bound).sin6_port
                                                    : reinterpret_cast<const sockaddr_in&>(bound).sin_port);
  m.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m.wake_fd < 0) fail("eventfd");
  m.thread = std::thread([&m] { m.run(); });
}

FaultProxy::~FaultProxy() {
  impl_->stopping.store(true);
  impl_->wake();
  impl_->thread.join();
  {
    std::lock_guard lk(impl_->mu);
    impl_->cv.notify_all();
  }
  ::close(impl_->listen_fd);
  ::close(impl_->wake_fd);
}

std::uint16_t FaultProxy::port() const {
  return impl_->listen_port;
}

std::string FaultProxy::address() const {
  const std::string& h = impl_->listen_host;
  const bool v6 = h.find(':') != std::string::npos;
  return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(impl_->listen_port);
}

bool FaultProxy::set_mode(const Fault& fault, std::chrono::milliseconds timeout) {
  std::unique_lock lk(impl_->mu);
  impl_->desired = fault;
  const std::uint64_t gen = ++impl_->generation;
  impl_->wake();
  return impl_->cv.wait_for(lk, timeout, [&] { return impl_->applied >= gen; });
}

bool FaultProxy::set_mode(std::string_view command) {
  const auto fault = parse_fault(command);
  if (!fault) throw std::invalid_argument("fault proxy: bad mode '" + std::string(command) + "'");
  return set_mode(*fault);
}

Fault FaultProxy::mode() const {
  std::lock_guard lk(impl_->mu);
  return impl_->desired;
}

FaultProxyCounters FaultProxy::counters() const {
  const Impl& m = *impl_;
  FaultProxyCounters c;
  c.bytes_to_target = m.bytes_to_target.load();
  c.bytes_to_client = m.bytes_to_client.load();
  c.connections_accepted = m.accepted.load();
  c.connections_cut = m.cut.load();
  c.connections_refused = m.refused.load();
  c.connections_active = m.active.load();
  c.target_connect_failures = m.connect_failures.load();
  return c;
}

}  // namespace linecrew::testing
