// One small storm end to end: the real server process on the simulated clock,
// a real handheld (LocalStore + SyncAgent) per crew, Linecrew's planner and
// the baseline desk; the simulator's own figures must match the server's.
#include <gtest/gtest.h>

#include "server_process.h"
#include "simulator.h"

namespace linecrew::sim {
namespace {

class SmallStorm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("sim-e2e");
    scenario_ = new Scenario(load_scenario(std::string(LINECREW_SOURCE_DIR) + "/tests/sim/fixtures/small_storm.json"));
    RunOptions o;
    o.server_bin = LINECREW_SERVER_BIN;
    o.config_dir = std::string(LINECREW_SOURCE_DIR) + "/config";
    o.work_dir = dir_->path();
    o.threads = 2;
    // An exception here must fail the test, not skip it (gtest skips a suite whose set-up threw).
    try {
      result_ = new SimResult(simulate(*scenario_, o));
    } catch (const std::exception& e) {
      error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete result_;
    delete error_;
    delete scenario_;
    delete dir_;
  }

  static void expect_consistent_with_the_server(const RunReport& r) {
    std::uint32_t tickets = 0, arrivals = 0;
    for (std::size_t z = 0; z < 3; ++z) {
      const auto zone = to_string(kAllZoneClasses[z]);
      EXPECT_EQ(r.sim[z].arrivals, r.server[z].arrivals) << r.policy << " " << zone;
      EXPECT_EQ(r.sim[z].on_time, r.server[z].on_time) << r.policy << " " << zone;
      EXPECT_EQ(r.sim[z].late_excused, r.server[z].late_excused) << r.policy << " " << zone;
      EXPECT_EQ(r.sim[z].violations, r.server[z].violations) << r.policy << " " << zone;
      EXPECT_GT(r.sim[z].tickets, 0u) << r.policy << " " << zone;
      tickets += r.sim[z].tickets;
      arrivals += r.sim[z].arrivals;
    }
    EXPECT_EQ(tickets, 20u) << r.policy;
    EXPECT_EQ(arrivals + r.unreached, tickets) << r.policy;
    EXPECT_GT(arrivals, 5u) << r.policy;
    // Rules §7: each restoration the crews uploaded owes one follow-up (nobody calls in a simulation).
    EXPECT_GT(r.follow_ups_opened, 0u) << r.policy;
    EXPECT_LE(r.follow_ups_opened, arrivals) << r.policy;
    EXPECT_EQ(r.server_late_arrivals, arrivals - (r.sim[0].on_time + r.sim[1].on_time + r.sim[2].on_time)) << r.policy;
    // Violations: every unexcused late arrival, and unreached tickets past their effective deadline.
    std::uint32_t late_unexcused = 0, violations = 0;
    for (const auto& z : r.sim) {
      late_unexcused += z.arrivals - z.on_time - z.late_excused;
      violations += z.violations;
    }
    EXPECT_EQ(r.server_violations, violations) << r.policy;
    EXPECT_GE(violations, late_unexcused) << r.policy;
    EXPECT_LE(violations, late_unexcused + r.unreached) << r.policy;
    EXPECT_EQ(r.prompts, r.calls_consent + r.calls_refused + r.calls_unreachable) << r.policy;
    EXPECT_GT(r.syncs, 0u);
    EXPECT_EQ(r.sync_failures, 0u) << r.policy;
    EXPECT_GT(r.sync_up_bytes, 0u);
    EXPECT_GT(r.sync_down_bytes, 0u);
    EXPECT_GT(r.create_ms.count(), 0u);
  }

  static testing::TempDir* dir_;
  static Scenario* scenario_;
  static SimResult* result_;
  static std::string* error_;
};

testing::TempDir* SmallStorm::dir_ = nullptr;
Scenario* SmallStorm::scenario_ = nullptr;
SimResult* SmallStorm::result_ = nullptr;
std::string* SmallStorm::error_ = nullptr;

// One test (one run of both policies, ~10 s): ctest runs each test in its own process.
TEST_F(SmallStorm, BothPoliciesRunAndTheirFiguresMatchTheServersReports) {
  ASSERT_EQ(error_, nullptr) << *error_;
  ASSERT_NE(result_, nullptr);
  ASSERT_TRUE(result_->linecrew.has_value());
  ASSERT_TRUE(result_->baseline.has_value());
  const auto& l = *result_->linecrew;
  const auto& b = *result_->baseline;

  // Linecrew: the planner assigns, the simulator's count equals the server's.
  expect_consistent_with_the_server(l);
  EXPECT_EQ(l.pins, 0u);
  EXPECT_GT(l.replans, 0u);

  // The baseline desk ran on its own server (no planner) and pinned every ticket it reached.
  expect_consistent_with_the_server(b);
  std::uint32_t arrivals = 0;
  for (const auto& z : b.sim) arrivals += z.arrivals;
  EXPECT_GE(b.pins, arrivals);
  EXPECT_EQ(b.rpc_ms.count("PinTicket"), 1u);
  EXPECT_EQ(b.replans, 0u);
  // One fault, many callers: the baseline's server runs on a policy copy without automatic fault linking.
  EXPECT_EQ(b.faults.linked, 0u);

  // The push channel woke the handhelds: the crew a ticket was assigned or pinned to (the desk's answer),
  // and with the planner the board stream; a handheld syncs far less often than once per step.
  for (const auto* r : {&l, &b}) {
    EXPECT_GT(r->pushes_desk, 0u) << r->policy;
    EXPECT_LT(r->syncs, r->steps * r->crews / 2) << r->policy;
  }
  EXPECT_GT(l.board_updates, 0u);
  EXPECT_EQ(b.board_updates, 0u);  // the baseline desk's own answers name every crew it changed

  // The rural crew worked through its connectivity gap: actions queued offline went up later.
  for (const auto* r : {&l, &b}) {
    EXPECT_GT(r->max_offline_outbox, 0u) << r->policy;
    EXPECT_GE(r->uploaded_after_gap, r->max_offline_outbox) << r->policy;
  }

  // City gridlock made the delay watcher prompt calls; the report prints both columns.
  EXPECT_GT(l.prompts + b.prompts, 0u);
  const auto text = format_report(l, &b);
  EXPECT_NE(text.find("margin"), std::string::npos);
}

}  // namespace
}  // namespace linecrew::sim
