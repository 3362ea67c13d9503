// linecrew-sim: the storm simulator (docs/simulator.md).
//   linecrew-sim generate --crews 200 --tickets 5000 --hours 24 --seed 7 -o storm.json
//   linecrew-sim run storm.json                      # Linecrew, then the baseline desk; the report
//   linecrew-sim run --crews 12 --tickets 120 --hours 3 --seed 7   # generate in memory and run
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "generator.h"
#include "linecrew/core/error.h"
#include "simulator.h"

namespace {

using namespace linecrew;

nlohmann::json zones_json(const std::array<sim::ZoneFigures, 3>& z) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < 3; ++i)
    out[std::string(to_string(kAllZoneClasses[i]))] = {{"tickets", z[i].tickets},
                                                       {"arrivals", z[i].arrivals},
                                                       {"on_time", z[i].on_time},
                                                       {"late_excused", z[i].late_excused},
                                                       {"on_time_rate", z[i].on_time_rate()}};
  return out;
}

nlohmann::json to_json(const sim::RunReport& r) {
  nlohmann::json rpc = nlohmann::json::object();
  for (const auto& [n, s] : r.rpc_ms)
    rpc[n] = {{"count", s.count()}, {"mean_ms", s.mean()}, {"p95_ms", s.percentile(0.95)}};
  nlohmann::json server_rpc = nlohmann::json::object();
  for (const auto& [n, v] : r.server_rpc)
    server_rpc[n] = {{"count", v.second}, {"mean_ms", v.second ? 1000.0 * v.first / static_cast<double>(v.second) : 0}};
  return {{"policy", r.policy},
          {"wall_seconds", r.wall_seconds},
          {"wall_split_seconds",
           {{"setup", r.setup_seconds},
            {"desk", r.desk_seconds},
            {"crews", r.crews_seconds},
            {"finish", r.finish_seconds}}},
          {"cpu_seconds", {{"server", r.server_cpu_seconds}, {"simulator", r.sim_cpu_seconds}}},
          {"steps", r.steps},
          {"crews", r.crews},
          {"sim", zones_json(r.sim)},
          {"server", zones_json(r.server)},
          {"server_delay_notice_compliance", r.server_delay_notice_compliance},
          {"server_late_arrivals", r.server_late_arrivals},
          {"server_violations", r.server_violations},
          {"escalations",
           {{"opened", r.escalations_opened}, {"open", r.escalations_open}, {"by_kind", r.escalations_by_kind}}},
          {"follow_ups",
           {{"opened", r.follow_ups_opened}, {"overdue", r.follow_ups_overdue}, {"apologies", r.follow_up_apologies}}},
          {"unreached", r.unreached},
          {"fault_clusters",
           {{"faults", r.faults.faults},
            {"calls", r.faults.calls},
            {"crew_visits", r.faults.visits},
            {"crews_per_fault", r.faults.crews_per_fault()},
            {"linked", r.faults.linked},
            {"linked_to_another_fault", r.faults.linked_elsewhere},
            {"reached", r.faults.reached},
            {"on_time", r.faults.on_time},
            {"on_time_rate", r.faults.on_time_rate()}}},
          {"arrivals_not_applied", r.arrivals_not_applied},
          {"lateness_mean_min", r.lateness_mean()},
          {"lateness_p95_min", r.lateness_p95()},
          {"tickets_per_crew_mean", r.tickets_per_crew_mean()},
          {"tickets_per_crew_max", r.tickets_per_crew_max()},
          {"prompts", r.prompts},
          {"calls", {{"consent", r.calls_consent}, {"refused", r.calls_refused}, {"unreachable", r.calls_unreachable}}},
          {"pins", r.pins},
          {"create_ticket_ms", {{"mean", r.create_ms.mean()}, {"p95", r.create_ms.percentile(0.95)}}},
          {"replan_ms", {{"mean", r.replan_ms.mean()}, {"p95", r.replan_ms.percentile(0.95)}, {"count", r.replans}}},
          {"rpc_client", rpc},
          {"rpc_server", server_rpc},
          {"sync",
           {{"count", r.syncs},
            {"failures", r.sync_failures},
            {"pushes_desk", r.pushes_desk},
            {"pushes_board", r.pushes_board},
            {"board_updates", r.board_updates},
            {"up_bytes", r.sync_up_bytes},
            {"down_bytes", r.sync_down_bytes}}}};
}

std::string default_server_bin(const char* argv0) {
  namespace fs = std::filesystem;
  const fs::path sibling = fs::absolute(argv0).parent_path().parent_path() / "server" / "linecrew-server";
  if (fs::exists(sibling)) return sibling.string();
  return LINECREW_SERVER_BIN;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"linecrew-sim: play a storm against the real server and handhelds, Linecrew vs a baseline desk"};
  cli.require_subcommand(1);
  sim::GeneratorOptions g;
  std::string start_text = "2026-11-22T06:00:00+08:00",
              zones = std::string(LINECREW_SOURCE_DIR) + "/config/zones.geojson";
  double hours_d = 24;
  int step_s = 60, sync_s = 900, drain_min = 180;
  const auto gen_options = [&](CLI::App* c) {
    c->add_option("--seed", g.seed, "generator seed");
    c->add_option("--crews", g.crews, "number of crews");
    c->add_option("--tickets", g.tickets, "number of outage tickets (customer calls)");
    c->add_option("--hours", hours_d, "storm length, simulated hours");
    c->add_option("--start", start_text, "start time, ISO 8601");
    c->add_option("--zones", zones, "zone polygons (GeoJSON)");
    c->add_option("--step-seconds", step_s, "simulation step");
    c->add_option(
        "--sync-seconds", sync_s,
        "keep-alive: an online handheld pulls at least this often (simulated seconds; pushes wake it sooner)");
    c->add_option("--drain-minutes", drain_min, "keep working after the last report at most this long");
    c->add_option("--multi-caller-share", g.multi_caller_share,
                  "share of faults several customers call about (one transformer), 0..1; 0: one call per fault")
        ->capture_default_str();
    c->add_option(
         "--callers-mean", g.callers_mean,
         "mean calls on a fault with several callers (>= 2; at most " + std::to_string(sim::kMaxCallersPerFault) + ")")
        ->capture_default_str();
  };
  auto* gen = cli.add_subcommand("generate", "write a generated storm scenario (JSON)");
  gen_options(gen);
  std::string out_path;
  gen->add_option("-o,--output", out_path, "output file (default: stdout)");

  auto* run = cli.add_subcommand("run", "run a scenario file, or a generated one (generator options)");
  gen_options(run);
  std::string scenario_path, json_path, board_at_text;
  sim::RunOptions o;
  o.server_bin = default_server_bin(argv[0]);
  o.config_dir = std::string(LINECREW_SOURCE_DIR) + "/config";
  // The servers' data on tmpfs when there is one: a durable commit (fdatasync) then costs nothing, so
  // the run measures the policies and the server's CPU, not the disk.
  std::error_code shm_error;
  o.work_dir = (std::filesystem::is_directory("/dev/shm", shm_error) && ::access("/dev/shm", W_OK) == 0
                    ? std::string("/dev/shm")
                    : std::filesystem::temp_directory_path().string()) +
               "/linecrew-sim";
  bool no_baseline = false, only_baseline = false, no_log = false, no_push = false, sequential = false;
  int board_at = -1;
  run->add_option("scenario", scenario_path, "scenario JSON (docs/simulator.md); omit to generate");
  run->add_option("--work-dir", o.work_dir,
                  "servers' data, clock files and logs (replaced; default /dev/shm/linecrew-sim, else $TMPDIR)");
  run->add_option("--server-bin", o.server_bin, "linecrew-server binary");
  run->add_option("--config-dir", o.config_dir, "policy.json and call_script.json");
  run->add_option("--threads", o.threads, "crews stepped in parallel");
  run->add_flag("--file-stores", o.file_stores, "handheld stores as SQLite files (default: in memory)");
  run->add_flag("--no-server-log", no_log, "discard the servers' request logs");
  run->add_flag("--no-baseline", no_baseline, "run Linecrew only");
  run->add_flag("--only-baseline", only_baseline, "run the baseline desk only");
  run->add_flag("--no-push", no_push,
                "no push channel: handhelds only poll every --sync-seconds (and when they have actions queued)");
  run->add_flag("--sequential", sequential, "run Linecrew, then the baseline (default: both at once)");
  run->add_option("--board-at", board_at, "print the Linecrew board this many simulated minutes after the start");
  run->add_option("--json", json_path, "also write the report as JSON");
  CLI11_PARSE(cli, argc, argv);

  try {
    g.start = parse_utc(start_text, "--start");
    g.duration = Duration(static_cast<Duration::rep>(hours_d * 3600));
    g.zones_file = std::filesystem::absolute(zones).lexically_normal().string();
    g.step = seconds(step_s);
    g.sync_interval = seconds(sync_s);
    g.drain = minutes(drain_min);
    if (gen->parsed()) {
      const std::string text = sim::to_json(sim::generate(g)) + "\n";
      if (out_path.empty()) {
        std::cout << text;
      } else {
        std::ofstream(out_path) << text;
        std::cerr << "wrote " << out_path << "\n";
      }
      return 0;
    }
    const sim::Scenario s = scenario_path.empty() ? sim::generate(g) : sim::load_scenario(scenario_path);
    const auto clusters = sim::multi_caller_faults(s);
    std::size_t clustered = 0;
    for (const auto& c : clusters) clustered += c.size();
    std::cout << "scenario " << s.name << ": " << s.crews.size() << " crews, " << s.tickets.size() << " tickets ("
              << clusters.size() << " faults with several callers, " << clustered << " of the calls), "
              << s.traffic.size() << " traffic events, " << s.gaps.size() << " connectivity gaps, "
              << std::chrono::duration_cast<std::chrono::minutes>(s.duration).count() << " min from "
              << format_utc(s.start) << "\n";
    o.linecrew = !only_baseline;
    o.baseline = !no_baseline;
    o.server_log = !no_log;
    o.push = !no_push;
    o.concurrent = !sequential;
    if (board_at >= 0) o.board_at = minutes(board_at);
    o.progress = &std::cout;
    const auto r = sim::simulate(s, o);
    const sim::RunReport& main_run = r.linecrew ? *r.linecrew : *r.baseline;
    std::cout << "\nreport: " << s.name << " (" << s.crews.size() << " crews, " << s.tickets.size() << " tickets)\n"
              << sim::format_report(main_run, r.linecrew && r.baseline ? &*r.baseline : nullptr);
    if (!json_path.empty()) {
      nlohmann::json j = {{"scenario", s.name}, {"crews", s.crews.size()}, {"tickets", s.tickets.size()}};
      if (r.linecrew) j["linecrew"] = to_json(*r.linecrew);
      if (r.baseline) j["baseline"] = to_json(*r.baseline);
      std::ofstream(json_path) << j.dump(2) << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "linecrew-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
