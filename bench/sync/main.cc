// bench/sync: one handheld sync after 8 hours offline with 200 queued actions
// on 50 tickets, against the real server process (simulation clock) through
// a byte-counting TCP proxy. Prints bytes on the wire each way, the sync's
// wall time and per-call figures, the sync agent's idle CPU per hour, and the
// device binary's peak resident memory.
//   linecrew-bench-sync [--idle-seconds 20]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "fault_proxy.h"
#include "linecrew/device/app/actions.h"
#include "sync_support.h"

using namespace linecrew;
namespace lt = linecrew::testing;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string hhmm(int minute_of_day) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d:%02d", (minute_of_day / 60) % 24, minute_of_day % 60);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  int idle_seconds = 20;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--idle-seconds") == 0) idle_seconds = std::atoi(argv[i + 1]);
  try {
    lt::SimServer server("bench-sync", "13:55");
    const std::string token = server.add_crew("C-1", 30.26, 120.16);
    std::vector<std::string> ids;
    for (int k = 0; k < 50; ++k) {
      ids.push_back(
          server.create_ticket("b" + std::to_string(k), "13:55", 30.21 + 0.0015 * k, 120.11 + 0.001 * k).id());
      server.pin(ids.back(), "C-1");
    }
    server.set_clock("14:00");
    const auto port = static_cast<std::uint16_t>(std::stoi(server.address().substr(server.address().rfind(':') + 1)));
    lt::FaultProxy proxy("127.0.0.1", port);
    lt::Handheld h(server.dir().file("crew.db"), proxy.address(), token, "14:00", linecrew::DeviceId("bench-dev"));
    const auto first = h.agent->sync_once();
    if (!first.ok) throw std::runtime_error("first sync: " + first.error);

    // Eight hours offline: 200 actions (accept, en route, arrived, cause found on 50 tickets).
    int minute = 14 * 60 + 5;
    const char* steps[] = {"accept", "en_route", "arrived", "cause_found"};
    for (const auto& id : ids)
      for (const char* step : steps) {
        h.at(hhmm(minute));
        minute += 2;
        device::ActionInput in;
        in.action = step;
        in.ticket = TicketId(id);
        if (std::string(step) == "cause_found") in.text = "drop-out fuse blown on the pole-top transformer";
        device::record(h.store, h.device_id, in, h.clock.now());
      }
    h.at("22:05");
    server.set_clock("22:06");
    const std::size_t queued = h.store.outbox_size();

    // The measured sync: a fresh agent and connection, as after a long time offline.
    device::SyncOptions o;
    o.device_id = h.device_id;
    o.token = token;
    device::SyncAgent agent(h.store, h.clock, device::make_channel(proxy.address(), grpc::InsecureChannelCredentials()),
                            o);
    const auto before = proxy.counters();
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = agent.sync_once();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the proxy count the last bytes
    const auto after = proxy.counters();
    if (!r.ok) throw std::runtime_error("measured sync: " + r.error);
    const auto up = after.bytes_to_target - before.bytes_to_target;
    const auto down = after.bytes_to_client - before.bytes_to_client;
    std::printf(
        "sync after 8 h offline: %zu queued actions, %zu uploaded (%zu applied), %zu changes pulled in %zu page(s)\n",
        queued, r.uploaded, r.applied, r.pulled, r.pages);
    std::printf(
        "  bytes on the wire (gzip, HTTP/2, incl. connection set-up and Hello): up %llu, down %llu, total %llu "
        "(%.1f KiB; target <= 64 KiB)\n",
        static_cast<unsigned long long>(up), static_cast<unsigned long long>(down),
        static_cast<unsigned long long>(up + down), static_cast<double>(up + down) / 1024.0);
    std::printf(
        "  sync wall time, client-observed over loopback (Hello + Upload + Pull): %.1f ms (target: server time <= 50 "
        "ms)\n",
        ms);

    // Server time: the server's own per-request log lines (handler latency) for this sync.
    {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      const std::string log = server.process().stderr_text();
      double server_ms = 0;
      std::string calls;
      std::size_t pos = log.size();
      for (int found = 0; found < 3 && pos != std::string::npos;) {  // the last Hello, Upload, Pull
        pos = log.rfind("\"method\":\"CrewSyncService.", pos == 0 ? 0 : pos - 1);
        if (pos == std::string::npos) break;
        const auto lat = log.find("\"latency_ms\":", pos);
        const auto name_end = log.find('"', pos + 10);
        if (lat == std::string::npos) break;
        const double v = std::stod(log.substr(lat + 13));
        server_ms += v;
        calls += " " + log.substr(pos + 10, name_end - pos - 10) + "=" + std::to_string(v).substr(0, 6) + "ms";
        ++found;
      }
      std::printf("  server time (handler latency from the server's request log): %.1f ms:%s (target <= 50 ms)\n",
                  server_ms, calls.c_str());
    }

    // Idle: the agent's loop with nothing to do (direct channel, no proxy).
    device::SyncAgent idle(h.store, h.clock, device::make_channel(server.address(), grpc::InsecureChannelCredentials()),
                           o);
    std::atomic<bool> stop{false};
    int syncs = 0;
    const double c0 = cpu_seconds();
    std::thread loop([&] { idle.run(stop, [&](const device::SyncReport&) { ++syncs; }); });
    std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
    stop = true;
    loop.join();
    const double cpu = cpu_seconds() - c0;
    std::printf("  idle: %d sync(s) in %d s at the server's 15 s pull interval; CPU %.3f s -> %.1f s per hour\n", syncs,
                idle_seconds, cpu, cpu * 3600.0 / idle_seconds);

    // Peak resident memory of the device binary doing a sync.
    const std::string token_file = server.dir().file("t");
    lt::write_file(token_file, token);
    const pid_t pid = fork();
    if (pid == 0) {
      const std::string store = server.dir().file("crew.db"), addr = server.address();
      execl(LINECREW_DEVICE_BIN, LINECREW_DEVICE_BIN, "--store", store.c_str(), "--server", addr.c_str(),
            "--token-file", token_file.c_str(), "sync", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    std::printf("  linecrew-device sync (native): exit %d, peak RSS %.1f MiB\n", WEXITSTATUS(status),
                static_cast<double>(ru.ru_maxrss) / 1024.0);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "linecrew-bench-sync: " << e.what() << "\n";
    return 1;
  }
}
