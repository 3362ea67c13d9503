// linecrew-bench-insertion: latency of the planner's fast path on a large
// synthetic region. 1,000 crews and 10,000 open tickets over a 50 km square
// with urban, rural and remote zones (GeoTravelModel); prints p50/p99 latency
// to insert one new ticket and to apply one crew delay update, and peak memory.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "linecrew/core/error.h"
#include "linecrew/core/travel.h"
#include "linecrew/core/zones.h"
#include "linecrew/planner/planner.h"

using namespace linecrew;
using namespace linecrew::planner;

namespace {

constexpr double kLat0 = 30.0, kLon0 = 120.0;

// "C" + std::to_string(n) without operator+(const char*, string&&): GCC 12
// reports a false -Wrestrict on that at -O3 (GCC bug 105329).
std::string numbered(std::string prefix, long n) {
  prefix += std::to_string(n);
  return prefix;
}
constexpr double kLatSpan = 50.0 / 111.2;                     // 50 km
constexpr double kLonSpan = 50.0 / (111.2 * 0.866025403784);  // 50 km at 30 degrees north

std::string box(double lat_a, double lat_b, double lon_a, double lon_b) {
  auto pt = [](double lat, double lon) { return std::to_string(lon) + " " + std::to_string(lat); };
  return "POLYGON((" + pt(lat_a, lon_a) + ", " + pt(lat_a, lon_b) + ", " + pt(lat_b, lon_b) + ", " + pt(lat_b, lon_a) +
         ", " + pt(lat_a, lon_a) + "))";
}

// Rural everywhere, an urban core in the middle, a remote corner.
std::string zones_wkt() {
  return "rural | region | " + box(kLat0, kLat0 + kLatSpan, kLon0, kLon0 + kLonSpan) + "\n" + "urban | city | " +
         box(kLat0 + 0.35 * kLatSpan, kLat0 + 0.65 * kLatSpan, kLon0 + 0.35 * kLonSpan, kLon0 + 0.65 * kLonSpan) +
         "\n" + "remote | hills | " +
         box(kLat0 + 0.7 * kLatSpan, kLat0 + kLatSpan, kLon0 + 0.7 * kLonSpan, kLon0 + kLonSpan) + "\n";
}

// CPU time of this thread: what the operation costs, without time spent
// preempted on a busy machine.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto k =
      static_cast<std::size_t>(std::min<double>(static_cast<double>(v.size() - 1), p * static_cast<double>(v.size())));
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  int n_crews = 1000, n_tickets = 10000, samples = 1000, replan_ms = 1000;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--crews")
      n_crews = std::atoi(argv[i + 1]);
    else if (a == "--tickets")
      n_tickets = std::atoi(argv[i + 1]);
    else if (a == "--samples")
      samples = std::atoi(argv[i + 1]);
    else if (a == "--replan-ms")
      replan_ms = std::atoi(argv[i + 1]);
    else if (a == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(
          stderr,
          "usage: linecrew-bench-insertion [--crews N] [--tickets N] [--samples N] [--replan-ms N] [--seed N]\n");
      return 2;
    }
  }
  if (n_crews < 1 || n_tickets < 0 || samples < 1 || replan_ms < 0) return 2;
  std::mt19937_64 rng(seed);
  auto real = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto chance = [&](double p) { return real(0, 1) < p; };
  auto point = [&] { return GeoPoint(kLat0 + real(0, kLatSpan), kLon0 + real(0, kLonSpan)); };

  const ZoneMap zones = ZoneMap::from_wkt(zones_wkt(), "synthetic");
  const GeoTravelModel travel(zones, GeoTravelModel::Speeds{}, 1.3);
  const std::vector<std::string> skills = {"line", "transformer", "meter", "cable"};
  PlannerOptions opt;
  opt.skills = skills;
  opt.seed = seed;
  Planner planner(travel, opt);
  const TimePoint t0 = parse_utc("2026-11-22T00:00:00Z");
  const Duration limits[3] = {minutes(45), minutes(90), minutes(120)};

  for (int c = 0; c < n_crews; ++c) {
    CrewSpec cs;
    cs.id = CrewId(numbered("C", c));
    cs.position = point();
    cs.shift_start = cs.available_at = t0;
    cs.shift_end = t0 + hours(12);
    cs.skills = {"line"};
    for (const auto& s : skills)
      if (s != "line" && chance(0.5)) cs.skills.push_back(s);
    planner.upsert_crew(cs);
  }
  int next_id = 0;
  auto make_ticket = [&](TimePoint now) {
    TicketSpec t;
    t.id = TicketId(numbered("T", next_id++));
    t.location = point();
    const ZoneClass zc = zones.classify(t.location);
    t.deadline = now + limits[static_cast<int>(zc)] + hours(static_cast<long>(real(0, 10)));
    t.service = minutes(static_cast<long>(real(15, 45)));
    if (chance(0.2)) t.required_skills = {skills[static_cast<std::size_t>(real(0, 4))]};
    if (chance(0.05)) t.priority = 3;
    return t;
  };
  const auto s0 = std::chrono::steady_clock::now();
  for (int k = 0; k < n_tickets; ++k) planner.insert(make_ticket(t0));
  const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();

  std::vector<double> ins_ms, delay_ms, ins_cpu, delay_cpu;
  for (int k = 0; k < samples; ++k) {
    const TicketSpec t = make_ticket(t0);
    const double c0 = thread_cpu_ms();
    const auto a = std::chrono::steady_clock::now();
    planner.insert(t);
    ins_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    ins_cpu.push_back(thread_cpu_ms() - c0);
    planner.cancel(t.id);  // keep the open-ticket count steady
  }
  std::vector<TimePoint> free_at(static_cast<std::size_t>(n_crews), t0);
  for (int k = 0; k < samples; ++k) {
    const auto c = static_cast<std::size_t>(real(0, n_crews));
    free_at[c] += minutes(static_cast<long>(real(5, 15)));
    const CrewId id(numbered("C", c));
    const GeoPoint p = point();
    const double c0 = thread_cpu_ms();
    const auto a = std::chrono::steady_clock::now();
    planner.update_crew_position(id, p, free_at[c]);
    delay_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    delay_cpu.push_back(thread_cpu_ms() - c0);
  }
  const PlanSummary before = planner.summary();
  ReplanStats rs;
  if (replan_ms > 0) rs = planner.replan(std::chrono::milliseconds(replan_ms));
  const PlanSummary sum = planner.summary();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("crews %d, open tickets %zu (assigned %zu, unassigned %zu, predicted late %zu), setup %.2f s\n", n_crews,
              sum.tickets, sum.assigned, sum.unassigned, sum.late, setup_s);
  std::printf("insert one ticket:   p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%d samples, wall clock)\n",
              percentile(ins_ms, 0.5), percentile(ins_ms, 0.99), percentile(ins_ms, 1.0), samples);
  std::printf("                     p50 %.3f ms  p99 %.3f ms  max %.3f ms  (thread CPU time)\n",
              percentile(ins_cpu, 0.5), percentile(ins_cpu, 0.99), percentile(ins_cpu, 1.0));
  std::printf("crew delay update:   p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%d samples, wall clock)\n",
              percentile(delay_ms, 0.5), percentile(delay_ms, 0.99), percentile(delay_ms, 1.0), samples);
  std::printf("                     p50 %.3f ms  p99 %.3f ms  max %.3f ms  (thread CPU time)\n",
              percentile(delay_cpu, 0.5), percentile(delay_cpu, 0.99), percentile(delay_cpu, 1.0));
  if (replan_ms > 0)
    std::printf(
        "full re-plan (budget %d ms): %.0f ms, %ld iterations; predicted late %zu -> %zu, weighted misses %.0f -> "
        "%.0f, "
        "lateness %ld -> %ld min, travel %ld -> %ld min\n",
        replan_ms, rs.elapsed_ms, rs.iterations, before.late, sum.late, before.weighted_misses, sum.weighted_misses,
        static_cast<long>(before.total_lateness.count() / 60), static_cast<long>(sum.total_lateness.count() / 60),
        static_cast<long>(before.total_travel.count() / 60), static_cast<long>(sum.total_travel.count() / 60));
  const auto issues = planner.issues();
  for (std::size_t k = 0; k < issues.size() && k < 3; ++k)
    std::printf("  e.g. %s: %s\n", issues[k].ticket.str().c_str(), issues[k].reason.c_str());
  std::printf("peak memory (ru_maxrss): %.1f MiB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  return 0;
}
