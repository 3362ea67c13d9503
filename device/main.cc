// linecrew-device: the crew handheld client (scriptable CLI).
//   linecrew-device --store crew.db status|list
//   linecrew-device --store crew.db act TICKET ACTION
//   linecrew-device --server HOST:PORT health
//   linecrew-device script --customer NAME --deadline T --new-time T --reason traffic [--lang en]
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/actions.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "linecrew/core/call_script.h"
#include "linecrew/core/clock.h"
#include "linecrew/core/error.h"
#include "store/local_store.h"

using namespace linecrew;

int main(int argc, char** argv) {
  CLI::App cli{"linecrew-device: crew handheld client"};
  std::string store_path = "crew.db", server = "127.0.0.1:50051", now_text;
  double timeout_s = 10;
  cli.add_option("--store", store_path, "local SQLite store");
  cli.add_option("--server", server, "dispatch server HOST:PORT");
  cli.add_option("--timeout", timeout_s, "deadline of each call, seconds");
  cli.add_option("--now", now_text, "use this time instead of the system clock (tests, replays)");
  cli.require_subcommand(1);

  auto* status = cli.add_subcommand("status", "local store summary");
  auto* list = cli.add_subcommand("list", "the crew's tickets, soonest deadline first");
  auto* act = cli.add_subcommand("act", "record a crew action (works offline)");
  std::string act_ticket, act_action, act_payload;
  act->add_option("ticket", act_ticket, "ticket id")->required();
  act->add_option("action", act_action,
                  "accept, en_route, arrived, cause_found, restored, explained_to_customer, left_site, cannot_fix")
      ->required();
  act->add_option("--payload", act_payload, "details (JSON)");
  auto* health = cli.add_subcommand("health", "ask the server's health service");
  auto* script = cli.add_subcommand("script", "render the delay-call script");
  CallScriptInput in;
  std::string scripts_path = "config/call_script.json", deadline_text, new_time_text, reason_text = "traffic";
  script->add_option("--templates", scripts_path, "call script templates (JSON)");
  script->add_option("--lang", in.language, "zh-CN (default) or en");
  script->add_option("--company", in.company);
  script->add_option("--team", in.team);
  script->add_option("--crew-name", in.crew_name);
  script->add_option("--staff-number", in.staff_number);
  script->add_option("--customer", in.customer_name)->required();
  script->add_option("--callback", in.callback_number);
  script->add_option("--deadline", deadline_text, "the deadline that will be missed")->required();
  script->add_option("--new-time", new_time_text, "the arrival time to propose")->required();
  script->add_option("--reason", reason_text, "weather, traffic, previous_job_overran, equipment, other");
  CLI11_PARSE(cli, argc, argv);

  try {
    SystemClock system_clock;
    ManualClock fixed_clock(now_text.empty() ? system_clock.now() : parse_utc(now_text, "--now"));
    const Clock& clock = now_text.empty() ? static_cast<const Clock&>(system_clock) : fixed_clock;

    if (health->parsed()) {
      auto channel = grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
      auto stub = grpc::health::v1::Health::NewStub(channel);
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

    if (script->parsed()) {
      const auto templates = CallScriptTemplates::load_file(scripts_path);
      in.deadline = parse_utc(deadline_text, "--deadline");
      in.new_time = parse_utc(new_time_text, "--new-time");
      const auto reason = parse_delay_reason(reason_text);
      if (!reason) throw_invalid("--reason", "'" + reason_text + "' is not a delay reason");
      in.reason = *reason;
      const CallScript s = templates.render(in);
      for (std::size_t i = 0; i < s.steps.size(); ++i) std::cout << (i + 1) << ". " << s.steps[i] << "\n";
      for (const auto& g : s.guardrails) std::cout << "  ! " << g << "\n";
      return 0;
    }

    device::LocalStore store(store_path);
    if (status->parsed()) {
      std::cout << "tickets: " << store.tickets().size() << "\noutbox: " << store.outbox().size()
                << "\ncursor: " << store.cursor() << "\nintegrity: " << store.integrity_check() << "\n";
      return 0;
    }
    if (list->parsed()) {
      const TimePoint now = clock.now();
      for (const auto& t : store.tickets()) {
        const auto left = t.effective_deadline - now;
        std::cout << t.id.str() << "  " << to_string(t.status) << "  deadline " << format_utc(t.effective_deadline)
                  << "  (" << (left.count() >= 0 ? "in " : "overdue ") << minutes_ceil(left.count() >= 0 ? left : -left)
                  << " min)  " << t.customer_name << "  " << t.address << "\n";
      }
      return 0;
    }
    if (act->parsed()) {
      const TicketId id(act_ticket);
      const auto current = store.get(id);
      if (!current) throw Error(ErrorCode::kNotFound, "ticket", "no local ticket '" + act_ticket + "'");
      const auto next = device::status_after(act_action, current->status);
      if (!next) throw_invalid("action", "'" + act_action + "' is not a crew action");
      const auto e = store.record_action(id, act_action, *next, act_payload, clock.now());
      std::cout << "recorded " << act_action << " on " << act_ticket << " as " << e.op_id << " (status "
                << to_string(*next) << ", queued for upload)\n";
      return 0;
    }
  } catch (const Error& e) {
    std::cerr << "linecrew-device: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
