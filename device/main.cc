// linecrew-device: the crew handheld client (scriptable CLI; `ui` is the
// terminal screen). Everything but `sync`, `health` and `ui`'s sync works
// offline against the local store.
//   linecrew-device --store crew.db status|list|notices
//   linecrew-device --store crew.db act TICKET ACTION [--text T] [--return-time ISO]
//   linecrew-device --store crew.db call TICKET --consent yes|refused|unreachable|dropped [--proposed ISO]
//   linecrew-device --store crew.db watch [--slowdown 1.5] [--position LAT,LON]
//   linecrew-device --store crew.db --server HOST:PORT --token-file F sync [--loop [--gpsd H:P | --replay FILE]]
//   linecrew-device --store crew.db [--server HOST:PORT --token-file F] ui [--gpsd H:P | --replay FILE]
//
// One function per subcommand (cmd_*), each with its own arguments; define_*
// declares a subcommand's flags and adds it to the dispatch table that main()
// runs the parsed one from. A Session carries what they share: the global
// options, the clock, the local store and the device id.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <array>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>

#include "grpc/health/v1/health.grpc.pb.h"
#include "linecrew/core/call_script.h"
#include "linecrew/core/clock.h"
#include "linecrew/core/error.h"
#include "linecrew/core/ids.h"
#include "linecrew/core/io.h"
#include "linecrew/device/app/actions.h"
#include "linecrew/device/app/position_feed.h"
#include "linecrew/device/app/watch.h"
#include "linecrew/device/store/local_store.h"
#include "linecrew/device/sync/sync_agent.h"
#include "linecrew/device/ui/tui.h"

using namespace linecrew;

namespace {

std::atomic<bool> g_stop{false};

// --- shared helpers ------------------------------------------------------------

std::optional<GeoPoint> parse_point(const std::string& text, const char* field) {
  if (text.empty()) return std::nullopt;
  const auto comma = text.find(',');
  if (comma == std::string::npos) throw_invalid(field, "expected LAT,LON");
  try {
    return GeoPoint(std::stod(text.substr(0, comma)), std::stod(text.substr(comma + 1)));
  } catch (const Error& e) {
    throw e.prefixed(field);
  } catch (const std::exception&) {
    throw_invalid(field, "expected LAT,LON");
  }
}

// A bad id, given or kept, throws Error(kInvalidArgument, "device_id"); a bad
// --device-id is not kept.
DeviceId device_id_of(device::LocalStore& store, const std::string& given) {
  if (!given.empty()) {
    DeviceId id(given);
    store.set_meta("device_id", id.str());
    return id;
  }
  if (const auto kept = store.meta("device_id")) {
    try {
      return DeviceId(*kept);
    } catch (const Error& e) {
      throw Error(e.code(), e.field(), e.message() + " (the id kept in the store; give a valid --device-id)");
    }
  }
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "dev-%08x", rd());
  DeviceId id(buf);
  store.set_meta("device_id", id.str());
  return id;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  return s;
}

std::string local_hhmm(TimePoint t) {
  return format_hhmm(t, hours(8));
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

// --interval: nullopt (the server's) unless positive.
std::optional<std::chrono::milliseconds> sync_interval(double seconds) {
  if (seconds > 0) return millis(seconds);
  return std::nullopt;
}

void on_stop_signal() {
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
}

// The options before the subcommand.
struct Globals {
  std::string store_path = "crew.db", server = "127.0.0.1:50051", now_text, token, token_file, device_id, ca_file;
  double timeout_s = 10;
};

// What the subcommands share: the global options, the clock (--now or the
// system's), the server channel, the local store and the device id.
class Session {
 public:
  explicit Session(const Globals& g)
      : g_(g), fixed_clock_(g.now_text.empty() ? system_clock_.now() : parse_utc(g.now_text, "--now")) {}

  const Globals& globals() const { return g_; }
  const Clock& clock() const { return g_.now_text.empty() ? static_cast<const Clock&>(system_clock_) : fixed_clock_; }

  std::shared_ptr<grpc::Channel> channel() const {
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (!g_.ca_file.empty()) {
      grpc::SslCredentialsOptions o;
      o.pem_root_certs = read_text_file(g_.ca_file);
      creds = grpc::SslCredentials(o);
    }
    return device::make_channel(g_.server, creds);
  }

  // The local store, opened on first use; now() is the clock's time then.
  device::LocalStore& store() {
    if (!store_) {
      store_ = std::make_unique<device::LocalStore>(g_.store_path);
      now_ = clock().now();
    }
    return *store_;
  }
  TimePoint now() {
    store();
    return now_;
  }

  // --device-id, else the one kept in the store, else a new one (kept).
  const DeviceId& device_id() {
    if (!device_id_) device_id_ = device_id_of(store(), g_.device_id);
    return *device_id_;
  }

  // --token, else --token-file, else LINECREW_TOKEN; empty if none.
  std::string token() const {
    std::string secret = g_.token;
    if (secret.empty() && !g_.token_file.empty()) secret = trim(read_text_file(g_.token_file));
    if (secret.empty())
      if (const char* env = std::getenv("LINECREW_TOKEN")) secret = env;
    return secret;
  }

  device::SyncOptions sync_options(const std::string& secret) {
    device::SyncOptions o;
    o.device_id = device_id();
    o.token = secret;
    o.call_timeout = millis(g_.timeout_s);
    return o;
  }

 private:
  const Globals& g_;
  SystemClock system_clock_;
  ManualClock fixed_clock_;
  std::unique_ptr<device::LocalStore> store_;
  TimePoint now_;
  std::optional<DeviceId> device_id_;
};

// The dispatch table: the parsed subcommand's entry runs.
struct Command {
  CLI::App* app;
  std::function<int(Session&)> run;
};
using Commands = std::vector<Command>;

// --- health ------------------------------------------------------------------

int cmd_health(Session& s) {
  const Globals& g = s.globals();
  auto stub = grpc::health::v1::Health::NewStub(s.channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + millis(g.timeout_s));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status st = stub->Check(&ctx, req, &resp);
  if (!st.ok()) {
    std::cerr << "linecrew-device: server " << g.server << " unreachable: " << st.error_message() << "\n";
    return 1;
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

// --- status, list, notices: reading the local store ------------------------------

int cmd_status(Session& s) {
  device::LocalStore& store = s.store();
  std::cout << "tickets: " << store.tickets().size() << "\noutbox: " << store.outbox_size()
            << "\ncursor: " << store.cursor() << "\ncrew: " << store.meta("crew_id").value_or("(not synced)")
            << "\nclock offset: " << store.meta("clock_offset_s").value_or("?") << " s"
            << "\nlast sync error: " << store.meta("last_sync_error").value_or("none")
            << "\nintegrity: " << store.integrity_check() << "\n";
  return 0;
}

int cmd_list(Session& s) {
  device::LocalStore& store = s.store();
  const TimePoint now = s.now();
  for (const auto& t : store.tickets()) {
    const auto left = t.effective_deadline - now;
    std::cout << t.id.str() << "  " << to_string(t.status) << (t.removed.empty() ? "" : " [" + t.removed + "]")
              << "  deadline " << local_hhmm(t.effective_deadline) << " (" << (left.count() >= 0 ? "in " : "overdue ")
              << minutes_ceil(left.count() >= 0 ? left : -left) << " min)  " << t.customer_name << "  " << t.address
              << "\n";
  }
  return 0;
}

int cmd_notices(Session& s) {
  for (const auto& n : s.store().notices())
    std::cout << format_utc(n.time) << "  " << n.ticket << "  " << n.text << "\n";
  return 0;
}

void define_store_commands(CLI::App& cli, Commands& table) {
  auto* status = cli.add_subcommand("status", "local store summary");
  table.push_back({status, cmd_status});
  auto* list = cli.add_subcommand("list", "the crew's tickets, soonest deadline first");
  table.push_back({list, cmd_list});
  auto* notices = cli.add_subcommand("notices", "what the server said: removals, rejected actions, sync errors");
  table.push_back({notices, cmd_notices});
}

// --- act -----------------------------------------------------------------------

struct ActArgs {
  device::ActionInput in;
  std::string ticket, return_time, staff, position, outcome, new_time;
};

int cmd_act(Session& s, const ActArgs& a) {
  device::LocalStore& store = s.store();
  const TimePoint now = s.now();
  const DeviceId& dev = s.device_id();
  device::ActionInput in = a.in;
  in.ticket = TicketId(a.ticket);
  in.staff_number = a.staff;
  if (!a.return_time.empty()) in.committed_return = parse_utc(a.return_time, "--return-time");
  in.position = parse_point(a.position, "--position");
  if (!a.outcome.empty()) {
    const std::array<ConfirmationOutcome, 3> all = {
        ConfirmationOutcome::kConfirmed, ConfirmationOutcome::kNewTimeAgreed, ConfirmationOutcome::kUnreachable};
    for (const auto o : all)
      if (to_string(o) == a.outcome) in.confirmation = o;
    if (!in.confirmation) throw_invalid("--outcome", "'" + a.outcome + "': confirmed, new_time_agreed or unreachable");
  }
  if (!a.new_time.empty()) in.new_time = parse_utc(a.new_time, "--new-time");
  const auto e = device::record(store, dev, in, now);
  std::cout << "recorded " << in.action << " on " << a.ticket << " as " << e.op_id << " (status "
            << to_string(store.get(in.ticket)->status) << ", queued for upload)\n";
  return 0;
}

void define_act(CLI::App& cli, ActArgs& a, Commands& table) {
  auto* act = cli.add_subcommand("act", "record a crew action (works offline)");
  act->add_option("ticket", a.ticket, "ticket id")->required();
  act->add_option("action", a.in.action,
                  "accept, en_route, arrived, cause_found, restored, explained_to_customer, left_site, cannot_fix, "
                  "need_help, confirmation_call")
      ->required();
  act->add_option("--text", a.in.text, "cause found, note, why it cannot be fixed, or what help the crew needs");
  act->add_option("--return-time", a.return_time, "cannot_fix: the return time committed to the customer");
  act->add_option("--staff", a.staff, "staff number of the member acting");
  act->add_option("--position", a.position, "arrived: LAT,LON");
  act->add_option("--outcome", a.outcome, "confirmation_call: confirmed, new_time_agreed or unreachable");
  act->add_option("--new-time", a.new_time, "confirmation_call, new_time_agreed: the arrival agreed (ISO 8601)");
  table.push_back({act, [&a](Session& s) { return cmd_act(s, a); }});
}

// --- call ----------------------------------------------------------------------

struct CallArgs {
  std::string ticket, consent, proposed, reason = "traffic", dial_hook, note, staff;
  bool dial = false;
};

// --dial: logs the dial and runs the hook (or shows the number to dial).
void dial_customer(device::LocalStore& store, const TicketId& id, const device::LocalTicket& t, std::string hook,
                   TimePoint now) {
  if (hook.empty())
    if (const char* env = std::getenv("LINECREW_DIAL_HOOK")) hook = env;
  store.log_call({now, id, "dialled", t.customer_phone});
  if (hook.empty()) {
    std::cout << "call " << t.customer_name << " on " << t.customer_phone << "\n";
  } else {
    ::setenv("LINECREW_DIAL_NUMBER", t.customer_phone.c_str(), 1);
    const int rc = std::system(hook.c_str());
    std::cout << "dial hook exited " << rc << "\n";
  }
}

int cmd_call(Session& s, const CallArgs& a) {
  device::LocalStore& store = s.store();
  const TimePoint now = s.now();
  const DeviceId& dev = s.device_id();
  const TicketId id(a.ticket);
  const auto t = store.get(id);
  if (!t) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + a.ticket + "'");
  if (a.dial) {
    dial_customer(store, id, *t, a.dial_hook, now);
    if (a.consent.empty()) return 0;
  }
  const bool dropped = a.consent == "dropped";
  const auto consent = dropped ? std::optional<Consent>(Consent::kUnreachable) : parse_consent(a.consent);
  if (!consent) throw_invalid("--consent", "'" + a.consent + "': yes, refused, unreachable or dropped");
  const auto reason = parse_delay_reason(a.reason);
  if (!reason) throw_invalid("--reason", "'" + a.reason + "' is not a delay reason");
  device::CallOutcome outcome;
  outcome.ticket = id;
  outcome.outcome = a.consent;
  outcome.reason = *reason;
  outcome.note = a.note;
  outcome.staff_number = a.staff;
  if (!a.proposed.empty()) outcome.proposed = parse_utc(a.proposed, "--proposed");
  device::record_call(store, dev, outcome, now);
  if (dropped) {
    std::cout << "call dropped: redial now (linecrew-device call " << a.ticket << " --dial ...)\n";
  } else if (*consent == Consent::kYes) {
    std::cout << "agreed: arrive by " << local_hhmm(*outcome.proposed) << "; effective deadline moved\n";
  } else {
    std::cout << "customer " << to_string(*consent) << ": escalated to the dispatcher; you may call again\n";
  }
  return 0;
}

void define_call(CLI::App& cli, CallArgs& a, Commands& table) {
  auto* call = cli.add_subcommand("call", "record a delay call to the customer (rules §2)");
  call->add_option("ticket", a.ticket, "ticket id")->required();
  call->add_option("--consent", a.consent, "yes, refused, unreachable, or dropped (offers a redial)");
  call->add_option("--proposed", a.proposed, "the new arrival time offered (ISO 8601)");
  call->add_option("--reason", a.reason, "weather, traffic, previous_job_overran, equipment, other");
  call->add_option("--note", a.note, "what the customer said");
  call->add_option("--staff", a.staff, "staff number of the caller");
  call->add_flag("--dial", a.dial, "run the dial hook with the customer's number first");
  call->add_option("--dial-hook", a.dial_hook,
                   "command run to dial (number in $LINECREW_DIAL_NUMBER); env LINECREW_DIAL_HOOK");
  table.push_back({call, [&a](Session& s) { return cmd_call(s, a); }});
}

// --- watch ---------------------------------------------------------------------

struct WatchArgs {
  double slowdown = 1.0;
  std::string position;
  std::string scripts_path = "config/call_script.json";
};

// A new call prompt: who to call, and the script to read.
void print_prompt(device::LocalStore& store, const DelayDecision& d, const CallScriptTemplates& templates) {
  const auto t = *store.get(d.id);
  std::cout << "\n*** CALL THE CUSTOMER NOW: " << t.customer_name << " " << t.customer_phone << " — " << d.late_minutes
            << " min late, propose " << local_hhmm(d.proposed_time) << " (before " << local_hhmm(d.effective_deadline)
            << ") ***\n";
  const auto s = device::prompt_script(store, t, d, templates, DelayReason::kTraffic);
  for (std::size_t i = 0; i < s.steps.size(); ++i) std::cout << (i + 1) << ". " << s.steps[i] << "\n";
  for (const auto& g : s.guardrails) std::cout << "  ! " << g << "\n";
}

int cmd_watch(Session& s, const WatchArgs& a) {
  device::LocalStore& store = s.store();
  const TimePoint now = s.now();
  const DeviceId& dev = s.device_id();
  if (const auto p = parse_point(a.position, "--position")) device::note_position(store, dev, *p, 10.0f, now, now);
  const device::StraightLineTravel travel;
  const auto r = device::watch(store, now, travel, a.slowdown);
  for (const auto& d : r.decisions)
    std::cout << d.id.str() << "  " << to_string(d.state) << "  eta " << local_hhmm(d.predicted_arrival)
              << "  deadline " << local_hhmm(d.effective_deadline)
              << (d.late_by.count() > 0 ? "  late " + std::to_string(d.late_minutes) + " min" : "") << "\n";
  if (!r.new_prompts.empty()) {
    const auto templates = CallScriptTemplates::load_file(a.scripts_path);
    for (const auto& d : r.new_prompts) print_prompt(store, d, templates);
  }
  for (const auto& c : r.confirmations) {  // rules §4: the assigned crew confirms its scheduled visits
    const auto t = *store.get(c.ticket);
    std::cout << "\n*** CONFIRMATION CALL" << (c.overdue ? " (OVERDUE)" : "") << ": " << t.customer_name << " "
              << t.customer_phone << " — visit agreed for " << local_hhmm(c.window.appointment) << ", call by "
              << local_hhmm(c.window.due) << " ***\n"
              << "record: linecrew-device act " << c.ticket.str()
              << " confirmation_call --outcome confirmed|new_time_agreed|unreachable [--new-time TIME]\n";
  }
  return 0;
}

void define_watch(CLI::App& cli, WatchArgs& a, Commands& table) {
  auto* watch = cli.add_subcommand("watch", "run the delay watcher once: predictions, and the call prompt when due");
  watch->add_option("--slowdown", a.slowdown, "traffic factor >= 1 on travel times");
  watch->add_option("--position", a.position, "the crew's position now, LAT,LON (queued for upload)");
  watch->add_option("--templates", a.scripts_path, "call script templates (JSON)");
  table.push_back({watch, [&a](Session& s) { return cmd_watch(s, a); }});
}

// Where fixes come from while `sync --loop` or `ui` runs.
void define_position_options(CLI::App& sub, device::PositionSourceSpec& spec) {
  sub.add_option("--gpsd", spec.gpsd, "take fixes from gpsd at HOST[:PORT] (default port 2947)");
  sub.add_option("--replay", spec.replay, "replay a recorded drive (NMEA or CSV) as the position source");
  sub.add_option("--replay-speed", spec.replay_speed,
                 "replay pace: 1 real time (default), 60 a minute per second, 0 as fast as read");
}

// --- sync ----------------------------------------------------------------------

struct SyncArgs {
  bool loop = false;
  double interval_s = 0;
  device::PositionSourceSpec position;
};

void print_sync(const device::SyncReport& r) {
  if (!r.ok) {
    std::cerr << "sync failed: " << r.error << "\n";
    return;
  }
  std::cout << "synced: uploaded " << r.uploaded << " (applied " << r.applied << ", duplicate " << r.duplicate
            << ", rejected " << r.rejected << ", superseded " << r.superseded << "), pulled " << r.pulled
            << " change(s) in " << r.pages << " page(s)" << (r.reset ? " (full resync)" : "") << ", cursor " << r.cursor
            << "\n";
}

// sync --loop: syncs until SIGINT/SIGTERM, taking fixes from the position source if one is given.
int sync_loop(Session& s, device::SyncAgent& agent, const SyncArgs& a) {
  on_stop_signal();
  std::unique_ptr<device::PositionThread> positions;
  if (!a.position.empty())
    positions = std::make_unique<device::PositionThread>(
        device::open_position_source(a.position), s.store(), s.clock(), s.device_id(),
        [](const std::string& e) { std::cerr << "linecrew-device: position source: " << e << "\n"; });
  agent.run(g_stop, print_sync, sync_interval(a.interval_s));
  if (positions) {
    const auto& f = positions->feed();
    std::cout << "positions: " << f.seen() << " fix(es), " << f.queued() << " queued for upload\n";
  }
  return 0;
}

int cmd_sync(Session& s, const SyncArgs& a) {
  s.device_id();
  const std::string token = s.token();
  if (token.empty()) throw_invalid("--token", "a crew-device token is required to sync");
  if (!a.position.empty() && !a.loop) throw_invalid("--loop", "a position source (--gpsd, --replay) needs --loop");
  device::SyncAgent agent(s.store(), s.clock(), s.channel(), s.sync_options(token));
  if (a.loop) return sync_loop(s, agent, a);
  const auto r = agent.sync_once();
  print_sync(r);
  return r.ok ? 0 : 1;
}

void define_sync(CLI::App& cli, SyncArgs& a, Commands& table) {
  auto* sync = cli.add_subcommand("sync", "upload the outbox and pull the crew's changes");
  sync->add_flag("--loop", a.loop, "keep syncing (backoff with jitter after failures) until SIGINT/SIGTERM");
  sync->add_option("--interval", a.interval_s, "seconds between syncs while online (default: the server's)");
  define_position_options(*sync, a.position);
  table.push_back({sync, [&a](Session& s) { return cmd_sync(s, a); }});
}

// --- ui ------------------------------------------------------------------------

struct UiArgs {
  double slowdown = 1.0;
  std::string scripts_path = "config/call_script.json";
  double interval_s = 0;
  bool offline = false;
  device::PositionSourceSpec position;
};

int cmd_ui(Session& s, const UiArgs& a) {
  const DeviceId& dev = s.device_id();
  const std::string token = s.token();
  const auto templates = CallScriptTemplates::load_file(a.scripts_path);
  std::unique_ptr<position::PositionSource> source;
  if (!a.position.empty()) source = device::open_position_source(a.position);
  std::unique_ptr<device::SyncAgent> agent;
  if (!a.offline && !token.empty())
    agent = std::make_unique<device::SyncAgent>(s.store(), s.clock(), s.channel(), s.sync_options(token));
  device::ui::TuiOptions o;
  o.device_id = dev;
  o.slowdown = a.slowdown;
  o.sync_interval = sync_interval(a.interval_s);
  on_stop_signal();
  return device::ui::run_tui(s.store(), s.clock(), templates, agent.get(), std::move(source), o, g_stop);
}

void define_ui(CLI::App& cli, UiArgs& a, Commands& table) {
  auto* ui = cli.add_subcommand("ui", "the crew's terminal screen: route, countdowns, call prompts, actions");
  ui->add_option("--slowdown", a.slowdown, "traffic factor >= 1 on travel times");
  ui->add_option("--templates", a.scripts_path, "call script templates (JSON)");
  ui->add_option("--interval", a.interval_s, "seconds between syncs while online (default: the server's)");
  ui->add_flag("--offline", a.offline, "do not sync (also when no token is given)");
  define_position_options(*ui, a.position);
  table.push_back({ui, [&a](Session& s) { return cmd_ui(s, a); }});
}

// --- the command line ----------------------------------------------------------

void define_globals(CLI::App& cli, Globals& g) {
  cli.add_option("--store", g.store_path, "local SQLite store");
  cli.add_option("--server", g.server, "dispatch server HOST:PORT");
  cli.add_option("--token", g.token, "crew-device bearer token (or --token-file, or LINECREW_TOKEN)");
  cli.add_option("--token-file", g.token_file, "file holding the token");
  cli.add_option("--ca-file", g.ca_file, "PEM roots: use TLS to the server");
  cli.add_option("--device-id", g.device_id, "stable device id (default: generated once, kept in the store)");
  cli.add_option("--timeout", g.timeout_s, "deadline of each call, seconds");
  cli.add_option("--now", g.now_text, "use this time instead of the system clock (tests, replays)");
  cli.require_subcommand(1);
}

// Every subcommand's arguments (they outlive the dispatch table that refers to them).
struct Args {
  ActArgs act;
  CallArgs call;
  WatchArgs watch;
  SyncArgs sync;
  UiArgs ui;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"linecrew-device: crew handheld client"};
  Globals g;
  define_globals(cli, g);
  Args args;
  Commands table;
  define_store_commands(cli, table);
  define_act(cli, args.act, table);
  define_call(cli, args.call, table);
  define_watch(cli, args.watch, table);
  define_sync(cli, args.sync, table);
  define_ui(cli, args.ui, table);
  auto* health = cli.add_subcommand("health", "ask the server's health service");
  table.push_back({health, cmd_health});
  CLI11_PARSE(cli, argc, argv);

  try {
    Session session(g);
    for (const Command& c : table)
      if (c.app->parsed()) return c.run(session);
  } catch (const Error& e) {
    std::cerr << "linecrew-device: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
