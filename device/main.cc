// linecrew-device: the crew handheld client (scriptable CLI; `ui` is the
// terminal screen). Everything but `sync`, `health` and `ui`'s sync works
// offline against the local store.
//   linecrew-device --store crew.db status|list|notices
//   linecrew-device --store crew.db act TICKET ACTION [--text T] [--return-time ISO]
//   linecrew-device --store crew.db call TICKET --consent yes|refused|unreachable|dropped [--proposed ISO]
//   linecrew-device --store crew.db watch [--slowdown 1.5] [--position LAT,LON]
//   linecrew-device --store crew.db --server HOST:PORT --token-file F sync [--loop [--gpsd H:P | --replay FILE]]
//   linecrew-device --store crew.db [--server HOST:PORT --token-file F] ui [--gpsd H:P | --replay FILE]
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>

#include "grpc/health/v1/health.grpc.pb.h"
#include "linecrew/core/call_script.h"
#include "linecrew/core/clock.h"
#include "linecrew/core/error.h"
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

std::string device_id_of(device::LocalStore& store, const std::string& given) {
  if (!given.empty()) {
    store.set_meta("device_id", given);
    return given;
  }
  if (const auto id = store.meta("device_id")) return *id;
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "dev-%08x", rd());
  store.set_meta("device_id", buf);
  return buf;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  return s;
}

std::string local_hhmm(TimePoint t) {
  return format_hhmm(t, hours(8));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"linecrew-device: crew handheld client"};
  std::string store_path = "crew.db", server = "127.0.0.1:50051", now_text, token, token_file, device_id, ca_file;
  double timeout_s = 10;
  cli.add_option("--store", store_path, "local SQLite store");
  cli.add_option("--server", server, "dispatch server HOST:PORT");
  cli.add_option("--token", token, "crew-device bearer token (or --token-file, or LINECREW_TOKEN)");
  cli.add_option("--token-file", token_file, "file holding the token");
  cli.add_option("--ca-file", ca_file, "PEM roots: use TLS to the server");
  cli.add_option("--device-id", device_id, "stable device id (default: generated once, kept in the store)");
  cli.add_option("--timeout", timeout_s, "deadline of each call, seconds");
  cli.add_option("--now", now_text, "use this time instead of the system clock (tests, replays)");
  cli.require_subcommand(1);

  auto* status = cli.add_subcommand("status", "local store summary");
  auto* list = cli.add_subcommand("list", "the crew's tickets, soonest deadline first");
  auto* notices = cli.add_subcommand("notices", "what the server said: removals, rejected actions, sync errors");
  auto* act = cli.add_subcommand("act", "record a crew action (works offline)");
  device::ActionInput in;
  std::string act_ticket, return_time, staff, position_text;
  act->add_option("ticket", act_ticket, "ticket id")->required();
  act->add_option("action", in.action,
                  "accept, en_route, arrived, cause_found, restored, explained_to_customer, left_site, cannot_fix")
      ->required();
  act->add_option("--text", in.text, "cause found, note, or why it cannot be fixed");
  act->add_option("--return-time", return_time, "cannot_fix: the return time committed to the customer");
  act->add_option("--staff", staff, "staff number of the member acting");
  act->add_option("--position", position_text, "arrived: LAT,LON");

  auto* call = cli.add_subcommand("call", "record a delay call to the customer (rules §2)");
  std::string call_ticket, consent_text, proposed_text, reason_text = "traffic", dial_hook, note;
  bool dial = false;
  call->add_option("ticket", call_ticket, "ticket id")->required();
  call->add_option("--consent", consent_text, "yes, refused, unreachable, or dropped (offers a redial)");
  call->add_option("--proposed", proposed_text, "the new arrival time offered (ISO 8601)");
  call->add_option("--reason", reason_text, "weather, traffic, previous_job_overran, equipment, other");
  call->add_option("--note", note, "what the customer said");
  call->add_option("--staff", staff, "staff number of the caller");
  call->add_flag("--dial", dial, "run the dial hook with the customer's number first");
  call->add_option("--dial-hook", dial_hook,
                   "command run to dial (number in $LINECREW_DIAL_NUMBER); env LINECREW_DIAL_HOOK");

  auto* watch = cli.add_subcommand("watch", "run the delay watcher once: predictions, and the call prompt when due");
  double slowdown = 1.0;
  std::string scripts_path = "config/call_script.json";
  watch->add_option("--slowdown", slowdown, "traffic factor >= 1 on travel times");
  watch->add_option("--position", position_text, "the crew's position now, LAT,LON (queued for upload)");
  watch->add_option("--templates", scripts_path, "call script templates (JSON)");

  auto* sync = cli.add_subcommand("sync", "upload the outbox and pull the crew's changes");
  bool loop = false;
  double interval_s = 0;
  sync->add_flag("--loop", loop, "keep syncing (backoff with jitter after failures) until SIGINT/SIGTERM");
  sync->add_option("--interval", interval_s, "seconds between syncs while online (default: the server's)");

  auto* ui = cli.add_subcommand("ui", "the crew's terminal screen: route, countdowns, call prompts, actions");
  ui->add_option("--slowdown", slowdown, "traffic factor >= 1 on travel times");
  ui->add_option("--templates", scripts_path, "call script templates (JSON)");
  ui->add_option("--interval", interval_s, "seconds between syncs while online (default: the server's)");
  bool ui_offline = false;
  ui->add_flag("--offline", ui_offline, "do not sync (also when no token is given)");

  // Where fixes come from while `sync --loop` or `ui` runs.
  device::PositionSourceSpec position_spec;
  for (CLI::App* sub : {sync, ui}) {
    sub->add_option("--gpsd", position_spec.gpsd, "take fixes from gpsd at HOST[:PORT] (default port 2947)");
    sub->add_option("--replay", position_spec.replay, "replay a recorded drive (NMEA or CSV) as the position source");
    sub->add_option("--replay-speed", position_spec.replay_speed,
                    "replay pace: 1 real time (default), 60 a minute per second, 0 as fast as read");
  }

  auto* health = cli.add_subcommand("health", "ask the server's health service");
  CLI11_PARSE(cli, argc, argv);

  try {
    SystemClock system_clock;
    ManualClock fixed_clock(now_text.empty() ? system_clock.now() : parse_utc(now_text, "--now"));
    const Clock& clock = now_text.empty() ? static_cast<const Clock&>(system_clock) : fixed_clock;
    const auto channel = [&] {
      std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
      if (!ca_file.empty()) {
        grpc::SslCredentialsOptions o;
        o.pem_root_certs = read_text_file(ca_file);
        creds = grpc::SslCredentials(o);
      }
      return device::make_channel(server, creds);
    };

    if (health->parsed()) {
      auto stub = grpc::health::v1::Health::NewStub(channel());
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)));
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse resp;
      const grpc::Status st = stub->Check(&ctx, req, &resp);
      if (!st.ok()) {
        std::cerr << "linecrew-device: server " << server << " unreachable: " << st.error_message() << "\n";
        return 1;
      }
      std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
      return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
    }

    device::LocalStore store(store_path);
    const TimePoint now = clock.now();
    if (status->parsed()) {
      std::cout << "tickets: " << store.tickets().size() << "\noutbox: " << store.outbox_size()
                << "\ncursor: " << store.cursor() << "\ncrew: " << store.meta("crew_id").value_or("(not synced)")
                << "\nclock offset: " << store.meta("clock_offset_s").value_or("?") << " s"
                << "\nlast sync error: " << store.meta("last_sync_error").value_or("none")
                << "\nintegrity: " << store.integrity_check() << "\n";
      return 0;
    }
    if (list->parsed()) {
      for (const auto& t : store.tickets()) {
        const auto left = t.effective_deadline - now;
        std::cout << t.id.str() << "  " << to_string(t.status) << (t.removed.empty() ? "" : " [" + t.removed + "]")
                  << "  deadline " << local_hhmm(t.effective_deadline) << " ("
                  << (left.count() >= 0 ? "in " : "overdue ") << minutes_ceil(left.count() >= 0 ? left : -left)
                  << " min)  " << t.customer_name << "  " << t.address << "\n";
      }
      return 0;
    }
    if (notices->parsed()) {
      for (const auto& n : store.notices())
        std::cout << format_utc(n.time) << "  " << n.ticket << "  " << n.text << "\n";
      return 0;
    }
    const std::string dev = device_id_of(store, device_id);
    if (act->parsed()) {
      in.ticket = TicketId(act_ticket);
      in.staff_number = staff;
      if (!return_time.empty()) in.committed_return = parse_utc(return_time, "--return-time");
      in.position = parse_point(position_text, "--position");
      const auto e = device::record(store, dev, in, now);
      std::cout << "recorded " << in.action << " on " << act_ticket << " as " << e.op_id << " (status "
                << to_string(store.get(in.ticket)->status) << ", queued for upload)\n";
      return 0;
    }
    if (call->parsed()) {
      const TicketId id(call_ticket);
      const auto t = store.get(id);
      if (!t) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + call_ticket + "'");
      if (dial) {
        if (dial_hook.empty())
          if (const char* env = std::getenv("LINECREW_DIAL_HOOK")) dial_hook = env;
        store.log_call({now, id, "dialled", t->customer_phone});
        if (dial_hook.empty()) {
          std::cout << "call " << t->customer_name << " on " << t->customer_phone << "\n";
        } else {
          ::setenv("LINECREW_DIAL_NUMBER", t->customer_phone.c_str(), 1);
          const int rc = std::system(dial_hook.c_str());
          std::cout << "dial hook exited " << rc << "\n";
        }
        if (consent_text.empty()) return 0;
      }
      const bool dropped = consent_text == "dropped";
      const auto consent = dropped ? std::optional<Consent>(Consent::kUnreachable) : parse_consent(consent_text);
      if (!consent) throw_invalid("--consent", "'" + consent_text + "': yes, refused, unreachable or dropped");
      const auto reason = parse_delay_reason(reason_text);
      if (!reason) throw_invalid("--reason", "'" + reason_text + "' is not a delay reason");
      device::CallOutcome outcome;
      outcome.ticket = id;
      outcome.outcome = consent_text;
      outcome.reason = *reason;
      outcome.note = note;
      outcome.staff_number = staff;
      if (!proposed_text.empty()) outcome.proposed = parse_utc(proposed_text, "--proposed");
      device::record_call(store, dev, outcome, now);
      if (dropped) {
        std::cout << "call dropped: redial now (linecrew-device call " << call_ticket << " --dial ...)\n";
      } else if (*consent == Consent::kYes) {
        std::cout << "agreed: arrive by " << local_hhmm(*outcome.proposed) << "; effective deadline moved\n";
      } else {
        std::cout << "customer " << to_string(*consent) << ": escalated to the dispatcher; you may call again\n";
      }
      return 0;
    }
    if (watch->parsed()) {
      if (const auto p = parse_point(position_text, "--position"))
        device::note_position(store, dev, *p, 10.0f, now, now);
      const device::StraightLineTravel travel;
      const auto r = device::watch(store, now, travel, slowdown);
      for (const auto& d : r.decisions)
        std::cout << d.id.str() << "  " << to_string(d.state) << "  eta " << local_hhmm(d.predicted_arrival)
                  << "  deadline " << local_hhmm(d.effective_deadline)
                  << (d.late_by.count() > 0 ? "  late " + std::to_string(d.late_minutes) + " min" : "") << "\n";
      if (!r.new_prompts.empty()) {
        const auto templates = CallScriptTemplates::load_file(scripts_path);
        for (const auto& d : r.new_prompts) {
          const auto t = *store.get(d.id);
          std::cout << "\n*** CALL THE CUSTOMER NOW: " << t.customer_name << " " << t.customer_phone << " — "
                    << d.late_minutes << " min late, propose " << local_hhmm(d.proposed_time) << " (before "
                    << local_hhmm(d.effective_deadline) << ") ***\n";
          const auto s = device::prompt_script(store, t, d, templates, DelayReason::kTraffic);
          for (std::size_t i = 0; i < s.steps.size(); ++i) std::cout << (i + 1) << ". " << s.steps[i] << "\n";
          for (const auto& g : s.guardrails) std::cout << "  ! " << g << "\n";
        }
      }
      return 0;
    }
    if (token.empty() && !token_file.empty()) token = trim(read_text_file(token_file));
    if (token.empty())
      if (const char* env = std::getenv("LINECREW_TOKEN")) token = env;
    const auto sync_options = [&] {
      device::SyncOptions o;
      o.device_id = dev;
      o.token = token;
      o.call_timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
      return o;
    };
    std::optional<std::chrono::milliseconds> interval;
    if (interval_s > 0) interval = std::chrono::milliseconds(static_cast<long>(interval_s * 1000));
    const auto on_stop_signal = [] {
      std::signal(SIGINT, [](int) { g_stop = true; });
      std::signal(SIGTERM, [](int) { g_stop = true; });
    };
    if (ui->parsed()) {
      const auto templates = CallScriptTemplates::load_file(scripts_path);
      std::unique_ptr<position::PositionSource> source;
      if (!position_spec.empty()) source = device::open_position_source(position_spec);
      std::unique_ptr<device::SyncAgent> agent;
      if (!ui_offline && !token.empty())
        agent = std::make_unique<device::SyncAgent>(store, clock, channel(), sync_options());
      device::ui::TuiOptions o;
      o.device_id = dev;
      o.slowdown = slowdown;
      o.sync_interval = interval;
      on_stop_signal();
      return device::ui::run_tui(store, clock, templates, agent.get(), std::move(source), o, g_stop);
    }
    if (sync->parsed()) {
      if (token.empty()) throw_invalid("--token", "a crew-device token is required to sync");
      if (!position_spec.empty() && !loop) throw_invalid("--loop", "a position source (--gpsd, --replay) needs --loop");
      device::SyncAgent agent(store, clock, channel(), sync_options());
      const auto print = [](const device::SyncReport& r) {
        if (!r.ok) {
          std::cerr << "sync failed: " << r.error << "\n";
          return;
        }
        std::cout << "synced: uploaded " << r.uploaded << " (applied " << r.applied << ", duplicate " << r.duplicate
                  << ", rejected " << r.rejected << ", superseded " << r.superseded << "), pulled " << r.pulled
                  << " change(s) in " << r.pages << " page(s)" << (r.reset ? " (full resync)" : "") << ", cursor "
                  << r.cursor << "\n";
      };
      if (!loop) {
        const auto r = agent.sync_once();
        print(r);
        return r.ok ? 0 : 1;
      }
      on_stop_signal();
      std::unique_ptr<device::PositionThread> positions;
      if (!position_spec.empty())
        positions = std::make_unique<device::PositionThread>(
            device::open_position_source(position_spec), store, clock, dev,
            [](const std::string& e) { std::cerr << "linecrew-device: position source: " << e << "\n"; });
      agent.run(g_stop, print, interval);
      if (positions) {
        const auto& f = positions->feed();
        std::cout << "positions: " << f.seen() << " fix(es), " << f.queued() << " queued for upload\n";
      }
      return 0;
    }
  } catch (const Error& e) {
    std::cerr << "linecrew-device: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
