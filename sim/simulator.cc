#include "simulator.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
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
using WallClock = std::chrono::steady_clock;  // wall time, for the run's timings

double cpu_self_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ms_since(WallClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(WallClock::now() - t0).count();
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
    const auto t0 = WallClock::now();
    grpc::Status s = ((*stub_).*fn)(&ctx, req, resp);
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
  // A desk call's answer named the crew that owns the ticket now (CreateTicket, PinTicket). A ticket linked
  // to its fault's lead is no crew's work (its owner is the lead's, mirrored): no push.
  void owner_from_desk(const std::string& ticket, const std::string& crew, bool linked = false) {
    if (crew.empty() || linked) return;
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
      bool left = false;    // closed or cancelled: off the board
      bool linked = false;  // one fault, many callers: follows its lead, the server keeps it off the handhelds
    };
    std::unordered_map<std::string, TicketState> tickets;
    const auto ticket = [&](const v1::Ticket& t) {
      tickets[t.id()] = {t.owner_crew_id(), t.version(), false, !t.fault_ticket_id().empty()};
    };
    for (const auto& u : updates) {
      if (u.has_ticket()) ticket(u.ticket());
      if (u.has_removed_ticket_id()) tickets[u.removed_ticket_id()] = {"", 0, true, false};
      if (u.has_snapshot()) {
        for (const auto& t : u.snapshot().tickets()) ticket(t);
      }
    }
    for (const auto& [id, st] : tickets) {
      const auto prev = owner_.find(id);
      const std::string before = prev == owner_.end() ? std::string() : prev->second;
      // A linked ticket's owner is its lead's crew, yet no crew drives to it: it is nobody's work, and
      // only a handheld still holding it open (linked after it got there) is pushed, for the removal.
      const std::string crew = st.left || st.linked ? std::string() : st.owner;
      if (!crew.empty())
        if (auto* c = unpushed(crew); c && c->holds_older(id, st.version)) board_push(crew);
      if (!before.empty() && before != crew)
        if (auto* c = unpushed(before); c && c->holds_open(id)) board_push(before);
      if (crew.empty())
        owner_.erase(id);
      else
        owner_[id] = crew;
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

RunReport fresh_report(const Scenario& s, Policy policy) {
  RunReport report;
  report.policy = policy == Policy::kLinecrew ? "linecrew" : "baseline";
  report.crews = s.crews.size();
  return report;
}

// The run's directory, emptied.
std::string fresh_dir(const std::string& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Registers scenario crew `c` (on shift or not) with the admin and issues a
// crew-device token for its handheld: the token's secret.
std::string register_crew(Desk& desk, const ScenarioCrew& c, bool on) {
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
  pc->set_on_shift(on);
  pc->set_callback_phone("+8657195598");
  v1::RegisterCrewResponse resp;
  check(desk.call("RegisterCrew", &v1::DispatchService::Stub::RegisterCrew, req, &resp), "RegisterCrew " + c.id.str());
  v1::IssueTokenRequest tr;
  tr.set_role(v1::ROLE_CREW_DEVICE);
  tr.set_crew_id(c.id.str());
  tr.set_label("handheld " + c.id.str());
  v1::IssueTokenResponse tresp;
  check(desk.call("IssueToken", &v1::DispatchService::Stub::IssueToken, tr, &tresp), "IssueToken " + c.id.str());
  return tresp.secret();
}

// The CreateTicket of the scenario's `index`th report: every channel feeds
// CreateTicket (first-contact time = the report's).
v1::CreateTicketRequest create_request(const ScenarioTicket& spec, std::size_t index) {
  v1::CreateTicketRequest req;
  req.set_client_request_id(spec.key);
  req.mutable_customer()->set_name("客户" + spec.key);
  // A mainland mobile, +86 138 and 8 digits: valid for intake's libphonenumber check.
  req.mutable_customer()->set_phone("+86138" + std::to_string(10000000 + index % 90000000));
  req.mutable_customer()->set_language(index % 5 == 0 ? "en" : "zh-CN");
  req.mutable_location()->set_lat(spec.location.lat());
  req.mutable_location()->set_lon(spec.location.lon());
  req.set_address("storm outage " + spec.key);
  req.set_priority(spec.priority);
  set_ts(spec.reported, req.mutable_first_contact_time());
  req.set_first_contact_channel(device::to_proto(spec.channel));
  req.mutable_service_duration()->set_seconds(spec.work.count());
  for (const auto& k : spec.skills) req.add_required_skills(k);
  return req;
}

// One run of a policy and its state: the server, the desk, the crews'
// handhelds, the outcomes so far. run() is run_policy: setup, then per step
// the desk's work (shifts, intake, the baseline desk) and the crews' phase,
// then the finish. Members are declared in the order the run creates them
// (and destroyed in reverse).
class PolicyRun {
 public:
  PolicyRun(const Scenario& s, const RunOptions& o, Policy policy);
  PolicyRun(const PolicyRun&) = delete;
  PolicyRun& operator=(const PolicyRun&) = delete;

  RunReport run();

 private:
  void say(const std::string& text);
  // Setup: crews and their handhelds, the threads that watch the server.
  void setup();
  void register_crews();
  // One step at t_; false when the run is over (the crews do not live through it then).
  bool step();
  void change_shifts();
  void take_reports();
  void create_ticket(const ScenarioTicket& spec, std::size_t index);
  void baseline_desk();
  void note_link(const v1::Ticket& t);
  void note_links(const std::vector<v1::BoardUpdate>& updates);
  bool over() const;
  void step_crews();
  void show_progress();
  // The finish: last syncs, the server's figures, the crews' logs.
  RunReport finish();
  void read_final_links();
  void read_server_report();
  void read_server_metrics();
  void merge_crew_logs();
  void apply_links();

  const Scenario& s_;
  const RunOptions& o_;
  const Policy policy_;
  const WallClock::time_point wall0_;
  const double cpu0_;
  RunReport report_;
  const std::string dir_;
  ServerInstance server_;
  Desk desk_;

  // Crews: registered by the admin, each with a crew-device token for its handheld.
  std::map<std::string, std::vector<ConnectivityGap>> gaps_;
  ByteCounter bytes_;
  const int pool_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<SimCrew>> crews_;
  std::vector<bool> on_shift_;

  const ZoneMap zones_;
  const GeoTravelModel road_;
  const device::StraightLineTravel handheld_;
  std::unordered_map<std::string, const ScenarioTicket*> specs_;
  std::vector<TicketOutcome> outcomes_;
  std::unordered_map<std::string, std::size_t> outcome_of_;
  // One fault, many callers: linked ticket -> its lead, as seen in CreateTicket's answer and on the board
  // stream (never dropped), and in the server's final state.
  std::unordered_map<std::string, std::string> lead_of_, final_lead_;
  const World world_;

  // Baseline desk state.
  std::vector<WaitingTicket> waiting_;
  std::map<std::string, std::set<std::string>> pinned_;  // crew -> its open pinned tickets
  std::map<std::string, WaitingTicket> waiting_info_;

  std::optional<ReplanSampler> sampler_;
  // The push channel: the board stream (and the desk's own answers) wake the handhelds concerned.
  std::optional<PushChannel> push_;
  // Only the planner changes assignments behind the desk's back (background re-plans); the baseline
  // desk's own answers name every crew whose tickets it changed.
  std::unique_ptr<BoardWatcher> board_;

  // The steps.
  std::size_t next_ticket_ = 0;
  bool board_shown_ = false;
  TimePoint t_;
  const TimePoint hard_end_;
  std::size_t last_progress_ = 0;
};

PolicyRun::PolicyRun(const Scenario& s, const RunOptions& o, Policy policy)
    : s_(s),
      o_(o),
      policy_(policy),
      wall0_(WallClock::now()),
      cpu0_(cpu_self_seconds()),
      report_(fresh_report(s, policy)),
      dir_(fresh_dir(o.work_dir + "/" + report_.policy)),
      // The baseline desk has no fault linking: its server runs on a policy copy without it.
      server_(ServerSetup{o.server_bin, o.config_dir, s.zones_file, dir_, policy == Policy::kLinecrew, o.server_log,
                          policy == Policy::kLinecrew},
              s.start),
      desk_(server_.address(), server_.admin_token(), report_),
      pool_(std::max(1, o.threads)),
      zones_(ZoneMap::load_file(s.zones_file)),
      road_(zones_, GeoTravelModel::Speeds{}),
      world_{s, road_, handheld_, specs_},
      t_(s.start),
      hard_end_(s.end() + s.drain) {}

void PolicyRun::say(const std::string& text) {
  if (!o_.progress) return;
  std::lock_guard lock(progress_mu);
  *o_.progress << "[" << report_.policy << "] " << text << std::endl;
}

RunReport PolicyRun::run() {
  setup();
  while (step()) t_ += s_.step;
  return finish();
}

void PolicyRun::setup() {
  register_crews();
  sampler_.emplace(server_, report_);
  push_.emplace(crews_, report_);
  if (o_.push && policy_ == Policy::kLinecrew)
    board_ = std::make_unique<BoardWatcher>(server_.address(), server_.admin_token());
  report_.setup_seconds = ms_since(wall0_) / 1000.0;
}

void PolicyRun::register_crews() {
  for (const auto& g : s_.gaps) gaps_[g.crew.str()].push_back(g);
  for (int i = 0; i < pool_; ++i) channels_.push_back(handheld_channel(server_.address(), bytes_, i));
  for (std::size_t i = 0; i < s_.crews.size(); ++i) {
    const auto& c = s_.crews[i];
    const bool on = c.shift_start <= s_.start && s_.start < c.shift_end;
    const std::string secret = register_crew(desk_, c, on);
    const std::string store = o_.file_stores ? dir_ + "/crew-" + c.id.str() + ".db" : std::string(":memory:");
    crews_.push_back(
        std::make_unique<SimCrew>(c, store, channels_[i % channels_.size()], secret, s_.start, gaps_[c.id.str()]));
    on_shift_.push_back(on);
  }
  say(std::to_string(crews_.size()) + " crews registered, server at " + server_.address());
}

bool PolicyRun::step() {
  const auto desk0 = WallClock::now();
  server_.set_time(t_);
  change_shifts();
  take_reports();
  if (policy_ == Policy::kBaseline && !waiting_.empty()) baseline_desk();
  if (o_.board_at && !board_shown_ && t_ >= s_.start + *o_.board_at && policy_ == Policy::kLinecrew && o_.progress) {
    print_board(desk_, t_, *o_.progress);
    board_shown_ = true;
  }
  if (over()) return false;
  report_.desk_seconds += ms_since(desk0) / 1000.0;
  if (board_) {
    const auto updates = board_->drain();
    note_links(updates);
    push_->apply(updates);
  }
  step_crews();
  show_progress();
  return true;
}

// Crews going on or off shift at t_.
void PolicyRun::change_shifts() {
  for (std::size_t i = 0; i < crews_.size(); ++i) {
    const auto& c = s_.crews[i];
    const bool should = c.shift_start <= t_ && t_ < c.shift_end;
    if (should == on_shift_[i]) continue;
    v1::SetCrewShiftRequest req;
    req.set_crew_id(c.id.str());
    req.set_on_shift(should);
    v1::SetCrewShiftResponse resp;
    check(desk_.call("SetCrewShift", &v1::DispatchService::Stub::SetCrewShift, req, &resp), "SetCrewShift");
    on_shift_[i] = should;
    if (o_.push && resp.released_ticket_ids_size() > 0) push_->released(c.id.str());
    if (policy_ == Policy::kBaseline)
      for (const auto& id : resp.released_ticket_ids()) {
        pinned_[c.id.str()].erase(id);
        if (waiting_info_.count(id)) waiting_.push_back(waiting_info_[id]);
      }
  }
}

// New reports up to t_.
void PolicyRun::take_reports() {
  for (; next_ticket_ < s_.tickets.size() && s_.tickets[next_ticket_].reported <= t_; ++next_ticket_)
    create_ticket(s_.tickets[next_ticket_], next_ticket_);
}

void PolicyRun::create_ticket(const ScenarioTicket& spec, std::size_t index) {
  const v1::CreateTicketRequest req = create_request(spec, index);
  v1::CreateTicketResponse resp;
  check(desk_.call("CreateTicket", &v1::DispatchService::Stub::CreateTicket, req, &resp), "CreateTicket " + spec.key);
  const auto& tk = resp.ticket();
  note_link(tk);
  if (o_.push) push_->owner_from_desk(tk.id(), tk.owner_crew_id(), !tk.fault_ticket_id().empty());
  specs_[tk.id()] = &spec;
  outcome_of_[tk.id()] = outcomes_.size();
  TicketOutcome oc;
  oc.zone = zone_of(tk.zone_class());
  oc.deadline = from_ts(tk.deadline());
  oc.fault = spec.fault;
  outcomes_.push_back(std::move(oc));
  if (policy_ == Policy::kBaseline) {
    WaitingTicket w{TicketId(tk.id()), spec.location, spec.priority, from_ts(tk.deadline()), spec.skills};
    waiting_info_[tk.id()] = w;
    waiting_.push_back(w);
  }
}

// The baseline desk: the nearest free crew for each waiting ticket.
void PolicyRun::baseline_desk() {
  std::vector<FreeCrew> free;
  for (std::size_t i = 0; i < crews_.size(); ++i) {
    auto& mine = pinned_[s_.crews[i].id.str()];
    for (const auto& done : crews_[i]->closed_on_server()) mine.erase(done);
    if (on_shift_[i] && mine.empty() && t_ < s_.crews[i].shift_end - minutes(30))
      free.push_back({s_.crews[i].id, crews_[i]->position(), s_.crews[i].skills});
  }
  for (const auto& a : nearest_free_crew(waiting_, free)) {
    v1::PinTicketRequest req;
    req.set_ticket_id(a.ticket.str());
    req.set_crew_id(a.crew.str());
    v1::PinTicketResponse resp;
    const auto st = desk_.call("PinTicket", &v1::DispatchService::Stub::PinTicket, req, &resp);
    if (!st.ok()) {
      waiting_.push_back(waiting_info_[a.ticket.str()]);
      continue;
    }
    ++report_.pins;
    pinned_[a.crew.str()].insert(a.ticket.str());
    if (o_.push) push_->owner_from_desk(a.ticket.str(), a.crew.str());
  }
}

// One fault, many callers: the server linked this ticket to its fault's lead (kept even if the link is
// dropped later: the link decides who drove there, and the mirrored arrival stays).
void PolicyRun::note_link(const v1::Ticket& t) {
  if (!t.fault_ticket_id().empty()) lead_of_[t.id()] = t.fault_ticket_id();
}

void PolicyRun::note_links(const std::vector<v1::BoardUpdate>& updates) {
  for (const auto& u : updates) {
    if (u.has_ticket()) note_link(u.ticket());
    if (u.has_snapshot())
      for (const auto& t : u.snapshot().tickets()) note_link(t);
  }
}

// After the scenario's end: every ticket reached, or the drain is over. A linked ticket is reached when
// its lead is (the server mirrors the lead's arrival; no crew drives to it).
bool PolicyRun::over() const {
  if (t_ < s_.end()) return false;
  if (t_ >= hard_end_) return true;
  std::size_t arrived = 0;
  std::unordered_set<std::string> reached;
  for (const auto& c : crews_) {
    arrived += c->log().arrivals.size();
    if (!lead_of_.empty())
      for (const auto& a : c->log().arrivals) reached.insert(a.first);
  }
  for (const auto& [member, lead] : lead_of_)
    if (reached.count(lead) > 0 && reached.count(member) == 0) ++arrived;
  return arrived >= outcomes_.size();
}

// The crews live through [t_, t_ + step), in parallel.
void PolicyRun::step_crews() {
  const auto crews0 = WallClock::now();
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i; (i = next++) < crews_.size();) crews_[i]->step(t_, s_.step, world_, s_.sync_interval);
  };
  std::vector<std::thread> pool_threads;
  for (int k = 1; k < pool_; ++k) pool_threads.emplace_back(worker);
  worker();
  for (auto& th : pool_threads) th.join();
  push_->stepped();
  report_.crews_seconds += ms_since(crews0) / 1000.0;
  ++report_.steps;
}

// A progress line per simulated hour.
void PolicyRun::show_progress() {
  const auto elapsed =
      static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(t_ - s_.start).count());
  if (elapsed / 3600 == last_progress_) return;
  last_progress_ = elapsed / 3600;
  say("simulated " + std::to_string(last_progress_) + " h, " + std::to_string(next_ticket_) + " tickets, wall " +
      std::to_string(static_cast<int>(ms_since(wall0_) / 1000)) + " s");
}

RunReport PolicyRun::finish() {
  const auto finish0 = WallClock::now();
  // The link comes back for every handheld: the last actions reach the server.
  for (auto& c : crews_) c->final_sync(t_);
  read_final_links();
  sampler_->stop();
  if (board_) {
    board_->stop();
    report_.board_reconnects = board_->reconnects();
  }
  read_server_report();
  read_server_metrics();
  merge_crew_logs();
  apply_links();
  tally(report_, outcomes_, t_);
  report_.sync_up_bytes = bytes_.up;
  report_.sync_down_bytes = bytes_.down;
  report_.server_cpu_seconds = server_.cpu_seconds();
  crews_.clear();  // the handhelds' channels close before the server drains
  channels_.clear();
  server_.stop();
  report_.finish_seconds = ms_since(finish0) / 1000.0;
  report_.wall_seconds = ms_since(wall0_) / 1000.0;
  report_.sim_cpu_seconds = cpu_self_seconds() - cpu0_;
  say("done in " + std::to_string(static_cast<int>(report_.wall_seconds)) + " s wall");
  return std::move(report_);
}

// The server's final links (one fault, many callers), from every ticket of the period. A linked ticket
// follows its lead within about a second of wall time (a server-side follower): while one still trails
// its lead's status after the last syncs, read again shortly (at most 3 s), so that GetReport, read next,
// counts the mirrored arrivals too.
void PolicyRun::read_final_links() {
  const auto until = WallClock::now() + std::chrono::seconds(3);
  for (;;) {
    final_lead_.clear();
    std::unordered_map<std::string, v1::TicketStatus> status;
    v1::ListTicketsRequest req;
    set_ts(s_.start, req.mutable_first_contact_from());
    set_ts(s_.end(), req.mutable_first_contact_to());
    req.set_page_size(1000);
    for (;;) {
      v1::ListTicketsResponse resp;
      check(desk_.call("ListTickets", &v1::DispatchService::Stub::ListTickets, req, &resp), "ListTickets");
      for (const auto& t : resp.tickets()) {
        status[t.id()] = t.status();
        if (!t.fault_ticket_id().empty()) final_lead_[t.id()] = t.fault_ticket_id();
      }
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    const bool trailing = std::any_of(final_lead_.begin(), final_lead_.end(), [&](const auto& link) {
      const auto lead = status.find(link.second);
      return lead != status.end() && lead->second != status[link.first];
    });
    if (!trailing || WallClock::now() >= until) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// The server's own report over the scenario period.
void PolicyRun::read_server_report() {
  v1::GetReportRequest rr;
  set_ts(s_.start, rr.mutable_from());
  set_ts(s_.end(), rr.mutable_to());
  v1::GetReportResponse rep;
  check(desk_.call("GetReport", &v1::DispatchService::Stub::GetReport, rr, &rep), "GetReport");
  for (const auto& z : rep.by_zone()) {
    auto& f = report_.server[static_cast<std::size_t>(zone_of(z.zone_class()))];
    f.arrivals = z.arrivals();
    f.on_time = z.on_time();
    f.late_excused = z.late_excused();
    f.violations = z.violations();
  }
  report_.server_late_arrivals = rep.late_arrivals();
  report_.server_late_with_consent = rep.late_with_timely_consent();
  report_.server_delay_notice_compliance = rep.delay_notice_compliance();
  report_.server_violations = static_cast<std::uint32_t>(rep.violations_size());
  report_.escalations_open = rep.escalations().open();
  report_.follow_ups_opened = rep.follow_ups().opened();
  report_.follow_ups_overdue = rep.follow_ups().overdue();
  report_.follow_up_apologies = rep.follow_ups().apologies();
  for (const auto& k : rep.escalations().opened()) {
    report_.escalations_opened += k.count();
    std::string name = v1::EscalationKind_Name(k.kind());
    name.erase(0, std::string("ESCALATION_KIND_").size());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    report_.escalations_by_kind[name] = k.count();
  }
}

// The server's RPC latency sums and counts by method (/metrics).
void PolicyRun::read_server_metrics() {
  for (const auto& metric : parse_metrics(server_.metrics())) {
    // Plain locals, not a structured binding: clang 14 cannot capture a binding in a lambda.
    const std::string& k = metric.first;
    const double v = metric.second;
    const auto method = [&](const std::string& prefix) -> std::string {
      if (k.rfind(prefix, 0) != 0) return "";
      const auto a = k.find("method=\"") + 8;
      return k.substr(a, k.find('"', a) - a);
    };
    if (auto m = method("linecrew_rpc_latency_seconds_sum"); !m.empty()) report_.server_rpc[m].first = v;
    if (auto m = method("linecrew_rpc_latency_seconds_count"); !m.empty())
      report_.server_rpc[m].second = static_cast<std::uint64_t>(v);
  }
}

// Merges the crews' logs into per-ticket outcomes and the report's counts.
void PolicyRun::merge_crew_logs() {
  for (const auto& c : crews_) {
    const auto& l = c->log();
    for (const auto& [id, at] : l.arrivals) {
      const auto it = outcome_of_.find(id);
      if (it == outcome_of_.end()) continue;
      auto& oc = outcomes_[it->second];
      const std::string crew = c->spec().id.str();
      if (std::find(oc.visitors.begin(), oc.visitors.end(), crew) == oc.visitors.end()) oc.visitors.push_back(crew);
      if (!oc.arrival || at < *oc.arrival) {
        oc.arrival = at;
        oc.crew = crew;
      }
    }
    for (const auto& [id, contact] : l.calls) {
      const auto it = outcome_of_.find(id);
      if (it != outcome_of_.end()) outcomes_[it->second].contacts.push_back(contact);
    }
    report_.prompts += l.prompts;
    report_.calls_consent += l.yes;
    report_.calls_refused += l.refused;
    report_.calls_unreachable += l.unreachable;
    for (double v : l.sync_ms.ms) report_.rpc_ms["sync (Hello/Upload/Pull)"].add(v);
    report_.syncs += l.syncs;
    report_.sync_failures += l.sync_failures;
    report_.max_offline_outbox = std::max(report_.max_offline_outbox, l.max_offline_outbox);
    report_.uploaded_after_gap += l.uploaded_after_gap;
    report_.arrivals_not_applied += l.arrivals_not_applied;
    for (const auto& e : l.errors) say("crew error: " + e);
  }
}

// One fault, many callers: which tickets the server linked (seen while running, or in its final state),
// whether to a call about the same true fault, and each linked ticket's arrival: its lead's, which the
// server mirrors onto it (no crew drove there), by the lead's crew.
void PolicyRun::apply_links() {
  std::unordered_map<std::string, std::string> links = lead_of_;
  for (const auto& [member, lead] : final_lead_) links[member] = lead;
  for (const auto& [member, lead] : links) {
    const auto m = outcome_of_.find(member);
    if (m == outcome_of_.end()) continue;
    auto& oc = outcomes_[m->second];
    oc.linked = true;
    const auto lead_spec = specs_.find(lead);
    oc.linked_same_fault = oc.fault && lead_spec != specs_.end() && lead_spec->second->fault == oc.fault;
    const auto l = outcome_of_.find(lead);
    if (oc.arrival || l == outcome_of_.end() || !outcomes_[l->second].arrival) continue;
    oc.arrival = outcomes_[l->second].arrival;
    oc.crew = outcomes_[l->second].crew;
  }
}

}  // namespace

RunReport run_policy(const Scenario& s, const RunOptions& o, Policy policy) {
  PolicyRun policy_run(s, o, policy);
  return policy_run.run();
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
