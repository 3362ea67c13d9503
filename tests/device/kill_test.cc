// kill -9 of the handheld at random moments during sync, many times over:
// no acknowledged local action is lost, none is applied twice, and the
// local store passes integrity_check. The device runs as its own process
// (the aarch64 build runs it under qemu-user, as CMake's emulator says).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <thread>

#include "linecrew/device/app/actions.h"
#include "sync_support.h"

namespace linecrew {
namespace {

std::vector<std::string> device_command() {
  std::vector<std::string> argv;
  std::istringstream emulator(LINECREW_DEVICE_EMULATOR);
  for (std::string part; emulator >> part;) argv.push_back(part);
  argv.push_back(LINECREW_DEVICE_BIN);
  return argv;
}

pid_t spawn(std::vector<std::string> argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(DeviceKill, KilledAtRandomMomentsDuringSyncItLosesNothingAndDuplicatesNothing) {
  testing::SimServer server("device-kill");
  const std::string token = server.add_crew("C-1", 30.26, 120.16);
  server.set_clock("14:05");
  const std::string id = server.create_ticket("r1", "14:05").id();
  server.pin(id, "C-1");
  const std::string store = server.dir().file("crew.db"), token_file = server.dir().file("crew.token"),
                    log = server.dir().file("device.log"), address = server.address();
  testing::write_file(token_file, token);
  auto command = [&](const std::string& sub) {
    auto argv = device_command();
    for (const char* a : {"--store", store.c_str(), "--server", address.c_str(), "--token-file", token_file.c_str(),
                          "--device-id", "dev-kill", "--timeout", "5", sub.c_str()})
      argv.emplace_back(a);
    return argv;
  };
  ASSERT_EQ(wait_status(spawn(command("sync"), log)), 0) << "first sync failed, see " << log;

  const bool emulated = std::string(LINECREW_DEVICE_EMULATOR).size() > 0;
  int iterations = emulated ? 60 : 200;  // qemu-user start-up costs ~0.3 s per process
  if (const char* n = std::getenv("LINECREW_KILL_ITERATIONS")) iterations = std::atoi(n);
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> delay_us(0, emulated ? 600000 : 60000);
  int recorded = 0, killed = 0;
  TimePoint now = parse_utc(testing::iso("14:06"));
  for (int i = 0; i < iterations; ++i) {
    {
      device::LocalStore s(store);
      for (int k = 0; k < 2; ++k) {
        device::ActionInput in;
        in.action = "contact_attempt";
        in.ticket = TicketId(id);
        in.reason = DelayReason::kWeather;
        in.consent = Consent::kUnreachable;
        in.text = "attempt " + std::to_string(recorded);
        device::record(s, DeviceId("dev-kill"), in, now);
        ++recorded;
      }
    }
    now += seconds(10);
    const pid_t pid = spawn(command("sync"), log);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    ::kill(pid, SIGKILL);
    killed += wait_status(pid) == 128 + SIGKILL;
  }
  // Let the last sync finish; every acknowledged action must now be on the server exactly once.
  ASSERT_EQ(wait_status(spawn(command("sync"), log)), 0) << "final sync failed, see " << log;
  device::LocalStore s(store);
  EXPECT_EQ(s.integrity_check(), "ok");
  EXPECT_EQ(s.outbox_size(), 0u);
  const auto st = server.get(id);
  EXPECT_EQ(testing::count_kind(st, v1::TICKET_EVENT_KIND_CONTACT_ATTEMPT), recorded);
  std::vector<std::string> seen;
  for (const auto& e : st.timeline())
    if (e.kind() == v1::TICKET_EVENT_KIND_CONTACT_ATTEMPT) seen.push_back(e.detail());
  for (int k = 0; k < recorded; ++k)  // in the order recorded
    ASSERT_NE(seen.at(static_cast<std::size_t>(k)).find("attempt " + std::to_string(k)), std::string::npos)
        << seen[static_cast<std::size_t>(k)];
  std::cout << "kill -9: " << iterations << " runs, " << killed << " killed mid-run, " << recorded
            << " actions, each on the server exactly once\n";
}

}  // namespace
}  // namespace linecrew
