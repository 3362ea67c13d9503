// The benchmark mode: Solomon parsing (errors name file and line), solving,
// the independent checker, and the solution text format.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "linecrew/core/error.h"
#include "linecrew/planner/vrptw.h"
#include "linecrew/planner/vrptw_check.h"
#include "test_support.h"

namespace linecrew::planner {
namespace {

using linecrew::testing::expect_error;

std::string fixture(const std::string& name) {
  return std::string(LINECREW_SOURCE_DIR) + "/tests/planner/fixtures/" + name;
}

TEST(Vrptw, ParsesTheSolomonFormat) {
  const VrptwInstance inst = load_solomon(fixture("tiny.txt"));
  EXPECT_EQ(inst.name, "TINY");
  EXPECT_EQ(inst.vehicles, 3);
  EXPECT_DOUBLE_EQ(inst.capacity, 30);
  ASSERT_EQ(inst.customers(), 6u);
  EXPECT_EQ(inst.nodes[3].id, 3);
  EXPECT_DOUBLE_EQ(inst.nodes[3].ready, 20);
  EXPECT_DOUBLE_EQ(inst.nodes[3].due, 140);
}

// Two rays of three customers, 30 units each = one truck each: 2 x 60.
TEST(Vrptw, SolvesTheTinyInstanceOptimally) {
  const VrptwInstance inst = load_solomon(fixture("tiny.txt"));
  for (const VrptwMode mode : {VrptwMode::kFast, VrptwMode::kQuality}) {
    VrptwOptions o;
    o.mode = mode;
    o.time_budget_s = 0.05;
    const VrptwSolution s = solve_vrptw(inst, o);
    const VrptwCheck c = check_vrptw(inst, s);
    EXPECT_EQ(c.violations, 0);
    EXPECT_EQ(c.unassigned, 0);
    EXPECT_EQ(c.vehicles, 2);
    EXPECT_NEAR(c.distance, 120.0, 1e-9);
    const std::string text = format_solution(inst, s, c.distance);
    EXPECT_NE(text.find("Route #1: "), std::string::npos);
    EXPECT_NE(text.find("Route #2: "), std::string::npos);
    EXPECT_NE(text.find("Cost 120.00"), std::string::npos) << text;
  }
}

TEST(Vrptw, SameSeedAndIterationCountGiveTheSameSolution) {
  const VrptwInstance inst = load_solomon(fixture("tiny.txt"));
  VrptwOptions o;
  o.time_budget_s = 30;  // never reached: the iteration count stops first
  o.max_iterations = 300;
  o.seed = 7;
  const VrptwSolution a = solve_vrptw(inst, o);
  const VrptwSolution b = solve_vrptw(inst, o);
  EXPECT_EQ(a.routes, b.routes);
  EXPECT_EQ(a.iterations, 300);
}

TEST(Vrptw, CheckerFindsEveryKindOfViolation) {
  const VrptwInstance inst = load_solomon(fixture("tiny.txt"));
  VrptwSolution s;
  s.routes = {{1, 2, 3, 4}, {5}};  // capacity 40 > 30; customer 6 missing
  VrptwCheck c = check_vrptw(inst, s);
  EXPECT_EQ(c.unassigned, 1);
  EXPECT_GE(c.violations, 1);
  s.routes = {{6, 5, 4}, {3, 2, 1}};  // 1 arrives after its due time? no: 3 first at 30, 2 at 45, 1 at 60; 4 at 50 ok
  c = check_vrptw(inst, s);
  EXPECT_EQ(c.violations, 0);
  s.routes = {{3, 2, 1}, {6, 5, 4}, {2}};  // duplicate
  EXPECT_GE(check_vrptw(inst, s).violations, 1);
  VrptwInstance tight = inst;
  tight.nodes[1].due = 5;  // 10 away from the depot
  s.routes = {{1, 2, 3}, {4, 5, 6}};
  c = check_vrptw(tight, s);
  EXPECT_EQ(c.violations, 1);
  ASSERT_FALSE(c.problems.empty());
  EXPECT_NE(c.problems.front().find("customer 1"), std::string::npos);
}

TEST(Vrptw, MalformedFilesNameTheLine) {
  expect_error([] { load_solomon(fixture("bad_number.txt")); }, ErrorCode::kInvalidArgument, "bad_number.txt:14");
  expect_error([] { load_solomon(fixture("bad_number.txt")); }, ErrorCode::kInvalidArgument, "column 4: 'ten'");
  expect_error([] { load_solomon(fixture("bad_window.txt")); }, ErrorCode::kInvalidArgument,
               "bad_window.txt:15: due date before ready time");
  expect_error([] { load_solomon(fixture("does_not_exist.txt")); }, ErrorCode::kNotFound, "does_not_exist");
  expect_error([] { parse_solomon("X\nVEHICLE\nNUMBER CAPACITY\n 3 abc\n", "inline"); }, ErrorCode::kInvalidArgument,
               "inline:4");
  expect_error([] { parse_solomon("X\nVEHICLE\nNUMBER CAPACITY\n 3 10\nCUSTOMER\n0 1 2 0 0 100\n", "inline"); },
               ErrorCode::kInvalidArgument, "inline:6: expected 7 numbers");
  expect_error([] { parse_solomon("X\nVEHICLE\nNUMBER CAPACITY\n 3 10\n0 1 2 0 0 100 0\n1 nan 2 1 0 10 0\n", "in"); },
               ErrorCode::kInvalidArgument, "in:6");
  expect_error([] { parse_solomon("X\nVEHICLE\nNUMBER CAPACITY\n 3 10\n0 1 2 0 0 100 0\n", "in"); },
               ErrorCode::kInvalidArgument, "no customers");
}

// Random corruption of a valid file: parsed or rejected with an Error, never a
// crash or another exception; whatever parses can be solved and checked.
TEST(Vrptw, CorruptedFilesNeverCrashTheParser) {
  std::ifstream f(fixture("tiny.txt"));
  const std::string good((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::mt19937 rng(42);
  const std::string alphabet = "0123456789 .-+eE\nxn\t";
  int parsed = 0, rejected = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 8);
          break;
        default:
          text.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
      if (text.empty()) text.push_back('x');
    }
    try {
      const VrptwInstance inst = parse_solomon(text, "fuzz");
      ++parsed;
      VrptwOptions o;
      o.time_budget_s = 0.002;
      const VrptwCheck c = check_vrptw(inst, solve_vrptw(inst, o));
      EXPECT_EQ(c.violations, 0);
    } catch (const Error& e) {
      ++rejected;
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(e.field().rfind("fuzz:", 0), 0u) << e.what();
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);
}

// Optional: a real Solomon instance when the shared data set is present.
TEST(Vrptw, SolvesC101NearTheBestKnownWhenDataIsPresent) {
  const std::string path = "/work/shared/data/vrptw/solomon/C101.txt";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  const VrptwInstance inst = load_solomon(path);
  VrptwOptions o;
  o.time_budget_s = 0.3;
  const VrptwCheck c = check_vrptw(inst, solve_vrptw(inst, o));
  EXPECT_EQ(c.violations, 0);
  EXPECT_EQ(c.unassigned, 0);
  EXPECT_LT(c.distance, 828.94 * 1.01);
}

}  // namespace
}  // namespace linecrew::planner
