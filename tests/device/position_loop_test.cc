// The position loop end to end: `linecrew-device sync --loop --replay` with the
// shipped drive (fixtures/drive.nmea, replayed 400x: its 20 minutes in about
// 3 s) against the real server. The throttled fixes, and only those, reach the
// server: the crew's position there becomes the last throttled fix, and the
// device reports as many uploads as the throttle passes over the same log. In
// the aarch64 build the device runs under qemu-user against the native server.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "device_process.h"
#include "linecrew/device/position/replay_source.h"
#include "linecrew/device/position/throttle.h"
#include "sync_support.h"

namespace linecrew {
namespace {

const std::string kDrive = std::string(LINECREW_SOURCE_DIR) + "/tests/device/fixtures/drive.nmea";

std::optional<v1::Crew> crew(testing::SimServer& server, const std::string& id) {
  auto stub = v1::DispatchService::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::ListCrewsRequest req;
  v1::ListCrewsResponse resp;
  const auto s = stub->ListCrews(server.ctx().get(), req, &resp);
  if (!s.ok()) throw std::runtime_error("ListCrews: " + s.error_message());
  for (const auto& c : resp.crews())
    if (c.id() == id) return c;
  return std::nullopt;
}

TEST(PositionLoop, SyncLoopWithAReplayUploadsTheThrottledFixesToTheServer) {
  // What the throttle passes over this drive, on the fixes' own times.
  const auto log = position::read_replay_log(kDrive);
  position::PositionThrottle throttle;
  std::vector<position::PositionFix> passed;
  for (const auto& f : log.fixes)
    if (throttle.should_upload(f, f.fix_time)) passed.push_back(f);
  ASSERT_GT(passed.size(), 5u);
  ASSERT_LT(passed.size(), log.fixes.size() / 2) << "the throttle must drop most fixes";

  testing::SimServer server("position-loop");
  const std::string token = server.add_crew("C-1", 30.20, 120.10);
  const std::string store_path = server.dir().file("crew.db"), token_file = server.dir().file("crew.token"),
                    out_path = server.dir().file("device.out");
  testing::write_file(token_file, token);

  auto argv = testing::device_command(
      {"--store",    store_path,  "--server", server.address(), "--token-file",        token_file, "--device-id",
       "dev-pos",    "--timeout", "5",        "--now",          testing::iso("14:00"), "sync",     "--loop",
       "--interval", "0.2",       "--replay", kDrive,           "--replay-speed",      "400"});
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    testing::exec_or_die(argv);
  }
  ASSERT_GT(pid, 0);

  // Wait until the server holds the last throttled fix.
  const auto last = passed.back();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(testing::emulated() ? 60 : 20);
  std::optional<v1::Crew> c;
  bool reached = false;
  while (!reached && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    c = crew(server, "C-1");
    reached = c && c->has_position_time() && c->position_time().seconds() == last.fix_time.time_since_epoch().count();
  }
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  std::ifstream in(out_path);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(reached) << "the server never got the last throttled fix; device said:\n" << out;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  EXPECT_NEAR(c->position().lat(), last.point.lat(), 1e-6);
  EXPECT_NEAR(c->position().lon(), last.point.lon(), 1e-6);

  // Exactly the throttled fixes were queued and uploaded, each once.
  std::size_t uploaded = 0;
  const std::regex synced(R"(synced: uploaded (\d+) \(applied (\d+))");
  for (std::sregex_iterator it(out.begin(), out.end(), synced), end; it != end; ++it) {
    EXPECT_EQ((*it)[1], (*it)[2]) << out;
    uploaded += std::stoul((*it)[1]);
  }
  EXPECT_EQ(uploaded, passed.size()) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(positions: (\d+) fix\(es\), (\d+) queued)"))) << out;
  EXPECT_EQ(std::stoul(m[2]), passed.size()) << out;
  EXPECT_GE(std::stoul(m[1]), passed.size()) << out;
  EXPECT_LE(std::stoul(m[1]), log.fixes.size()) << out;
  device::LocalStore store(store_path);
  EXPECT_EQ(store.outbox_size(), 0u);
  EXPECT_EQ(store.meta("position_time").value_or(""), std::to_string(last.fix_time.time_since_epoch().count()));
}

}  // namespace
}  // namespace linecrew
