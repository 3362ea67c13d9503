// linecrew-bench-load: load client for a real linecrew-server.
//
// Starts nothing itself: give it a running server (address + admin token).
// 1. registers --crews crews and pre-loads --open open tickets;
// 2. sustained intake: --tickets CreateTicket calls from --clients threads,
//    each durable before its acknowledgement; prints tickets/s and latency
//    percentiles;
// 3. WatchBoard fan-out: --watchers streams; after each of --changes pins,
//    the delay until the last watcher saw it; prints p50/p99/max.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "linecrew/v1/dispatch.grpc.pb.h"

namespace v1 = linecrew::v1;
using Clock = std::chrono::steady_clock;

namespace {

std::string g_token;

std::unique_ptr<grpc::ClientContext> ctx() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  c->AddMetadata("authorization", "Bearer " + g_token);
  return c;
}

v1::CreateTicketRequest ticket(const std::string& id, std::mt19937& rng) {
  // The demo county: urban core, rural belt, remote hills (config/zones.geojson).
  std::uniform_real_distribution<double> lat(29.75, 30.75), lon(119.55, 120.75);
  v1::CreateTicketRequest r;
  r.set_client_request_id(id);
  r.mutable_customer()->set_name("Load");
  r.mutable_customer()->set_phone("+8613800138000");
  r.mutable_location()->set_lat(lat(rng));
  r.mutable_location()->set_lon(lon(rng));
  r.set_address("bench");
  r.set_first_contact_channel(v1::CHANNEL_HOTLINE);
  return r;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"linecrew-bench-load: intake throughput and board fan-out against a running linecrew-server"};
  std::string server = "127.0.0.1:50051", token_file, run = std::to_string(std::random_device{}());
  int crews = 200, open = 5000, tickets = 10000, clients = 16, watchers = 50, changes = 50;
  cli.add_option("--server", server);
  cli.add_option("--token-file", token_file, "admin token")->required();
  cli.add_option("--crews", crews);
  cli.add_option("--open", open, "open tickets loaded before measuring");
  cli.add_option("--tickets", tickets, "tickets created during the measurement");
  cli.add_option("--clients", clients, "concurrent client threads");
  cli.add_option("--watchers", watchers, "WatchBoard streams for the fan-out measurement");
  cli.add_option("--changes", changes, "changes timed through the board");
  cli.add_option("--run", run, "prefix for ids (default random)");
  CLI11_PARSE(cli, argc, argv);
  std::ifstream(token_file) >> g_token;

  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  std::vector<std::unique_ptr<v1::DispatchService::Stub>> stubs;
  for (int i = 0; i < clients; ++i) {
    args.SetInt("linecrew.channel", i);  // a channel (connection) per client thread
    stubs.push_back(
        v1::DispatchService::NewStub(grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args)));
  }
  auto& stub = *stubs[0];

  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < crews; ++i) {
    v1::RegisterCrewRequest req;
    auto* c = req.mutable_crew();
    c->set_id("L" + run + "-" + std::to_string(i));
    c->set_name("Load crew");
    c->add_members()->set_first_name("A");
    c->mutable_members(0)->set_staff_number("1");
    // Crews are spread over the county like the outages (depots everywhere).
    static std::mt19937 crew_rng(99);
    std::uniform_real_distribution<double> lat(29.75, 30.75), lon(119.55, 120.75);
    c->mutable_home_position()->set_lat(lat(crew_rng));
    c->mutable_home_position()->set_lon(lon(crew_rng));
    c->mutable_shift_start()->set_seconds(std::chrono::system_clock::to_time_t(now - std::chrono::hours(1)));
    c->mutable_shift_end()->set_seconds(std::chrono::system_clock::to_time_t(now + std::chrono::hours(10)));
    c->set_on_shift(true);
    v1::RegisterCrewResponse resp;
    if (const auto s = stub.RegisterCrew(ctx().get(), req, &resp); !s.ok()) {
      std::fprintf(stderr, "RegisterCrew: %s\n", s.error_message().c_str());
      return 1;
    }
  }

  const auto create_many = [&](const std::string& prefix, int count, std::vector<double>* latencies) {
    std::atomic<int> next{0}, failed{0};
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t)
      threads.emplace_back([&, t] {
        std::mt19937 rng(static_cast<unsigned>(t));
        std::vector<double> mine;
        for (int i; (i = next++) < count;) {
          const auto req = ticket(prefix + std::to_string(i), rng);
          v1::CreateTicketResponse resp;
          const auto t0 = Clock::now();
          if (!stubs[static_cast<std::size_t>(t)]->CreateTicket(ctx().get(), req, &resp).ok()) ++failed;
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        std::lock_guard lock(mu);
        if (latencies) latencies->insert(latencies->end(), mine.begin(), mine.end());
      });
    for (auto& th : threads) th.join();
    return failed.load();
  };

  if (create_many("O" + run + "-", open, nullptr)) std::fprintf(stderr, "warning: some pre-load creates failed\n");
  std::vector<double> lat;
  const auto t0 = Clock::now();
  const int failed = create_many("N" + run + "-", tickets, &lat);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("intake: %d tickets in %.2f s = %.0f tickets/s (%d clients, %d crews, %d open before; %d failed)\n",
              tickets, secs, tickets / secs, clients, crews, open, failed);
  std::printf("intake latency ms: p50 %.2f  p99 %.2f  max %.2f\n", percentile(lat, 0.5), percentile(lat, 0.99),
              percentile(lat, 1.0));

  // Fan-out: every watcher records when it sees each timed ticket id.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<Clock::time_point>> seen;
  std::atomic<int> ready{0};
  std::vector<std::unique_ptr<grpc::ClientContext>> wctx;
  std::vector<std::thread> wthreads;
  for (int w = 0; w < watchers; ++w) {
    wctx.push_back(std::make_unique<grpc::ClientContext>());
    wctx.back()->AddMetadata("authorization", "Bearer " + g_token);
    wthreads.emplace_back([&, w] {
      auto reader = stubs[static_cast<std::size_t>(w) % stubs.size()]->WatchBoard(
          wctx[static_cast<std::size_t>(w)].get(), v1::WatchBoardRequest());
      v1::WatchBoardResponse msg;
      bool counted = false;
      while (reader->Read(&msg)) {
        const auto at = Clock::now();
        for (const auto& u : msg.updates()) {
          if (u.has_snapshot() && u.snapshot().last() && !counted) {
            counted = true;
            ++ready;
            cv.notify_all();
          }
          if (u.has_ticket() && u.ticket().client_request_id().rfind("F" + run, 0) == 0) {
            std::lock_guard lock(mu);
            seen[u.ticket().client_request_id()].push_back(at);
            cv.notify_all();
          }
        }
      }
      reader->Finish();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(120), [&] { return ready == watchers; });
  }
  std::vector<double> delays;
  std::mt19937 rng(7);
  for (int i = 0; i < changes; ++i) {
    const std::string id = "F" + run + "-" + std::to_string(i);
    v1::CreateTicketResponse resp;
    const auto sent = Clock::now();
    stub.CreateTicket(ctx().get(), ticket(id, rng), &resp);
    std::unique_lock lock(mu);
    const bool all =
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen[id].size() >= std::size_t(watchers); });
    if (all)
      delays.push_back(
          std::chrono::duration<double, std::milli>(*std::max_element(seen[id].begin(), seen[id].end()) - sent)
              .count());
  }
  for (auto& c : wctx) c->TryCancel();
  for (auto& t : wthreads) t.join();
  std::printf("board fan-out to %d watchers: change -> last watcher ms: p50 %.2f  p99 %.2f  max %.2f (%zu/%d timed)\n",
              watchers, percentile(delays, 0.5), percentile(delays, 0.99), percentile(delays, 1.0), delays.size(),
              changes);
  return 0;
}
