#include "simulator.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "baseline.h"
#include "linecrew/core/error.h"
#include "linecrew/core/zones.h"
#include "linecrew/device/app/proto_enums.h"
#include "linecrew/device/app/watch.h"
#include "linecrew/v1/dispatch.grpc.pb.h"
#include "server.h"
#include "sim_crew.h"

namespace linecrew::sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double cpu_self_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void set_ts(TimePoint t, google::protobuf::Timestamp* out) {
  out->set_seconds(t.time_since_epoch().count());
}

TimePoint from_ts(const google::protobuf::Timestamp& ts) {
  return TimePoint(Duration(ts.seconds()));
}

ZoneClass zone_of(v1::ZoneClass z) {
  return z == v1::ZONE_CLASS_RURAL    ? ZoneClass::kRural
         : z == v1::ZONE_CLASS_REMOTE ? ZoneClass::kRemote
                                      : ZoneClass::kUrban;
}

// Payload bytes of the handhelds' calls (protobuf, before gzip).
struct ByteCounter {
  std::atomic<std::uint64_t> up{0}, down{0};
};

class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(ByteCounter& c) : c_(c) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    using H = grpc::experimental::InterceptionHookPoints;
    if (m->QueryInterceptionHookPoint(H::PRE_SEND_MESSAGE)) {
      if (const void* msg = m->GetSendMessage())
        c_.up += static_cast<const google::protobuf::MessageLite*>(msg)->ByteSizeLong();
    }
    if (m->QueryInterceptionHookPoint(H::POST_RECV_MESSAGE)) {
      if (void* msg = m->GetRecvMessage()) c_.down += static_cast<google::protobuf::MessageLite*>(msg)->ByteSizeLong();
    }
    m->Proceed();
  }

 private:
  ByteCounter& c_;
};

class CountingFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit CountingFactory(ByteCounter& c) : c_(c) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new CountingInterceptor(c_);
  }

 private:
  ByteCounter& c_;
};

// The desk's channel: a storm's report lists every violation (tens of
// thousands, several MiB), beyond gRPC's default 4-MiB receive limit.
std::shared_ptr<grpc::Channel> desk_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// A handheld channel like device::make_channel's (gzip, quick reconnects), counting payload bytes.
std::shared_ptr<grpc::Channel> handheld_channel(const std::string& address, ByteCounter& counter, int index) {
  grpc::ChannelArguments args;
  args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("linecrew.sim.channel", index);  // one connection per channel of the pool
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> f;
  f.push_back(std::make_unique<CountingFactory>(counter));
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, grpc::InsecureChannelCredentials(), args,
                                                                 std::move(f));
}

// The dispatcher / admin side of a run.
class Desk {
 public:
  Desk(const std::string& address, std::string token, RunReport& report)
      : stub_(v1::DispatchService::NewStub(desk_channel(address))), token_(std::move(token)), report_(report) {}

  template <class Req, class Resp, class Fn>
  grpc::Status call(const char* name, Fn fn, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    ctx.AddMetadata("authorization", "Bearer " + token_);
    const auto t0 = Clock::now();
    const grpc::Status s = ((*stub_).*fn)(&ctx, req, resp);
    const double ms = ms_since(t0);
    report_.rpc_ms[name].add(ms);
    if (std::string(name) == "CreateTicket") report_.create_ms.add(ms);
    return s;
  }
  v1::DispatchService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<v1::DispatchService::Stub> stub_;
  std::string token_;
  RunReport& report_;
};

void check(const grpc::Status& s, const std::string& what) {
  if (!s.ok()) throw std::runtime_error(what + ": " + s.error_message());
}

// Samples the server's re-plan gauge every second of wall time while the run
// goes (a re-plan runs in the background on wall time; a scrape costs the server
// a few ms with thousands of open tickets).
class ReplanSampler {
 public:
  ReplanSampler(const ServerInstance& server, RunReport& report) : server_(server), report_(report) {
    thread_ = std::thread([this] { loop(); });
  }
  ~ReplanSampler() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    double seen = 0;
    while (!stop_) {
      const auto m = parse_metrics(server_.metrics());
      const auto n = m.find("linecrew_replans_total");
      const auto d = m.find("linecrew_replan_seconds");
      if (n != m.end() && d != m.end() && n->second > seen) {
        seen = n->second;
        std::lock_guard lock(mu_);
        report_.replan_ms.add(d->second * 1000.0);
        report_.replans = static_cast<std::uint64_t>(seen);
      }
      for (int i = 0; i < 40 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  const ServerInstance& server_;
  RunReport& report_;
  std::mutex mu_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The server's board stream (WatchBoard with the admin token): what a push
// channel to the handhelds would carry. Reads on its own thread, resumes from
// the last sequence if the stream breaks; the run drains it between steps.
class BoardWatcher {
 public:
  BoardWatcher(const std::string& address, std::string token)
      : stub_(v1::DispatchService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
        token_(std::move(token)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~BoardWatcher() { stop(); }
  BoardWatcher(const BoardWatcher&) = delete;
  BoardWatcher& operator=(const BoardWatcher&) = delete;
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      if (ctx_) ctx_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }
  std::vector<v1::BoardUpdate> drain() {
    std::vector<v1::BoardUpdate> out;
    std::lock_guard lock(mu_);
    out.swap(pending_);
    return out;
  }
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  void loop() {
    std::uint64_t from = 0;
    for (;;) {
      auto ctx = std::make_shared<grpc::ClientContext>();
      ctx->AddMetadata("authorization", "Bearer " + token_);
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
        ctx_ = ctx;
      }
      v1::WatchBoardRequest req;
      req.set_from_sequence(from);
      auto reader = stub_->WatchBoard(ctx.get(), req);
      v1::WatchBoardResponse msg;
      while (reader->Read(&msg)) {
        if (msg.updates_size() == 0) continue;
        from = std::max(from, msg.updates(msg.updates_size() - 1).sequence());
        std::lock_guard lock(mu_);
        for (auto& u : *msg.mutable_updates()) pending_.push_back(std::move(u));
      }
      reader->Finish();
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      ++reconnects_;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::unique_ptr<v1::DispatchService::Stub> stub_;
  std::string token_;
  std::mutex mu_;
  bool stop_ = false;
  std::shared_ptr<grpc::ClientContext> ctx_;
  std::vector<v1::BoardUpdate> pending_;
  std::atomic<std::uint64_t> reconnects_{0};
  std::thread thread_;
};

// The push channel: turns board updates into pushes to the handhelds whose
// change feed they touch (a ticket of the crew newer than the handheld's copy,
// a ticket taken from it). Crew updates are not used: the board's crews carry
// no route (the plan order comes with every Pull). Runs between steps, when
// the crews are idle.
class PushChannel {
 public:
  PushChannel(std::vector<std::unique_ptr<SimCrew>>& crews, RunReport& report) : crews_(crews), report_(report) {
    for (std::size_t i = 0; i < crews_.size(); ++i) index_[crews_[i]->spec().id.str()] = i;
  }
  // A desk call's answer named the crew that owns the ticket now (CreateTicket, PinTicket).
  void owner_from_desk(const std::string& ticket, const std::string& crew) {
    if (crew.empty()) return;
    owner_[ticket] = crew;
    if (push(crew)) ++report_.pushes_desk;
  }
  // A shift change released tickets of the crew (SetCrewShift's answer).
  void released(const std::string& crew) {
    if (push(crew)) ++report_.pushes_desk;
  }
  void apply(const std::vector<v1::BoardUpdate>& updates) {
    report_.board_updates += updates.size();
    // The latest state of each entity (an update carries the entity's whole state).
    struct TicketState {
      std::string owner;
      std::uint64_t version = 0;
      bool left = false;  // closed or cancelled: off the board
    };
    std::unordered_map<std::string, TicketState> tickets;
    const auto ticket = [&](const v1::Ticket& t) { tickets[t.id()] = {t.owner_crew_id(), t.version(), false}; };
    for (const auto& u : updates) {
      if (u.has_ticket()) ticket(u.ticket());
      if (u.has_removed_ticket_id()) tickets[u.removed_ticket_id()] = {"", 0, true};
      if (u.has_snapshot()) {
        for (const auto& t : u.snapshot().tickets()) ticket(t);
      }
    }
    for (const auto& [id, st] : tickets) {
      const auto prev = owner_.find(id);
      const std::string before = prev == owner_.end() ? std::string() : prev->second;
      if (!st.left && !st.owner.empty())
        if (auto* c = unpushed(st.owner); c && c->holds_older(id, st.version)) board_push(st.owner);
      if (!before.empty() && before != st.owner)
        if (auto* c = unpushed(before); c && c->holds_open(id)) board_push(before);
      if (st.left || st.owner.empty())
        owner_.erase(id);
      else
        owner_[id] = st.owner;
    }
  }
  // After each crews' phase: the pushes were consumed by the crews' syncs.
  void stepped() { pending_.clear(); }

 private:
  SimCrew* unpushed(const std::string& crew) {
    const auto it = index_.find(crew);
    if (it == index_.end() || pending_.count(it->second) > 0) return nullptr;
    return crews_[it->second].get();
  }
  bool push(const std::string& crew) {
    const auto it = index_.find(crew);
    if (it == index_.end() || !pending_.insert(it->second).second) return false;
    crews_[it->second]->push();
    return true;
  }
  void board_push(const std::string& crew) {
    if (push(crew)) ++report_.pushes_board;
  }
  std::vector<std::unique_ptr<SimCrew>>& crews_;
  RunReport& report_;
  std::unordered_map<std::string, std::size_t> index_;
  std::unordered_map<std::string, std::string> owner_;  // ticket -> owning crew, as last seen
  std::unordered_set<std::size_t> pending_;             // crews pushed since the last crews' phase
};

std::mutex progress_mu;  // both policies may run at once

std::string local_hhmm(TimePoint t) {
  return format_hhmm(t, hours(8));  // policy utc_offset_minutes (480) of the shipped config
}

// The board at this moment, as the desk sees it: counts and the most urgent open tickets.
void print_board(Desk& desk, TimePoint now, std::ostream& out) {
  v1::ListTicketsRequest req;
  for (auto st : {v1::TICKET_STATUS_REPORTED, v1::TICKET_STATUS_ASSIGNED, v1::TICKET_STATUS_ACCEPTED,
                  v1::TICKET_STATUS_EN_ROUTE, v1::TICKET_STATUS_ON_SITE})
    req.add_statuses(st);
  req.set_page_size(1000);
  std::map<std::string, int> by_status, by_risk;
  std::vector<v1::Ticket> first;
  std::size_t total = 0;
  for (;;) {
    v1::ListTicketsResponse resp;
    check(desk.call("ListTickets", &v1::DispatchService::Stub::ListTickets, req, &resp), "ListTickets");
    for (const auto& t : resp.tickets()) {
      ++total;
      ++by_status[v1::TicketStatus_Name(t.status()).substr(14)];
      ++by_risk[v1::Risk_Name(t.risk()).substr(5)];
      if (first.size() < 12) first.push_back(t);
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  char line[256];
  out << "board at " << local_hhmm(now) << " (UTC+8): " << total << " open tickets;";
  for (const auto& [k, v] : by_status) out << " " << k << " " << v;
  out << "; risk:";
  for (const auto& [k, v] : by_risk) out << " " << k << " " << v;
  out << "\n";
  std::snprintf(line, sizeof line, "  %-10s %-7s %-10s %-8s %-8s %-6s %-6s %s\n", "ticket", "zone", "status", "owner",
                "deadline", "eta", "prio", "risk");
  out << line;
  for (const auto& t : first) {
    std::snprintf(
        line, sizeof line, "  %-10s %-7s %-10s %-8s %-8s %-6s %-6u %s\n", t.id().c_str(),
        std::string(to_string(zone_of(t.zone_class()))).c_str(), v1::TicketStatus_Name(t.status()).substr(14).c_str(),
        t.owner_crew_id().empty() ? "(desk)" : t.owner_crew_id().c_str(),
        local_hhmm(from_ts(t.effective_deadline())).c_str(), t.has_eta() ? local_hhmm(from_ts(t.eta())).c_str() : "-",
        t.priority(), v1::Risk_Name(t.risk()).substr(5).c_str());
    out << line;
  }
}

struct Created {
  std::size_t outcome;  // index into outcomes
};

}  // namespace

RunReport run_policy(const Scenario& s, const RunOptions& o, Policy policy) {
  const auto wall0 = Clock::now();
  const double cpu0 = cpu_self_seconds();
  RunReport report;
  report.policy = policy == Policy::kLinecrew ? "linecrew" : "baseline";
  report.crews = s.crews.size();
  const std::string dir = o.work_dir + "/" + report.policy;
  fs::remove_all(dir);
  fs::create_directories(dir);
  ServerSetup setup{o.server_bin, o.config_dir, s.zones_file, dir, policy == Policy::kLinecrew, o.server_log};
  ServerInstance server(setup, s.start);
  Desk desk(server.address(), server.admin_token(), report);
  const auto say = [&](const std::string& text) {
    if (!o.progress) return;
    std::lock_guard lock(progress_mu);
    *o.progress << "[" << report.policy << "] " << text << std::endl;
  };

  // Crews: registered by the admin, each with a crew-device token for its handheld.
  std::map<std::string, std::vector<ConnectivityGap>> gaps;
  for (const auto& g : s.gaps) gaps[g.crew.str()].push_back(g);
  ByteCounter bytes;
  const int pool = std::max(1, o.threads);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < pool; ++i) channels.push_back(handheld_channel(server.address(), bytes, i));
  std::vector<std::unique_ptr<SimCrew>> crews;
  std::vector<bool> on_shift;
  for (std::size_t i = 0; i < s.crews.size(); ++i) {
    const auto& c = s.crews[i];
    v1::RegisterCrewRequest req;
    auto* pc = req.mutable_crew();
    pc->set_id(c.id.str());
    pc->set_name("抢修" + c.id.str());
    auto* m = pc->add_members();
    m->set_first_name("伟");
    m->set_full_name("王伟");
    m->set_staff_number("S" + c.id.str());
    for (const auto& k : c.skills) pc->add_skills(k);
    pc->mutable_home_position()->set_lat(c.start.lat());
    pc->mutable_home_position()->set_lon(c.start.lon());
    set_ts(c.shift_start, pc->mutable_shift_start());
    set_ts(c.shift_end, pc->mutable_shift_end());
    const bool on = c.shift_start <= s.start && s.start < c.shift_end;
    pc->set_on_shift(on);
    pc->set_callback_phone("+8657195598");
    v1::RegisterCrewResponse resp;
    check(desk.call("RegisterCrew", &v1::DispatchService::Stub::RegisterCrew, req, &resp),
          "RegisterCrew " + c.id.str());
    v1::IssueTokenRequest tr;
    tr.set_role(v1::ROLE_CREW_DEVICE);
    tr.set_crew_id(c.id.str());
    tr.set_label("handheld " + c.id.str());
    v1::IssueTokenResponse tresp;
    check(desk.call("IssueToken", &v1::DispatchService::Stub::IssueToken, tr, &tresp), "IssueToken " + c.id.str());
    const std::string store = o.file_stores ? dir + "/crew-" + c.id.str() + ".db" : std::string(":memory:");
    crews.push_back(
        std::make_unique<SimCrew>(c, store, channels[i % channels.size()], tresp.secret(), s.start, gaps[c.id.str()]));
    on_shift.push_back(on);
  }
  say(std::to_string(crews.size()) + " crews registered, server at " + server.address());

  const ZoneMap zones = ZoneMap::load_file(s.zones_file);
  const GeoTravelModel road(zones, GeoTravelModel::Speeds{});
  const device::StraightLineTravel handheld;
  std::unordered_map<std::string, const TicketSpec*> specs;
  std::vector<TicketOutcome> outcomes;
  std::unordered_map<std::string, std::size_t> outcome_of;
  const World world{s, road, handheld, specs};

  // Baseline desk state.
  std::vector<WaitingTicket> waiting;
  std::map<std::string, std::set<std::string>> pinned;  // crew -> its open pinned tickets
  std::map<std::string, WaitingTicket> waiting_info;

  ReplanSampler sampler(server, report);
  // The push channel: the board stream (and the desk's own answers) wake the handhelds concerned.
  PushChannel push(crews, report);
  // Only the planner changes assignments behind the desk's back (background re-plans); the baseline
  // desk's own answers name every crew whose tickets it changed.
  std::unique_ptr<BoardWatcher> board;
  if (o.push && policy == Policy::kLinecrew)
    board = std::make_unique<BoardWatcher>(server.address(), server.admin_token());
  report.setup_seconds = ms_since(wall0) / 1000.0;
  std::size_t next_ticket = 0;
  bool board_shown = false;
  TimePoint t = s.start;
  const TimePoint hard_end = s.end() + s.drain;
  std::size_t last_progress = 0;
  for (;; t += s.step) {
    const auto desk0 = Clock::now();
    server.set_time(t);
    // Shifts.
    for (std::size_t i = 0; i < crews.size(); ++i) {
      const auto& c = s.crews[i];
      const bool should = c.shift_start <= t && t < c.shift_end;
      if (should == on_shift[i]) continue;
      v1::SetCrewShiftRequest req;
      req.set_crew_id(c.id.str());
      req.set_on_shift(should);
      v1::SetCrewShiftResponse resp;
      check(desk.call("SetCrewShift", &v1::DispatchService::Stub::SetCrewShift, req, &resp), "SetCrewShift");
      on_shift[i] = should;
      if (o.push && resp.released_ticket_ids_size() > 0) push.released(c.id.str());
      if (policy == Policy::kBaseline)
        for (const auto& id : resp.released_ticket_ids()) {
          pinned[c.id.str()].erase(id);
          if (waiting_info.count(id)) waiting.push_back(waiting_info[id]);
        }
    }
    // New reports: every channel feeds CreateTicket (first-contact time = the report's).
    for (; next_ticket < s.tickets.size() && s.tickets[next_ticket].reported <= t; ++next_ticket) {
      const TicketSpec& spec = s.tickets[next_ticket];
      v1::CreateTicketRequest req;
      req.set_client_request_id(spec.key);
      req.mutable_customer()->set_name("客户" + spec.key);
      req.mutable_customer()->set_phone("+86138" + std::to_string(10000000 + next_ticket % 90000000));
      req.mutable_customer()->set_language(next_ticket % 5 == 0 ? "en" : "zh-CN");
      req.mutable_location()->set_lat(spec.location.lat());
      req.mutable_location()->set_lon(spec.location.lon());
      req.set_address("storm outage " + spec.key);
      req.set_priority(spec.priority);
      set_ts(spec.reported, req.mutable_first_contact_time());
      req.set_first_contact_channel(device::to_proto(spec.channel));
      req.mutable_service_duration()->set_seconds(spec.work.count());
      for (const auto& k : spec.skills) req.add_required_skills(k);
      v1::CreateTicketResponse resp;
      check(desk.call("CreateTicket", &v1::DispatchService::Stub::CreateTicket, req, &resp),
            "CreateTicket " + spec.key);
      const auto& tk = resp.ticket();
      if (o.push) push.owner_from_desk(tk.id(), tk.owner_crew_id());
      specs[tk.id()] = &spec;
      outcome_of[tk.id()] = outcomes.size();
      outcomes.push_back({zone_of(tk.zone_class()), from_ts(tk.deadline()), std::nullopt, {}, ""});
      if (policy == Policy::kBaseline) {
        WaitingTicket w{TicketId(tk.id()), spec.location, spec.priority, from_ts(tk.deadline()), spec.skills};
        waiting_info[tk.id()] = w;
        waiting.push_back(w);
      }
    }
    // The baseline desk: the nearest free crew for each waiting ticket.
    if (policy == Policy::kBaseline && !waiting.empty()) {
      std::vector<FreeCrew> free;
      for (std::size_t i = 0; i < crews.size(); ++i) {
        auto& mine = pinned[s.crews[i].id.str()];
        for (const auto& done : crews[i]->closed_on_server()) mine.erase(done);
        if (on_shift[i] && mine.empty() && t < s.crews[i].shift_end - minutes(30))
          free.push_back({s.crews[i].id, crews[i]->position(), s.crews[i].skills});
      }
      for (const auto& a : nearest_free_crew(waiting, free)) {
        v1::PinTicketRequest req;
        req.set_ticket_id(a.ticket.str());
        req.set_crew_id(a.crew.str());
        v1::PinTicketResponse resp;
        const auto st = desk.call("PinTicket", &v1::DispatchService::Stub::PinTicket, req, &resp);
        if (!st.ok()) {
          waiting.push_back(waiting_info[a.ticket.str()]);
          continue;
        }
        ++report.pins;
        pinned[a.crew.str()].insert(a.ticket.str());
        if (o.push) push.owner_from_desk(a.ticket.str(), a.crew.str());
      }
    }
    if (o.board_at && !board_shown && t >= s.start + *o.board_at && policy == Policy::kLinecrew && o.progress) {
      print_board(desk, t, *o.progress);
      board_shown = true;
    }
    if (t >= s.end()) {
      std::size_t arrived = 0;
      for (const auto& c : crews) arrived += c->log().arrivals.size();
      if (arrived >= outcomes.size() || t >= hard_end) break;
    }
    report.desk_seconds += ms_since(desk0) / 1000.0;
    if (board) push.apply(board->drain());
    // The crews live through [t, t + step), in parallel.
    const auto crews0 = Clock::now();
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
      for (std::size_t i; (i = next++) < crews.size();) crews[i]->step(t, s.step, world, s.sync_interval);
    };
    std::vector<std::thread> pool_threads;
    for (int k = 1; k < pool; ++k) pool_threads.emplace_back(worker);
    worker();
    for (auto& th : pool_threads) th.join();
    push.stepped();
    report.crews_seconds += ms_since(crews0) / 1000.0;
    ++report.steps;
    const auto elapsed =
        static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(t - s.start).count());
    if (elapsed / 3600 != last_progress) {
      last_progress = elapsed / 3600;
      say("simulated " + std::to_string(last_progress) + " h, " + std::to_string(next_ticket) + " tickets, wall " +
          std::to_string(static_cast<int>(ms_since(wall0) / 1000)) + " s");
    }
  }
  const auto finish0 = Clock::now();
  // The link comes back for every handheld: the last actions reach the server.
  for (auto& c : crews) c->final_sync(t);
  sampler.stop();
  if (board) {
    board->stop();
    report.board_reconnects = board->reconnects();
  }

  // The server's own report over the scenario period.
  v1::GetReportRequest rr;
  set_ts(s.start, rr.mutable_from());
  set_ts(s.end(), rr.mutable_to());
  v1::GetReportResponse rep;
  check(desk.call("GetReport", &v1::DispatchService::Stub::GetReport, rr, &rep), "GetReport");
  for (const auto& z : rep.by_zone()) {
    auto& f = report.server[static_cast<std::size_t>(zone_of(z.zone_class()))];
    f.arrivals = z.arrivals();
    f.on_time = z.on_time();
    f.late_excused = z.late_excused();
    f.violations = z.violations();
  }
  report.server_late_arrivals = rep.late_arrivals();
  report.server_late_with_consent = rep.late_with_timely_consent();
  report.server_delay_notice_compliance = rep.delay_notice_compliance();
  report.server_violations = static_cast<std::uint32_t>(rep.violations_size());
  for (const auto& [k, v] : parse_metrics(server.metrics())) {
    const auto method = [&](const std::string& prefix) -> std::string {
      if (k.rfind(prefix, 0) != 0) return "";
      const auto a = k.find("method=\"") + 8;
      return k.substr(a, k.find('"', a) - a);
    };
    if (auto m = method("linecrew_rpc_latency_seconds_sum"); !m.empty()) report.server_rpc[m].first = v;
    if (auto m = method("linecrew_rpc_latency_seconds_count"); !m.empty())
      report.server_rpc[m].second = static_cast<std::uint64_t>(v);
  }

  // Merge the crews' logs into per-ticket outcomes.
  for (const auto& c : crews) {
    const auto& l = c->log();
    for (const auto& [id, at] : l.arrivals) {
      const auto it = outcome_of.find(id);
      if (it == outcome_of.end()) continue;
      auto& oc = outcomes[it->second];
      if (!oc.arrival || at < *oc.arrival) {
        oc.arrival = at;
        oc.crew = c->spec().id.str();
      }
    }
    for (const auto& [id, contact] : l.calls) {
      const auto it = outcome_of.find(id);
      if (it != outcome_of.end()) outcomes[it->second].contacts.push_back(contact);
    }
    report.prompts += l.prompts;
    report.calls_consent += l.yes;
    report.calls_refused += l.refused;
    report.calls_unreachable += l.unreachable;
    for (double v : l.sync_ms.ms) report.rpc_ms["sync (Hello/Upload/Pull)"].add(v);
    report.syncs += l.syncs;
    report.sync_failures += l.sync_failures;
    report.max_offline_outbox = std::max(report.max_offline_outbox, l.max_offline_outbox);
    report.uploaded_after_gap += l.uploaded_after_gap;
    report.arrivals_not_applied += l.arrivals_not_applied;
    for (const auto& e : l.errors) say("crew error: " + e);
  }
  tally(report, outcomes, t);
  report.sync_up_bytes = bytes.up;
  report.sync_down_bytes = bytes.down;
  report.server_cpu_seconds = server.cpu_seconds();
  crews.clear();  // the handhelds' channels close before the server drains
  channels.clear();
  server.stop();
  report.finish_seconds = ms_since(finish0) / 1000.0;
  report.wall_seconds = ms_since(wall0) / 1000.0;
  report.sim_cpu_seconds = cpu_self_seconds() - cpu0;
  say("done in " + std::to_string(static_cast<int>(report.wall_seconds)) + " s wall");
  return report;
}

SimResult simulate(const Scenario& s, const RunOptions& o) {
  SimResult r;
  if (o.linecrew && o.baseline && o.concurrent) {  // two servers, two sets of handhelds: nothing shared
    auto baseline = std::async(std::launch::async, [&] { return run_policy(s, o, Policy::kBaseline); });
    try {
      r.linecrew = run_policy(s, o, Policy::kLinecrew);
    } catch (...) {
      baseline.wait();
      throw;
    }
    r.baseline = baseline.get();
    return r;
  }
  if (o.linecrew) r.linecrew = run_policy(s, o, Policy::kLinecrew);
  if (o.baseline) r.baseline = run_policy(s, o, Policy::kBaseline);
  return r;
}

}  // namespace linecrew::sim
