// linecrew-bench-solomon: solve VRPTW instances with the planner engine, check
// every solution with the independent checker, print one CSV row per instance
// and a summary against the best-known values.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "linecrew/core/error.h"
#include "linecrew/planner/vrptw.h"
#include "linecrew/planner/vrptw_check.h"

namespace fs = std::filesystem;
using namespace linecrew;
using namespace linecrew::planner;

namespace {

struct BestKnown {
  std::string cls;
  int vehicles = 0;
  double distance = 0;
  std::optional<double> distance_only;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::map<std::string, BestKnown> read_best_known(const fs::path& path) {
  std::map<std::string, BestKnown> out;
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> col;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, ',')) col.push_back(c);
    if (col.size() < 7) continue;
    BestKnown b;
    b.cls = col[1];
    b.vehicles = std::atoi(col[5].c_str());
    b.distance = std::atof(col[6].c_str());
    if (col.size() >= 9 && !col[8].empty()) b.distance_only = std::atof(col[8].c_str());
    out[lower(col[0])] = b;
  }
  return out;
}

std::optional<fs::path> find_best_known(const fs::path& instance) {
  fs::path dir = fs::absolute(instance).parent_path();
  for (int up = 0; up < 3 && !dir.empty(); ++up, dir = dir.parent_path()) {
    if (fs::exists(dir / "best_known.csv")) return dir / "best_known.csv";
  }
  return std::nullopt;
}

int usage() {
  std::cerr
      << "usage: linecrew-bench-solomon [--mode fast|quality] [--time-budget SECONDS] [--seed N] [--iterations N]\n"
         "                              [--solutions DIR] [--best-known CSV] FILE_OR_DIR...\n";
  return 2;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  VrptwOptions opt;
  std::optional<double> budget;
  std::optional<fs::path> solutions_dir, best_known_path;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(usage());
      }
      return argv[++i];
    };
    if (a == "--mode") {
      const std::string m = value();
      if (m == "fast")
        opt.mode = VrptwMode::kFast;
      else if (m == "quality")
        opt.mode = VrptwMode::kQuality;
      else
        return usage();
    } else if (a == "--time-budget") {
      budget = std::atof(value().c_str());
      if (!(*budget > 0)) return usage();
    } else if (a == "--iterations") {
      opt.max_iterations = std::atol(value().c_str());
    } else if (a == "--t0") {
      opt.t0 = std::atof(value().c_str());
    } else if (a == "--tf") {
      opt.tf = std::atof(value().c_str());
    } else if (a == "--seed") {
      opt.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--solutions") {
      solutions_dir = value();
    } else if (a == "--best-known") {
      best_known_path = value();
    } else if (a == "-h" || a == "--help") {
      return usage();
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "unknown option " << a << "\n";
      return usage();
    } else {
      const fs::path p(a);
      if (fs::is_directory(p)) {
        std::vector<fs::path> in_dir;
        for (const auto& e : fs::directory_iterator(p))
          if (e.is_regular_file() && lower(e.path().extension().string()) == ".txt") in_dir.push_back(e.path());
        std::sort(in_dir.begin(), in_dir.end());
        files.insert(files.end(), in_dir.begin(), in_dir.end());
      } else if (fs::exists(p)) {
        files.push_back(p);
      } else {
        std::cerr << a << ": no such file or directory\n";
        return 2;
      }
    }
  }
  if (files.empty()) return usage();
  opt.time_budget_s = budget.value_or(default_time_budget_s(opt.mode));
  if (solutions_dir) fs::create_directories(*solutions_dir);
  std::map<std::string, BestKnown> bks;
  if (!best_known_path) best_known_path = find_best_known(files.front());
  if (best_known_path) bks = read_best_known(*best_known_path);

  std::cout << "instance,vehicles,distance,violations,unassigned,solve_ms\n";
  std::vector<double> ms_all;
  double sum_dist_only = 0, sum_bks_only = 0;
  int n_only = 0;
  double sum_dist_h = 0, sum_bks_h = 0;
  int n_h = 0, veh_over = 0, veh_equal = 0;
  int total_viol = 0, total_unassigned = 0, errors = 0;
  for (const auto& file : files) {
    VrptwInstance inst;
    try {
      inst = load_solomon(file.string());
    } catch (const Error& e) {
      std::cerr << "error: " << e.what() << "\n";
      ++errors;
      continue;
    }
    const std::string name = file.stem().string();
    const auto t0 = std::chrono::steady_clock::now();
    const VrptwSolution sol = solve_vrptw(inst, opt);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const VrptwCheck chk = check_vrptw(inst, sol);
    ms_all.push_back(ms);
    total_viol += chk.violations;
    total_unassigned += chk.unassigned;
    for (const auto& p : chk.problems) std::cerr << name << ": " << p << "\n";
    if (std::getenv("LINECREW_BENCH_VERBOSE")) std::cerr << name << ": " << sol.iterations << " iterations\n";
    std::printf("%s,%d,%.2f,%d,%d,%.0f\n", name.c_str(), chk.vehicles, chk.distance, chk.violations, chk.unassigned,
                ms);
    std::fflush(stdout);
    if (solutions_dir) {
      std::ofstream out(*solutions_dir / (name + ".sol"));
      out << format_solution(inst, sol, chk.distance);
    }
    const auto it = bks.find(lower(name));
    if (it == bks.end() || chk.unassigned > 0 || chk.violations > 0) continue;
    if (it->second.distance_only) {
      sum_dist_only += chk.distance;
      sum_bks_only += *it->second.distance_only;
      ++n_only;
    } else {
      sum_dist_h += chk.distance;
      sum_bks_h += it->second.distance;
      ++n_h;
      if (chk.vehicles > it->second.vehicles) ++veh_over;
      if (chk.vehicles == it->second.vehicles) ++veh_equal;
    }
  }
  std::printf("# instances %zu, violations %d, unassigned %d, median solve_ms %.0f, max solve_ms %.0f\n", ms_all.size(),
              total_viol, total_unassigned, median(ms_all),
              ms_all.empty() ? 0.0 : *std::max_element(ms_all.begin(), ms_all.end()));
  if (n_only > 0)
    std::printf("# distance-only best known (%d instances): total %.2f vs %.2f, gap %+.2f%%\n", n_only, sum_dist_only,
                sum_bks_only, 100.0 * (sum_dist_only / sum_bks_only - 1.0));
  if (n_h > 0)
    std::printf(
        "# hierarchical best known (%d instances): vehicles equal %d, more %d; total distance %.2f vs %.2f, gap "
        "%+.2f%%\n",
        n_h, veh_equal, veh_over, sum_dist_h, sum_bks_h, 100.0 * (sum_dist_h / sum_bks_h - 1.0));
  if (bks.empty()) std::printf("# no best_known.csv found: no gap reported\n");
  return errors > 0 ? 1 : 0;
}
