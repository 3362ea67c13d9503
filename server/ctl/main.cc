// linecrewctl: the dispatcher's command line.
//   linecrewctl [--server HOST:PORT] health
//   linecrewctl tickets add --request-id ID --name N --phone P --lat LAT --lon LON --address A [...]
//   linecrewctl tickets list [--status S]... [--zone Z]... [--crew C] [--json]
//   linecrewctl tickets show ID [--json]
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "ctl/format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "linecrew/core/error.h"
#include "linecrew/core/time.h"
#include "linecrew/v1/dispatch.grpc.pb.h"

namespace v1 = linecrew::v1;
using namespace linecrew::ctl;

namespace {

constexpr int kMaxResponseBytes = 64 << 20;

struct Options {
  std::string server = "127.0.0.1:50051";
  std::string token;  // bearer secret
  double timeout_s = 10;
  bool json = false;
};

std::unique_ptr<grpc::ClientContext> context(const Options& o) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000)));
  if (!o.token.empty()) ctx->AddMetadata("authorization", "Bearer " + o.token);
  return ctx;
}

int fail(const grpc::Status& s) {
  static const char* kNames[] = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  const int code = static_cast<int>(s.error_code());
  const char* name = code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
  std::cerr << "linecrewctl: " << name << ": " << s.error_message() << "\n";
  return 1;
}

template <class Enum, class Parse>
bool parse_enum(const std::string& text, const std::string& prefix, Parse parse, Enum* out) {
  std::string name = prefix;
  for (const char c : text) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return parse(name, out);
}

// Prints the board, then one line per change, until `seconds` pass (0: forever).
int watch_board(v1::DispatchService::Stub& stub, const Options& o, double seconds) {
  grpc::ClientContext ctx;
  if (!o.token.empty()) ctx.AddMetadata("authorization", "Bearer " + o.token);
  if (seconds > 0)
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  auto reader = stub.WatchBoard(&ctx, v1::WatchBoardRequest());
  v1::WatchBoardResponse msg;
  while (reader->Read(&msg)) {
    for (const auto& u : msg.updates()) {
      if (u.has_snapshot()) {
        std::vector<const v1::Ticket*> rows;
        for (const auto& t : u.snapshot().tickets()) rows.push_back(&t);
        std::cout << "board at sequence " << u.sequence() << ":\n";
        print_table(rows);
        std::vector<const v1::Crew*> crews;
        for (const auto& c : u.snapshot().crews()) crews.push_back(&c);
        print_crews(crews, false);
      } else if (u.has_ticket()) {
        std::cout << "#" << u.sequence() << " ticket " << u.ticket().id() << " " << status(u.ticket()) << " owner "
                  << (u.ticket().owner_crew_id().empty() ? "desk" : u.ticket().owner_crew_id()) << " deadline "
                  << utc(u.ticket().effective_deadline()) << "\n";
      } else if (u.has_crew()) {
        std::cout << "#" << u.sequence() << " crew " << u.crew().id() << (u.crew().on_shift() ? " on" : " off")
                  << " shift\n";
      } else if (!u.removed_ticket_id().empty()) {
        std::cout << "#" << u.sequence() << " ticket " << u.removed_ticket_id() << " left the board\n";
      }
    }
    std::cout << std::flush;
  }
  const grpc::Status s = reader->Finish();
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return 0;  // --for elapsed
  return s.ok() ? 0 : fail(s);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"linecrewctl: dispatcher command line for linecrew-server"};
  Options o;
  cli.add_option("--server", o.server, "server address HOST:PORT")->envname("LINECREW_SERVER");
  cli.add_option("--timeout", o.timeout_s, "deadline of each call, seconds");
  std::string token_file;
  cli.add_option("--token", o.token, "bearer token")->envname("LINECREW_TOKEN");
  cli.add_option("--token-file", token_file, "read the bearer token from this file (e.g. data/admin.token)")
      ->envname("LINECREW_TOKEN_FILE");
  cli.add_flag("--json", o.json, "print JSON instead of a table");
  cli.require_subcommand(1);

  auto* health = cli.add_subcommand("health", "ask the server's gRPC health service");

  auto* tickets = cli.add_subcommand("tickets", "outage tickets");
  tickets->require_subcommand(1);
  auto* add = tickets->add_subcommand("add", "report a fault (idempotent on --request-id)");
  v1::CreateTicketRequest create;
  std::string request_id, name, phone, address, channel = "hotline", first_contact, language;
  double lat = 0, lon = 0;
  unsigned priority = 0;
  std::vector<std::string> skills;
  add->add_option("--request-id", request_id, "idempotency key, e.g. hotline:call-88231")->required();
  add->add_option("--name", name, "customer name")->required();
  add->add_option("--phone", phone, "customer phone, e.g. +8613800138000")->required();
  add->add_option("--lat", lat, "fault latitude, WGS84 degrees")->required();
  add->add_option("--lon", lon, "fault longitude, WGS84 degrees")->required();
  add->add_option("--address", address, "address as told by the customer")->required();
  add->add_option("--channel", channel, "first-contact channel: hotline, service_counter, app, web");
  add->add_option("--first-contact", first_contact, "first contact time, e.g. 2026-11-22T14:05+08:00 (default now)");
  add->add_option("--priority", priority, "0 normal .. 9 highest");
  add->add_option("--skill", skills, "required skill (repeatable)");
  add->add_option("--language", language, "customer language: zh-CN (default) or en");

  auto* list = tickets->add_subcommand("list", "list tickets");
  std::vector<std::string> statuses, zones;
  std::string crew;
  list->add_option("--status", statuses, "filter by status (repeatable), e.g. reported");
  list->add_option("--zone", zones, "filter by zone class (repeatable): urban, rural, remote");
  list->add_option("--crew", crew, "filter by owning crew id");

  auto* show = tickets->add_subcommand("show", "one ticket with its timeline");
  std::string show_id;
  show->add_option("id", show_id, "ticket id")->required();

  auto* cancel = tickets->add_subcommand("cancel", "cancel a ticket not yet reached");
  std::string cancel_id, cancel_reason;
  cancel->add_option("id", cancel_id, "ticket id")->required();
  cancel->add_option("--reason", cancel_reason, "why, for the timeline")->required();
  auto* pin = tickets->add_subcommand("pin", "pin a ticket to a crew");
  std::string pin_id, pin_crew;
  pin->add_option("id", pin_id, "ticket id")->required();
  pin->add_option("crew", pin_crew, "crew id")->required();
  auto* unpin = tickets->add_subcommand("unpin", "remove a ticket's pin");
  std::string unpin_id;
  unpin->add_option("id", unpin_id, "ticket id")->required();

  auto* crews = cli.add_subcommand("crews", "repair crews");
  crews->require_subcommand(1);
  auto* crew_add = crews->add_subcommand("add", "register a crew (admin)");
  std::string crew_id, crew_name, crew_member, crew_staff, crew_phone, shift_start, shift_end;
  double home_lat = 0, home_lon = 0;
  std::vector<std::string> crew_skills;
  bool crew_on_shift = false;
  crew_add->add_option("id", crew_id, "crew id, e.g. C-07")->required();
  crew_add->add_option("--name", crew_name, "crew name")->required();
  crew_add->add_option("--member", crew_member, "first name of the member on the handheld")->required();
  crew_add->add_option("--staff-number", crew_staff, "that member's staff number")->required();
  crew_add->add_option("--home-lat", home_lat, "depot latitude")->required();
  crew_add->add_option("--home-lon", home_lon, "depot longitude")->required();
  crew_add->add_option("--shift-start", shift_start, "e.g. 2026-11-22T08:00+08:00")->required();
  crew_add->add_option("--shift-end", shift_end, "e.g. 2026-11-22T20:00+08:00")->required();
  crew_add->add_option("--skill", crew_skills, "skill (repeatable)");
  crew_add->add_option("--callback", crew_phone, "callback phone read to customers");
  crew_add->add_flag("--on-shift", crew_on_shift, "takes work now");
  auto* crew_list = crews->add_subcommand("list", "list crews");
  auto* crew_shift = crews->add_subcommand("shift", "put a crew on or off shift");
  std::string shift_crew, shift_state;
  crew_shift->add_option("id", shift_crew, "crew id")->required();
  crew_shift->add_option("state", shift_state, "on or off")->required()->check(CLI::IsMember({"on", "off"}));

  auto* board = cli.add_subcommand("board", "the live board: a snapshot, then every change");
  double board_seconds = 0;
  board->add_option("--for", board_seconds, "stop after this many seconds (default: until Ctrl-C)");

  auto* report = cli.add_subcommand("report", "on-time rates by zone, delay-notice compliance, violations, stalls");
  std::string report_from, report_to;
  bool report_csv = false;
  report->add_option("--from", report_from,
                     "range start (first contact), e.g. 2026-11-22T00:00+08:00 (default: 24 h ago)");
  report->add_option("--to", report_to, "range end, exclusive (default: now)");
  report->add_flag("--csv", report_csv, "CSV instead of tables");

  auto* tokens = cli.add_subcommand("tokens", "bearer tokens (admin)");
  tokens->require_subcommand(1);
  auto* issue = tokens->add_subcommand("issue", "issue a token; its secret is printed once");
  std::string issue_role, issue_crew, issue_label;
  issue->add_option("--role", issue_role, "dispatcher, admin or crew_device")->required();
  issue->add_option("--crew", issue_crew, "crew id (crew_device tokens)");
  issue->add_option("--label", issue_label, "who holds it, e.g. 'desk 3'")->required();
  auto* revoke = tokens->add_subcommand("revoke", "revoke a token by its id");
  std::string revoke_id;
  revoke->add_option("token_id", revoke_id, "tok_...")->required();

  CLI11_PARSE(cli, argc, argv);
  if (o.token.empty() && !token_file.empty()) {
    std::ifstream in(token_file);
    if (!(in >> o.token)) {
      std::cerr << "linecrewctl: --token-file: cannot read a token from " << token_file << "\n";
      return 2;
    }
  }

  // A storm's report lists every violation (tens of thousands, several MiB):
  // beyond gRPC's default 4-MiB receive limit.
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(kMaxResponseBytes);
  auto channel_ptr = grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(), channel_args);
  auto stub = v1::DispatchService::NewStub(channel_ptr);

  if (health->parsed()) {
    auto hstub = grpc::health::v1::Health::NewStub(channel_ptr);
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    const auto s = hstub->Check(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
    return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
  }

  if (add->parsed()) {
    create.set_client_request_id(request_id);
    create.mutable_customer()->set_name(name);
    create.mutable_customer()->set_phone(phone);
    create.mutable_customer()->set_language(language);
    create.mutable_location()->set_lat(lat);
    create.mutable_location()->set_lon(lon);
    create.set_address(address);
    create.set_priority(priority);
    v1::Channel ch;
    if (!parse_enum(channel, "CHANNEL_", v1::Channel_Parse, &ch)) {
      std::cerr << "linecrewctl: --channel: '" << channel << "' is not hotline, service_counter, app or web\n";
      return 2;
    }
    create.set_first_contact_channel(ch);
    if (!first_contact.empty()) {
      try {
        const auto t = linecrew::parse_utc(first_contact, "--first-contact");
        create.mutable_first_contact_time()->set_seconds(t.time_since_epoch().count());
      } catch (const linecrew::Error& e) {
        std::cerr << "linecrewctl: " << e.what() << "\n";
        return 2;
      }
    }
    for (const auto& s : skills) create.add_required_skills(s);
    v1::CreateTicketResponse resp;
    const auto s = stub->CreateTicket(context(o).get(), create, &resp);
    if (!s.ok()) return fail(s);
    if (o.json) {
      print_json(resp);
    } else {
      print_table({&resp.ticket()});
      if (!resp.created()) std::cout << "(already reported with this request id: nothing new stored)\n";
    }
    return 0;
  }

  if (list->parsed()) {
    v1::ListTicketsRequest req;
    for (const auto& st : statuses) {
      v1::TicketStatus v;
      if (!parse_enum(st, "TICKET_STATUS_", v1::TicketStatus_Parse, &v)) {
        std::cerr << "linecrewctl: --status: unknown status '" << st << "'\n";
        return 2;
      }
      req.add_statuses(v);
    }
    for (const auto& z : zones) {
      v1::ZoneClass v;
      if (!parse_enum(z, "ZONE_CLASS_", v1::ZoneClass_Parse, &v)) {
        std::cerr << "linecrewctl: --zone: '" << z << "' is not urban, rural or remote\n";
        return 2;
      }
      req.add_zone_classes(v);
    }
    req.set_crew_id(crew);
    req.set_page_size(1000);
    v1::ListTicketsResponse all;
    do {
      v1::ListTicketsResponse page;
      const auto s = stub->ListTickets(context(o).get(), req, &page);
      if (!s.ok()) return fail(s);
      for (auto& t : *page.mutable_tickets()) *all.add_tickets() = std::move(t);
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    if (o.json) {
      print_json(all);
    } else {
      std::vector<const v1::Ticket*> rows;
      for (const auto& t : all.tickets()) rows.push_back(&t);
      print_table(rows);
      std::cout << all.tickets_size() << " ticket(s)\n";
    }
    return 0;
  }

  if (issue->parsed()) {
    v1::IssueTokenRequest req;
    v1::Role role;
    if (!parse_enum(issue_role, "ROLE_", v1::Role_Parse, &role)) {
      std::cerr << "linecrewctl: --role: '" << issue_role << "' is not dispatcher, admin or crew_device\n";
      return 2;
    }
    req.set_role(role);
    req.set_crew_id(issue_crew);
    req.set_label(issue_label);
    v1::IssueTokenResponse resp;
    const auto s = stub->IssueToken(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    if (o.json) {
      print_json(resp);
    } else {
      std::cout << "token id: " << resp.token_id() << "\nsecret:   " << resp.secret()
                << "\nexpires:  " << utc(resp.expire_time()) << "\n(the secret is shown only now)\n";
    }
    return 0;
  }
  if (revoke->parsed()) {
    v1::RevokeTokenRequest req;
    req.set_token_id(revoke_id);
    v1::RevokeTokenResponse resp;
    const auto s = stub->RevokeToken(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    std::cout << "revoked " << revoke_id << " at " << utc(resp.revoke_time()) << "\n";
    return 0;
  }

  const auto print_ticket = [&](const v1::Ticket& t) {
    if (o.json) {
      print_json(t);
    } else {
      print_table({&t});
    }
  };
  if (cancel->parsed()) {
    v1::CancelTicketRequest req;
    req.set_ticket_id(cancel_id);
    req.set_reason(cancel_reason);
    v1::CancelTicketResponse resp;
    const auto s = stub->CancelTicket(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    print_ticket(resp.ticket());
    return 0;
  }
  if (pin->parsed()) {
    v1::PinTicketRequest req;
    req.set_ticket_id(pin_id);
    req.set_crew_id(pin_crew);
    v1::PinTicketResponse resp;
    const auto s = stub->PinTicket(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    print_ticket(resp.ticket());
    return 0;
  }
  if (unpin->parsed()) {
    v1::UnpinTicketRequest req;
    req.set_ticket_id(unpin_id);
    v1::UnpinTicketResponse resp;
    const auto s = stub->UnpinTicket(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    print_ticket(resp.ticket());
    return 0;
  }
  if (crew_add->parsed()) {
    v1::RegisterCrewRequest req;
    auto* c = req.mutable_crew();
    c->set_id(crew_id);
    c->set_name(crew_name);
    auto* m = c->add_members();
    m->set_first_name(crew_member);
    m->set_staff_number(crew_staff);
    for (const auto& sk : crew_skills) c->add_skills(sk);
    c->mutable_home_position()->set_lat(home_lat);
    c->mutable_home_position()->set_lon(home_lon);
    try {
      c->mutable_shift_start()->set_seconds(
          linecrew::parse_utc(shift_start, "--shift-start").time_since_epoch().count());
      c->mutable_shift_end()->set_seconds(linecrew::parse_utc(shift_end, "--shift-end").time_since_epoch().count());
    } catch (const linecrew::Error& e) {
      std::cerr << "linecrewctl: " << e.what() << "\n";
      return 2;
    }
    c->set_on_shift(crew_on_shift);
    c->set_callback_phone(crew_phone);
    v1::RegisterCrewResponse resp;
    const auto s = stub->RegisterCrew(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    print_crews({&resp.crew()}, o.json);
    return 0;
  }
  if (crew_list->parsed()) {
    v1::ListCrewsRequest req;
    req.set_page_size(1000);
    v1::ListCrewsResponse all;
    do {
      v1::ListCrewsResponse page;
      const auto s = stub->ListCrews(context(o).get(), req, &page);
      if (!s.ok()) return fail(s);
      for (auto& c : *page.mutable_crews()) *all.add_crews() = std::move(c);
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    std::vector<const v1::Crew*> rows;
    for (const auto& c : all.crews()) rows.push_back(&c);
    print_crews(rows, o.json);
    return 0;
  }
  if (crew_shift->parsed()) {
    v1::SetCrewShiftRequest req;
    req.set_crew_id(shift_crew);
    req.set_on_shift(shift_state == "on");
    v1::SetCrewShiftResponse resp;
    const auto s = stub->SetCrewShift(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    print_crews({&resp.crew()}, o.json);
    for (const auto& id : resp.released_ticket_ids()) std::cout << "released to the desk: " << id << "\n";
    return 0;
  }
  if (board->parsed()) return watch_board(*stub, o, board_seconds);
  if (report->parsed()) {
    v1::GetReportRequest req;
    try {
      const auto now = std::chrono::floor<linecrew::Duration>(std::chrono::system_clock::now());
      const auto from = report_from.empty() ? now - linecrew::hours(24) : linecrew::parse_utc(report_from, "--from");
      const auto to = report_to.empty() ? now + linecrew::seconds(1) : linecrew::parse_utc(report_to, "--to");
      req.mutable_from()->set_seconds(from.time_since_epoch().count());
      req.mutable_to()->set_seconds(to.time_since_epoch().count());
    } catch (const linecrew::Error& e) {
      std::cerr << "linecrewctl: " << e.what() << "\n";
      return 2;
    }
    v1::GetReportResponse resp;
    const auto s = stub->GetReport(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    if (o.json) {
      print_json(resp);
    } else {
      print_report(resp, report_csv);
    }
    return 0;
  }

  if (show->parsed()) {
    v1::GetTicketRequest req;
    req.set_ticket_id(show_id);
    v1::GetTicketResponse resp;
    const auto s = stub->GetTicket(context(o).get(), req, &resp);
    if (!s.ok()) return fail(s);
    if (o.json) {
      print_json(resp);
      return 0;
    }
    const v1::Ticket& t = resp.ticket();
    print_table({&t});
    std::cout << "customer: " << t.customer().name() << " " << t.customer().phone() << "\n"
              << "effective deadline: " << utc(t.effective_deadline()) << "\n"
              << "compliance: " << lower_enum(v1::Compliance_Name(t.compliance().compliance()), "COMPLIANCE_") << " ("
              << t.compliance().reason() << ")\n"
              << "timeline:\n";
    for (const auto& e : t.timeline())
      std::cout << "  " << utc(e.time()) << "  " << lower_enum(v1::TicketEventKind_Name(e.kind()), "TICKET_EVENT_KIND_")
                << "  " << e.actor() << "  " << e.detail() << "\n";
    return 0;
  }
  return 0;
}
