// linecrewctl: the dispatcher's command line.
//   linecrewctl [--server HOST:PORT] health
//   linecrewctl tickets add --request-id ID --name N --phone P --lat LAT --lon LON --address A [...]
//   linecrewctl tickets list [--status S]... [--zone Z]... [--crew C] [--json]
//   linecrewctl tickets show ID [--json]
//
// One function per subcommand (cmd_*), each with its own arguments; define_*
// declares a subcommand's flags and adds it to the dispatch table that main()
// runs the parsed one from.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <functional>
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

// --- shared: options, connection, errors ---------------------------------------

struct Options {
  std::string server = "127.0.0.1:50051";
  std::string token;  // bearer secret
  double timeout_s = 10;
  bool json = false;
};

// The server a command talks to.
struct Connection {
  Options o;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::DispatchService::Stub> stub;
};

Connection connect(const Options& o) {
  // A storm's report lists every violation (tens of thousands, several MiB):
  // beyond gRPC's default 4-MiB receive limit.
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(kMaxResponseBytes);
  Connection c{o, grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(), channel_args), nullptr};
  c.stub = v1::DispatchService::NewStub(c.channel);
  return c;
}

// --token-file, unless --token was given: 0, or 2 (message printed) when unreadable.
int read_token_file(Options& o, const std::string& token_file) {
  if (!o.token.empty() || token_file.empty()) return 0;
  std::ifstream in(token_file);
  if (!(in >> o.token)) {
    std::cerr << "linecrewctl: --token-file: cannot read a token from " << token_file << "\n";
    return 2;
  }
  return 0;
}

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

// A bad argument found after parsing: the message, exit code 2.
int usage_error(const std::string& message) {
  std::cerr << "linecrewctl: " << message << "\n";
  return 2;
}

template <class Enum, class Parse>
bool parse_enum(const std::string& text, const std::string& prefix, Parse parse, Enum* out) {
  std::string name = prefix;
  for (const char c : text) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return parse(name, out);
}

void print_ticket(const v1::Ticket& t, bool json) {
  if (json) {
    print_json(t);
  } else {
    print_table({&t});
  }
}

// The dispatch table: the parsed subcommand's entry runs.
struct Command {
  CLI::App* app;
  std::function<int(const Connection&)> run;
};
using Commands = std::vector<Command>;

// --- health ------------------------------------------------------------------

int cmd_health(const Connection& c) {
  auto hstub = grpc::health::v1::Health::NewStub(c.channel);
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  const auto s = hstub->Check(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

void define_health(CLI::App& cli, Commands& table) {
  auto* health = cli.add_subcommand("health", "ask the server's gRPC health service");
  table.push_back({health, cmd_health});
}

// --- tickets -----------------------------------------------------------------

struct TicketAddArgs {
  std::string request_id, name, phone, address, channel = "hotline", first_contact, language;
  double lat = 0, lon = 0;
  unsigned priority = 0;
  std::vector<std::string> skills;
  std::string kind, appointment, earliest_start, notice_delivered, notice_method = "in_person", notice_by;
};

// Sets `*out` from a time given on the command line; false (message printed) when it does not parse.
bool set_time(const std::string& text, const char* flag, google::protobuf::Timestamp* out) {
  try {
    out->set_seconds(linecrew::parse_utc(text, flag).time_since_epoch().count());
    return true;
  } catch (const linecrew::Error& e) {
    usage_error(e.what());
    return false;
  }
}

// --kind, --appointment, --earliest-start and the disconnection notice; 2 for a bad value.
int ticket_kind_request(const TicketAddArgs& a, v1::CreateTicketRequest& create) {
  if (!a.kind.empty()) {
    v1::TicketKind kind;
    if (!parse_enum(a.kind, "TICKET_KIND_", v1::TicketKind_Parse, &kind))
      return usage_error("--kind: '" + a.kind +
                         "' is not fault_repair, scheduled_visit, return_visit or disconnection");
    create.set_kind(kind);
  }
  if (!a.appointment.empty() && !set_time(a.appointment, "--appointment", create.mutable_appointment_time())) return 2;
  if (!a.earliest_start.empty() && !set_time(a.earliest_start, "--earliest-start", create.mutable_earliest_start()))
    return 2;
  if (a.notice_delivered.empty()) return 0;
  auto* n = create.mutable_disconnection_notice();
  if (!set_time(a.notice_delivered, "--notice-delivered", n->mutable_delivered_time())) return 2;
  v1::NoticeDeliveryMethod method;
  if (!parse_enum(a.notice_method, "NOTICE_DELIVERY_METHOD_", v1::NoticeDeliveryMethod_Parse, &method))
    return usage_error("--notice-method: '" + a.notice_method +
                       "' is not in_person, posted_at_premises, registered_mail or sms");
  n->set_method(method);
  n->set_delivered_by(a.notice_by);
  return 0;
}

// The CreateTicketRequest of `tickets add`; 2 (message printed) for a bad --channel or --first-contact.
int ticket_request(const TicketAddArgs& a, v1::CreateTicketRequest& create) {
  create.set_client_request_id(a.request_id);
  create.mutable_customer()->set_name(a.name);
  create.mutable_customer()->set_phone(a.phone);
  create.mutable_customer()->set_language(a.language);
  create.mutable_location()->set_lat(a.lat);
  create.mutable_location()->set_lon(a.lon);
  create.set_address(a.address);
  create.set_priority(a.priority);
  v1::Channel ch;
  if (!parse_enum(a.channel, "CHANNEL_", v1::Channel_Parse, &ch))
    return usage_error("--channel: '" + a.channel + "' is not hotline, service_counter, app or web");
  create.set_first_contact_channel(ch);
  if (!a.first_contact.empty() && !set_time(a.first_contact, "--first-contact", create.mutable_first_contact_time()))
    return 2;
  for (const auto& s : a.skills) create.add_required_skills(s);
  return ticket_kind_request(a, create);
}

int cmd_tickets_add(const Connection& c, const TicketAddArgs& a) {
  v1::CreateTicketRequest create;
  if (const int rc = ticket_request(a, create); rc != 0) return rc;
  v1::CreateTicketResponse resp;
  const auto s = c.stub->CreateTicket(context(c.o).get(), create, &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    print_json(resp);
  } else {
    print_table({&resp.ticket()});
    if (!resp.created()) std::cout << "(already reported with this request id: nothing new stored)\n";
  }
  return 0;
}

void define_tickets_add(CLI::App& tickets, TicketAddArgs& a, Commands& table) {
  auto* add = tickets.add_subcommand("add", "report a fault (idempotent on --request-id)");
  add->add_option("--request-id", a.request_id, "idempotency key, e.g. hotline:call-88231")->required();
  add->add_option("--name", a.name, "customer name")->required();
  add->add_option("--phone", a.phone, "customer phone: +8613800138000, or national in phone_region")->required();
  add->add_option("--lat", a.lat, "fault latitude, WGS84 degrees")->required();
  add->add_option("--lon", a.lon, "fault longitude, WGS84 degrees")->required();
  add->add_option("--address", a.address, "address as told by the customer")->required();
  add->add_option("--channel", a.channel, "first-contact channel: hotline, service_counter, app, web");
  add->add_option("--first-contact", a.first_contact, "first contact time, e.g. 2026-11-22T14:05+08:00 (default now)");
  add->add_option("--priority", a.priority, "0 normal .. 9 highest");
  add->add_option("--skill", a.skills, "required skill (repeatable)");
  add->add_option("--language", a.language, "customer language: zh-CN (default) or en");
  add->add_option("--kind", a.kind, "fault_repair (default), scheduled_visit, return_visit, disconnection");
  add->add_option("--appointment", a.appointment, "agreed time (scheduled and return visits, disconnections)");
  add->add_option("--earliest-start", a.earliest_start, "not before (disconnection: default notice + 7 days)");
  add->add_option("--notice-delivered", a.notice_delivered, "disconnection: when the notice was delivered");
  add->add_option("--notice-method", a.notice_method, "in_person, posted_at_premises, registered_mail, sms");
  add->add_option("--notice-by", a.notice_by, "disconnection: who delivered the notice");
  table.push_back({add, [&a](const Connection& c) { return cmd_tickets_add(c, a); }});
}

struct TicketListArgs {
  std::vector<std::string> statuses, zones;
  std::string crew, fault;
};

// The ListTicketsRequest of `tickets list`; 2 (message printed) for a bad --status or --zone.
int list_request(const TicketListArgs& a, v1::ListTicketsRequest& req) {
  for (const auto& st : a.statuses) {
    v1::TicketStatus v;
    if (!parse_enum(st, "TICKET_STATUS_", v1::TicketStatus_Parse, &v))
      return usage_error("--status: unknown status '" + st + "'");
    req.add_statuses(v);
  }
  for (const auto& z : a.zones) {
    v1::ZoneClass v;
    if (!parse_enum(z, "ZONE_CLASS_", v1::ZoneClass_Parse, &v))
      return usage_error("--zone: '" + z + "' is not urban, rural or remote");
    req.add_zone_classes(v);
  }
  req.set_crew_id(a.crew);
  req.set_fault_ticket_id(a.fault);
  req.set_page_size(1000);
  return 0;
}

int cmd_tickets_list(const Connection& c, const TicketListArgs& a) {
  v1::ListTicketsRequest req;
  if (const int rc = list_request(a, req); rc != 0) return rc;
  v1::ListTicketsResponse all;
  do {
    v1::ListTicketsResponse page;
    const auto s = c.stub->ListTickets(context(c.o).get(), req, &page);
    if (!s.ok()) return fail(s);
    for (auto& t : *page.mutable_tickets()) *all.add_tickets() = std::move(t);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (c.o.json) {
    print_json(all);
  } else {
    std::vector<const v1::Ticket*> rows;
    for (const auto& t : all.tickets()) rows.push_back(&t);
    print_table(rows);
    std::cout << all.tickets_size() << " ticket(s)\n";
  }
  return 0;
}

void define_tickets_list(CLI::App& tickets, TicketListArgs& a, Commands& table) {
  auto* list = tickets.add_subcommand("list", "list tickets");
  list->add_option("--status", a.statuses, "filter by status (repeatable), e.g. reported");
  list->add_option("--zone", a.zones, "filter by zone class (repeatable): urban, rural, remote");
  list->add_option("--crew", a.crew, "filter by owning crew id");
  list->add_option("--fault", a.fault, "only the tickets linked to this one as the same fault");
  table.push_back({list, [&a](const Connection& c) { return cmd_tickets_list(c, a); }});
}

int cmd_tickets_show(const Connection& c, const std::string& id) {
  v1::GetTicketRequest req;
  req.set_ticket_id(id);
  v1::GetTicketResponse resp;
  const auto s = c.stub->GetTicket(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    print_json(resp);
    return 0;
  }
  const v1::Ticket& t = resp.ticket();
  print_table({&t});
  std::cout << "customer: " << t.customer().name() << " " << t.customer().phone() << "\n"
            << "effective deadline: " << utc(t.effective_deadline()) << "\n"
            << "compliance: " << lower_enum(v1::Compliance_Name(t.compliance().compliance()), "COMPLIANCE_") << " ("
            << t.compliance().reason() << ")\n";
  if (!t.fault_ticket_id().empty()) std::cout << "same fault as: " << t.fault_ticket_id() << " (its crew comes)\n";
  if (t.fault_callers() > 0) std::cout << "callers linked to this fault: " << t.fault_callers() << "\n";
  std::cout << "timeline:\n";
  for (const auto& e : t.timeline())
    std::cout << "  " << utc(e.time()) << "  " << lower_enum(v1::TicketEventKind_Name(e.kind()), "TICKET_EVENT_KIND_")
              << "  " << e.actor() << "  " << e.detail() << "\n";
  return 0;
}

int cmd_tickets_cancel(const Connection& c, const std::string& id, const std::string& reason) {
  v1::CancelTicketRequest req;
  req.set_ticket_id(id);
  req.set_reason(reason);
  v1::CancelTicketResponse resp;
  const auto s = c.stub->CancelTicket(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_ticket(resp.ticket(), c.o.json);
  return 0;
}

int cmd_tickets_pin(const Connection& c, const std::string& id, const std::string& crew) {
  v1::PinTicketRequest req;
  req.set_ticket_id(id);
  req.set_crew_id(crew);
  v1::PinTicketResponse resp;
  const auto s = c.stub->PinTicket(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_ticket(resp.ticket(), c.o.json);
  return 0;
}

int cmd_tickets_unpin(const Connection& c, const std::string& id) {
  v1::UnpinTicketRequest req;
  req.set_ticket_id(id);
  v1::UnpinTicketResponse resp;
  const auto s = c.stub->UnpinTicket(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_ticket(resp.ticket(), c.o.json);
  return 0;
}

// Links a caller's ticket to the ticket standing for its fault, or unlinks it (`fault` empty).
int cmd_tickets_link(const Connection& c, const std::string& id, const std::string& fault) {
  v1::LinkTicketRequest req;
  req.set_ticket_id(id);
  req.set_fault_ticket_id(fault);
  v1::LinkTicketResponse resp;
  const auto s = c.stub->LinkTicket(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_ticket(resp.ticket(), c.o.json);
  return 0;
}

// show, cancel, pin, unpin, link and unlink: one ticket by its id.
struct TicketEditArgs {
  std::string show_id, cancel_id, cancel_reason, pin_id, pin_crew, unpin_id, link_id, link_fault, unlink_id;
};

void define_tickets_edit(CLI::App& tickets, TicketEditArgs& a, Commands& table) {
  auto* show = tickets.add_subcommand("show", "one ticket with its timeline");
  show->add_option("id", a.show_id, "ticket id")->required();
  table.push_back({show, [&a](const Connection& c) { return cmd_tickets_show(c, a.show_id); }});

  auto* cancel = tickets.add_subcommand("cancel", "cancel a ticket not yet reached");
  cancel->add_option("id", a.cancel_id, "ticket id")->required();
  cancel->add_option("--reason", a.cancel_reason, "why, for the timeline")->required();
  table.push_back({cancel, [&a](const Connection& c) { return cmd_tickets_cancel(c, a.cancel_id, a.cancel_reason); }});

  auto* pin = tickets.add_subcommand("pin", "pin a ticket to a crew");
  pin->add_option("id", a.pin_id, "ticket id")->required();
  pin->add_option("crew", a.pin_crew, "crew id")->required();
  table.push_back({pin, [&a](const Connection& c) { return cmd_tickets_pin(c, a.pin_id, a.pin_crew); }});

  auto* unpin = tickets.add_subcommand("unpin", "remove a ticket's pin");
  unpin->add_option("id", a.unpin_id, "ticket id")->required();
  table.push_back({unpin, [&a](const Connection& c) { return cmd_tickets_unpin(c, a.unpin_id); }});

  auto* link = tickets.add_subcommand("link", "link a caller's ticket to the ticket of the same fault (rules §7)");
  link->add_option("id", a.link_id, "the caller's ticket id")->required();
  link->add_option("fault", a.link_fault, "the ticket standing for the fault")->required();
  table.push_back({link, [&a](const Connection& c) { return cmd_tickets_link(c, a.link_id, a.link_fault); }});

  auto* unlink = tickets.add_subcommand("unlink", "unlink a ticket from its fault: planned on its own");
  unlink->add_option("id", a.unlink_id, "ticket id")->required();
  table.push_back({unlink, [&a](const Connection& c) { return cmd_tickets_link(c, a.unlink_id, ""); }});
}

struct TicketArgs {
  TicketAddArgs add;
  TicketListArgs list;
  TicketEditArgs edit;
};

void define_tickets(CLI::App& cli, TicketArgs& a, Commands& table) {
  auto* tickets = cli.add_subcommand("tickets", "outage tickets");
  tickets->require_subcommand(1);
  define_tickets_add(*tickets, a.add, table);
  define_tickets_list(*tickets, a.list, table);
  define_tickets_edit(*tickets, a.edit, table);
}

// --- crews -------------------------------------------------------------------

struct CrewAddArgs {
  std::string id, name, member, staff, phone, shift_start, shift_end;
  double home_lat = 0, home_lon = 0;
  std::vector<std::string> skills;
  bool on_shift = false;
};

int cmd_crews_add(const Connection& conn, const CrewAddArgs& a) {
  v1::RegisterCrewRequest req;
  auto* c = req.mutable_crew();
  c->set_id(a.id);
  c->set_name(a.name);
  auto* m = c->add_members();
  m->set_first_name(a.member);
  m->set_staff_number(a.staff);
  for (const auto& sk : a.skills) c->add_skills(sk);
  c->mutable_home_position()->set_lat(a.home_lat);
  c->mutable_home_position()->set_lon(a.home_lon);
  try {
    c->mutable_shift_start()->set_seconds(
        linecrew::parse_utc(a.shift_start, "--shift-start").time_since_epoch().count());
    c->mutable_shift_end()->set_seconds(linecrew::parse_utc(a.shift_end, "--shift-end").time_since_epoch().count());
  } catch (const linecrew::Error& e) {
    return usage_error(e.what());
  }
  c->set_on_shift(a.on_shift);
  c->set_callback_phone(a.phone);
  v1::RegisterCrewResponse resp;
  const auto s = conn.stub->RegisterCrew(context(conn.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_crews({&resp.crew()}, conn.o.json);
  return 0;
}

void define_crews_add(CLI::App& crews, CrewAddArgs& a, Commands& table) {
  auto* crew_add = crews.add_subcommand("add", "register a crew (admin)");
  crew_add->add_option("id", a.id, "crew id, e.g. C-07")->required();
  crew_add->add_option("--name", a.name, "crew name")->required();
  crew_add->add_option("--member", a.member, "first name of the member on the handheld")->required();
  crew_add->add_option("--staff-number", a.staff, "that member's staff number")->required();
  crew_add->add_option("--home-lat", a.home_lat, "depot latitude")->required();
  crew_add->add_option("--home-lon", a.home_lon, "depot longitude")->required();
  crew_add->add_option("--shift-start", a.shift_start, "e.g. 2026-11-22T08:00+08:00")->required();
  crew_add->add_option("--shift-end", a.shift_end, "e.g. 2026-11-22T20:00+08:00")->required();
  crew_add->add_option("--skill", a.skills, "skill (repeatable)");
  crew_add->add_option("--callback", a.phone, "callback phone read to customers (as --phone)");
  crew_add->add_flag("--on-shift", a.on_shift, "takes work now");
  table.push_back({crew_add, [&a](const Connection& c) { return cmd_crews_add(c, a); }});
}

int cmd_crews_list(const Connection& conn) {
  v1::ListCrewsRequest req;
  req.set_page_size(1000);
  v1::ListCrewsResponse all;
  do {
    v1::ListCrewsResponse page;
    const auto s = conn.stub->ListCrews(context(conn.o).get(), req, &page);
    if (!s.ok()) return fail(s);
    for (auto& c : *page.mutable_crews()) *all.add_crews() = std::move(c);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  std::vector<const v1::Crew*> rows;
  for (const auto& c : all.crews()) rows.push_back(&c);
  print_crews(rows, conn.o.json);
  return 0;
}

int cmd_crews_shift(const Connection& conn, const std::string& crew, const std::string& state) {
  v1::SetCrewShiftRequest req;
  req.set_crew_id(crew);
  req.set_on_shift(state == "on");
  v1::SetCrewShiftResponse resp;
  const auto s = conn.stub->SetCrewShift(context(conn.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_crews({&resp.crew()}, conn.o.json);
  for (const auto& id : resp.released_ticket_ids()) std::cout << "released to the desk: " << id << "\n";
  return 0;
}

struct CrewArgs {
  CrewAddArgs add;
  std::string shift_crew, shift_state;
};

void define_crews(CLI::App& cli, CrewArgs& a, Commands& table) {
  auto* crews = cli.add_subcommand("crews", "repair crews");
  crews->require_subcommand(1);
  define_crews_add(*crews, a.add, table);
  auto* crew_list = crews->add_subcommand("list", "list crews");
  table.push_back({crew_list, cmd_crews_list});
  auto* crew_shift = crews->add_subcommand("shift", "put a crew on or off shift");
  crew_shift->add_option("id", a.shift_crew, "crew id")->required();
  crew_shift->add_option("state", a.shift_state, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  table.push_back({crew_shift, [&a](const Connection& c) { return cmd_crews_shift(c, a.shift_crew, a.shift_state); }});
}

// --- board -------------------------------------------------------------------

// One board update as a line (the snapshot as tables).
void print_board_update(const v1::BoardUpdate& u) {
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
    for (const auto& e : u.ticket().escalations())
      if (e.state() == v1::ESCALATION_STATE_OPEN)
        std::cout << "  escalation " << e.id() << " "
                  << lower_enum(v1::EscalationKind_Name(e.kind()), "ESCALATION_KIND_") << ": " << e.detail() << "\n";
  } else if (u.has_crew()) {
    std::cout << "#" << u.sequence() << " crew " << u.crew().id() << (u.crew().on_shift() ? " on" : " off")
              << " shift\n";
  } else if (!u.removed_ticket_id().empty()) {
    std::cout << "#" << u.sequence() << " ticket " << u.removed_ticket_id() << " left the board\n";
  }
}

// Prints the board, then one line per change, until `seconds` pass (0: forever).
int cmd_board(const Connection& c, double seconds) {
  grpc::ClientContext ctx;
  if (!c.o.token.empty()) ctx.AddMetadata("authorization", "Bearer " + c.o.token);
  if (seconds > 0)
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  auto reader = c.stub->WatchBoard(&ctx, v1::WatchBoardRequest());
  v1::WatchBoardResponse msg;
  while (reader->Read(&msg)) {
    for (const auto& u : msg.updates()) print_board_update(u);
    std::cout << std::flush;
  }
  const grpc::Status s = reader->Finish();
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return 0;  // --for elapsed
  return s.ok() ? 0 : fail(s);
}

void define_board(CLI::App& cli, double& seconds, Commands& table) {
  auto* board = cli.add_subcommand("board", "the live board: a snapshot, then every change");
  board->add_option("--for", seconds, "stop after this many seconds (default: until Ctrl-C)");
  table.push_back({board, [&seconds](const Connection& c) { return cmd_board(c, seconds); }});
}

// --- report ------------------------------------------------------------------

struct ReportArgs {
  std::string from, to;
  bool csv = false;
};

int cmd_report(const Connection& c, const ReportArgs& a) {
  v1::GetReportRequest req;
  try {
    const auto now = std::chrono::floor<linecrew::Duration>(std::chrono::system_clock::now());
    const auto from = a.from.empty() ? now - linecrew::hours(24) : linecrew::parse_utc(a.from, "--from");
    const auto to = a.to.empty() ? now + linecrew::seconds(1) : linecrew::parse_utc(a.to, "--to");
    req.mutable_from()->set_seconds(from.time_since_epoch().count());
    req.mutable_to()->set_seconds(to.time_since_epoch().count());
  } catch (const linecrew::Error& e) {
    return usage_error(e.what());
  }
  v1::GetReportResponse resp;
  const auto s = c.stub->GetReport(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    print_json(resp);
  } else {
    print_report(resp, a.csv);
  }
  return 0;
}

void define_report(CLI::App& cli, ReportArgs& a, Commands& table) {
  auto* report = cli.add_subcommand("report", "on-time rates by zone, delay-notice compliance, violations, stalls");
  report->add_option("--from", a.from, "range start (first contact), e.g. 2026-11-22T00:00+08:00 (default: 24 h ago)");
  report->add_option("--to", a.to, "range end, exclusive (default: now)");
  report->add_flag("--csv", a.csv, "CSV instead of tables");
  table.push_back({report, [&a](const Connection& c) { return cmd_report(c, a); }});
}

// Every page of a List* call (`call(req, resp)` per page), then its rows
// (`rows_of(page)`) printed: JSON lines, or the table `print` draws.
template <class Resp, class Req, class Call, class Rows, class Print>
int list_all(const Connection& c, Req req, Call call, Rows rows_of, Print print) {
  req.set_page_size(1000);
  std::vector<Resp> pages;
  do {
    Resp resp;
    const auto s = call(req, resp);
    if (!s.ok()) return fail(s);
    req.set_page_token(resp.next_page_token());
    pages.push_back(std::move(resp));
  } while (!req.page_token().empty());
  using Row = std::remove_cvref_t<decltype(*rows_of(pages.front()).begin())>;
  std::vector<const Row*> rows;
  for (const auto& p : pages)
    for (const auto& r : rows_of(p)) rows.push_back(&r);
  if (c.o.json) {
    for (const Row* r : rows) print_json(*r);
  } else {
    print(rows);
  }
  return 0;
}

// One record the server answered with: JSON, or the table `print` draws.
template <class Row, class Print>
int print_one(const Connection& c, const Row& row, Print print) {
  if (c.o.json) {
    print_json(row);
  } else {
    print(std::vector<const Row*>{&row});
  }
  return 0;
}

// --- escalations -------------------------------------------------------------

struct EscalationArgs {
  bool all = false;
  std::vector<std::string> kinds;
  std::string ticket, ack_id, resolve_id, note;
};

int cmd_escalations_list(const Connection& c, const EscalationArgs& a) {
  v1::ListEscalationsRequest req;
  if (a.all)
    for (const auto st : {v1::ESCALATION_STATE_OPEN, v1::ESCALATION_STATE_ACKNOWLEDGED, v1::ESCALATION_STATE_RESOLVED})
      req.add_states(st);
  for (const std::string& k : a.kinds) {
    v1::EscalationKind kind;
    if (!parse_enum(k, "ESCALATION_KIND_", v1::EscalationKind_Parse, &kind))
      return usage_error("--kind: '" + k + "' is not an escalation kind (e.g. delay_call_refused, stalled)");
    req.add_kinds(kind);
  }
  req.set_ticket_id(a.ticket);
  return list_all<v1::ListEscalationsResponse>(
      c, req, [&](const auto& q, auto& r) { return c.stub->ListEscalations(context(c.o).get(), q, &r); },
      [](const auto& p) -> const auto& { return p.escalations(); }, print_escalations);
}

// Acknowledge (note empty) or resolve one escalation, and print it.
int cmd_escalations_answer(const Connection& c, const std::string& id, const std::string* note) {
  grpc::Status s;
  v1::Escalation out;
  if (!note) {
    v1::AcknowledgeEscalationRequest req;
    req.set_escalation_id(id);
    v1::AcknowledgeEscalationResponse resp;
    s = c.stub->AcknowledgeEscalation(context(c.o).get(), req, &resp);
    out = resp.escalation();
  } else {
    v1::ResolveEscalationRequest req;
    req.set_escalation_id(id);
    req.set_note(*note);
    v1::ResolveEscalationResponse resp;
    s = c.stub->ResolveEscalation(context(c.o).get(), req, &resp);
    out = resp.escalation();
  }
  if (!s.ok()) return fail(s);
  return print_one(c, out, print_escalations);
}

void define_escalations(CLI::App& cli, EscalationArgs& a, Commands& table) {
  auto* esc = cli.add_subcommand("escalations", "tickets the desk must act on: refused calls, stalls, ...");
  esc->require_subcommand(1);
  auto* list = esc->add_subcommand("list", "the desk's queue: open and acknowledged escalations");
  list->add_flag("--all", a.all, "resolved ones too");
  list->add_option("--kind", a.kinds, "only this kind (repeatable), e.g. delay_call_refused");
  list->add_option("--ticket", a.ticket, "only this ticket's");
  table.push_back({list, [&a](const Connection& c) { return cmd_escalations_list(c, a); }});
  auto* ack = esc->add_subcommand("ack", "acknowledge: the desk has it");
  ack->add_option("id", a.ack_id, "escalation id, e.g. T-000123/1")->required();
  table.push_back({ack, [&a](const Connection& c) { return cmd_escalations_answer(c, a.ack_id, nullptr); }});
  auto* resolve = esc->add_subcommand("resolve", "resolve with a note of what was done");
  resolve->add_option("id", a.resolve_id, "escalation id")->required();
  resolve->add_option("--note", a.note, "what the desk did (recorded)")->required();
  table.push_back({resolve, [&a](const Connection& c) { return cmd_escalations_answer(c, a.resolve_id, &a.note); }});
}

// --- follow-ups and complaints (rules §7) ------------------------------------

struct FollowUpArgs {
  bool all = false, overdue = false;
  std::string ticket;
  std::string add_ticket, promise, due;
  std::string script_id, team, staff;
  std::string record_id, outcome, note, request, reply_by;
};

int cmd_follow_ups_list(const Connection& c, const FollowUpArgs& a) {
  v1::ListFollowUpsRequest req;
  req.set_include_done(a.all);
  req.set_overdue_only(a.overdue);
  req.set_ticket_id(a.ticket);
  return list_all<v1::ListFollowUpsResponse>(
      c, req, [&](const auto& q, auto& r) { return c.stub->ListFollowUps(context(c.o).get(), q, &r); },
      [](const auto& p) -> const auto& { return p.follow_ups(); }, print_follow_ups);
}

int cmd_follow_ups_add(const Connection& c, const FollowUpArgs& a) {
  v1::AddFollowUpRequest req;
  req.set_ticket_id(a.add_ticket);
  req.set_promise(a.promise);
  if (!a.due.empty() && !set_time(a.due, "--due", req.mutable_due_time())) return 2;
  v1::AddFollowUpResponse resp;
  const auto s = c.stub->AddFollowUp(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  return print_one(c, resp.follow_up(), print_follow_ups);
}

int cmd_follow_ups_script(const Connection& c, const FollowUpArgs& a) {
  v1::GetFollowUpScriptRequest req;
  req.set_follow_up_id(a.script_id);
  req.set_team(a.team);
  req.set_staff_number(a.staff);
  v1::GetFollowUpScriptResponse resp;
  const auto s = c.stub->GetFollowUpScript(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    print_json(resp);
    return 0;
  }
  std::cout << "follow-up call " << a.script_id << " (" << resp.language() << "), call from "
            << utc(resp.next_call_time()) << "\n";
  for (int i = 0; i < resp.steps_size(); ++i) std::cout << "  " << i + 1 << ". " << resp.steps(i) << "\n";
  for (const auto& g : resp.guardrails()) std::cout << "  ! " << g << "\n";
  std::cout << "  answers:";
  for (const auto& ans : resp.answers()) std::cout << " [" << ans << "]";
  std::cout << "\n";
  return 0;
}

int cmd_follow_ups_record(const Connection& c, const FollowUpArgs& a) {
  v1::RecordFollowUpRequest req;
  req.set_follow_up_id(a.record_id);
  v1::FollowUpOutcome outcome;
  if (!parse_enum(a.outcome, "FOLLOW_UP_OUTCOME_", v1::FollowUpOutcome_Parse, &outcome) ||
      outcome == v1::FOLLOW_UP_OUTCOME_UNSPECIFIED)
    return usage_error("--outcome: '" + a.outcome + "' is not satisfied, not_satisfied, new_request or unreachable");
  req.set_outcome(outcome);
  req.set_note(a.note);
  req.set_new_request(a.request);
  if (!a.reply_by.empty() && !set_time(a.reply_by, "--reply-by", req.mutable_reply_by_time())) return 2;
  v1::RecordFollowUpResponse resp;
  const auto s = c.stub->RecordFollowUp(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    print_json(resp);
    return 0;
  }
  std::vector<const v1::FollowUp*> rows = {&resp.follow_up()};
  if (resp.has_opened()) rows.push_back(&resp.opened());
  print_follow_ups(rows);
  return 0;
}

void define_follow_ups(CLI::App& cli, FollowUpArgs& a, Commands& table) {
  auto* fu = cli.add_subcommand("follow-ups", "follow-up calls (回访) owed to customers: after restoration, promises");
  fu->require_subcommand(1);
  auto* list = fu->add_subcommand("list", "the desk's queue: follow-ups owed");
  list->add_flag("--all", a.all, "done ones too");
  list->add_flag("--overdue", a.overdue, "only those past their reply time");
  list->add_option("--ticket", a.ticket, "only this ticket's");
  table.push_back({list, [&a](const Connection& c) { return cmd_follow_ups_list(c, a); }});
  auto* add = fu->add_subcommand("add", "record a promise made to a customer: a follow-up owed");
  add->add_option("ticket", a.add_ticket, "ticket id")->required();
  add->add_option("--promise", a.promise, "what was promised")->required();
  add->add_option("--due", a.due,
                  "reply time promised, e.g. 2026-12-04T10:00+08:00 (default: the policy's follow-up time, 48 h)");
  table.push_back({add, [&a](const Connection& c) { return cmd_follow_ups_add(c, a); }});
  auto* script = fu->add_subcommand("script", "the call script for a follow-up, in the customer's language");
  script->add_option("id", a.script_id, "follow-up id, e.g. T-000123/F1")->required();
  script->add_option("--team", a.team, "your team, read out in the introduction");
  script->add_option("--staff", a.staff, "your staff number, read out in the introduction");
  table.push_back({script, [&a](const Connection& c) { return cmd_follow_ups_script(c, a); }});
  auto* record = fu->add_subcommand("record", "record a follow-up call's outcome");
  record->add_option("id", a.record_id, "follow-up id")->required();
  record->add_option("--outcome", a.outcome, "satisfied, not_satisfied, new_request or unreachable")->required();
  record->add_option("--note", a.note, "what was said");
  record->add_option("--request", a.request, "new_request: what the customer asked");
  record->add_option("--reply-by", a.reply_by,
                     "new_request: the reply time agreed (within the policy's follow-up time)");
  table.push_back({record, [&a](const Connection& c) { return cmd_follow_ups_record(c, a); }});
}

struct ComplaintArgs {
  bool all = false;
  std::string ticket;
  std::string add_ticket, name, address, phone, cause, reason, severity;
  std::string close_id, outcome, answer;
};

int cmd_complaints_list(const Connection& c, const ComplaintArgs& a) {
  v1::ListComplaintsRequest req;
  req.set_include_closed(a.all);
  req.set_ticket_id(a.ticket);
  return list_all<v1::ListComplaintsResponse>(
      c, req, [&](const auto& q, auto& r) { return c.stub->ListComplaints(context(c.o).get(), q, &r); },
      [](const auto& p) -> const auto& { return p.complaints(); }, print_complaints);
}

int cmd_complaints_add(const Connection& c, const ComplaintArgs& a) {
  v1::RecordComplaintRequest req;
  req.set_ticket_id(a.add_ticket);
  req.set_name(a.name);
  req.set_address(a.address);
  req.set_phone(a.phone);
  req.set_reason(a.reason);
  v1::ComplaintCause cause;
  if (!parse_enum(a.cause, "COMPLAINT_CAUSE_", v1::ComplaintCause_Parse, &cause) ||
      cause == v1::COMPLAINT_CAUSE_UNSPECIFIED)
    return usage_error("--cause: '" + a.cause +
                       "' is not late_arrival, not_informed, staff_conduct, repeat_fault, property_damage or other");
  req.set_cause(cause);
  v1::ComplaintSeverity severity;
  if (!parse_enum(a.severity, "COMPLAINT_SEVERITY_", v1::ComplaintSeverity_Parse, &severity) ||
      severity == v1::COMPLAINT_SEVERITY_UNSPECIFIED)
    return usage_error("--severity: '" + a.severity + "' is not ordinary or serious");
  req.set_severity(severity);
  v1::RecordComplaintResponse resp;
  const auto s = c.stub->RecordComplaint(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  return print_one(c, resp.complaint(), print_complaints);
}

int cmd_complaints_close(const Connection& c, const ComplaintArgs& a) {
  v1::CloseComplaintRequest req;
  req.set_complaint_id(a.close_id);
  req.set_outcome(a.outcome);
  v1::CustomerAnswer answer;
  if (!parse_enum(a.answer, "CUSTOMER_ANSWER_", v1::CustomerAnswer_Parse, &answer) ||
      answer == v1::CUSTOMER_ANSWER_UNSPECIFIED)
    return usage_error("--answer: '" + a.answer + "' is not satisfied or not_satisfied");
  req.set_customer_answer(answer);
  v1::CloseComplaintResponse resp;
  const auto s = c.stub->CloseComplaint(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  return print_one(c, resp.complaint(), print_complaints);
}

void define_complaints(CLI::App& cli, ComplaintArgs& a, Commands& table) {
  auto* cp = cli.add_subcommand("complaints", "complaints (投诉): open until the customer says they are satisfied");
  cp->require_subcommand(1);
  auto* list = cp->add_subcommand("list", "open complaints");
  list->add_flag("--all", a.all, "closed ones too");
  list->add_option("--ticket", a.ticket, "only this ticket's");
  table.push_back({list, [&a](const Connection& c) { return cmd_complaints_list(c, a); }});
  auto* add = cp->add_subcommand("add", "record a complaint about a ticket (signed with your token's label)");
  add->add_option("ticket", a.add_ticket, "ticket id")->required();
  add->add_option("--name", a.name, "the complainant's name")->required();
  add->add_option("--address", a.address, "the complainant's address")->required();
  add->add_option("--phone", a.phone, "the complainant's phone")->required();
  add->add_option("--cause", a.cause, "late_arrival, not_informed, staff_conduct, repeat_fault, property_damage, other")
      ->required();
  add->add_option("--reason", a.reason, "in the customer's words")->required();
  add->add_option("--severity", a.severity, "ordinary or serious (escalated at once)")->required();
  table.push_back({add, [&a](const Connection& c) { return cmd_complaints_add(c, a); }});
  auto* close = cp->add_subcommand("close", "close with the customer's answer: only 'satisfied' closes it");
  close->add_option("id", a.close_id, "complaint id, e.g. T-000123/C1")->required();
  close->add_option("--outcome", a.outcome, "what was done, as told to the customer")->required();
  close->add_option("--answer", a.answer, "the customer's answer: satisfied or not_satisfied")->required();
  table.push_back({close, [&a](const Connection& c) { return cmd_complaints_close(c, a); }});
}

// --- confirmation calls (rules §4) ------------------------------------------

struct ConfirmationArgs {
  std::string ticket, outcome, new_time;
};

int cmd_confirmations_list(const Connection& c) {
  v1::ListConfirmationCallsResponse resp;
  const auto s = c.stub->ListConfirmationCalls(context(c.o).get(), v1::ListConfirmationCallsRequest(), &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    for (const auto& call : resp.calls()) print_json(call);
    return 0;
  }
  if (resp.calls().empty()) {
    std::cout << "no confirmation calls due\n";
    return 0;
  }
  std::cout << std::left << std::setw(12) << "TICKET" << std::setw(22) << "ARRIVAL (UTC)" << std::setw(22)
            << "DUE (UTC)" << std::setw(10) << "STATE" << std::setw(10) << "ATTEMPTS"
            << "CUSTOMER\n";
  for (const auto& call : resp.calls())
    std::cout << std::left << std::setw(12) << call.ticket().id() << std::setw(22)
              << utc(call.ticket().appointment_time()) << std::setw(22) << utc(call.due_time()) << std::setw(10)
              << (call.overdue() ? "OVERDUE" : "due") << std::setw(10) << call.attempts()
              << call.ticket().customer().name() << "\n";
  return 0;
}

int cmd_confirmations_record(const Connection& c, const ConfirmationArgs& a) {
  v1::RecordConfirmationCallRequest req;
  req.set_ticket_id(a.ticket);
  v1::ConfirmationOutcome outcome;
  if (!parse_enum(a.outcome, "CONFIRMATION_OUTCOME_", v1::ConfirmationOutcome_Parse, &outcome) ||
      outcome == v1::CONFIRMATION_OUTCOME_UNSPECIFIED)
    return usage_error("--outcome: '" + a.outcome + "' is not confirmed, new_time_agreed or unreachable");
  req.set_outcome(outcome);
  if (!a.new_time.empty() && !set_time(a.new_time, "--new-time", req.mutable_new_time())) return 2;
  v1::RecordConfirmationCallResponse resp;
  const auto s = c.stub->RecordConfirmationCall(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  print_ticket(resp.ticket(), c.o.json);
  return 0;
}

void define_confirmations(CLI::App& cli, ConfirmationArgs& a, Commands& table) {
  auto* cf = cli.add_subcommand("confirmations", "confirmation calls of scheduled visits, 2-3 h before arrival");
  cf->require_subcommand(1);
  auto* list = cf->add_subcommand("list", "the visits to call now (window open, not confirmed)");
  table.push_back({list, [](const Connection& c) { return cmd_confirmations_list(c); }});
  auto* record = cf->add_subcommand("record", "record a confirmation call");
  record->add_option("ticket", a.ticket, "ticket id")->required();
  record->add_option("--outcome", a.outcome, "confirmed, new_time_agreed or unreachable")->required();
  record->add_option("--new-time", a.new_time, "new_time_agreed: the arrival agreed, e.g. 2026-12-04T15:00+08:00");
  table.push_back({record, [&a](const Connection& c) { return cmd_confirmations_record(c, a); }});
}

// --- tokens ------------------------------------------------------------------

struct TokenIssueArgs {
  std::string role, crew, label;
};

int cmd_tokens_issue(const Connection& c, const TokenIssueArgs& a) {
  v1::IssueTokenRequest req;
  v1::Role role;
  if (!parse_enum(a.role, "ROLE_", v1::Role_Parse, &role))
    return usage_error("--role: '" + a.role + "' is not dispatcher, admin or crew_device");
  req.set_role(role);
  req.set_crew_id(a.crew);
  req.set_label(a.label);
  v1::IssueTokenResponse resp;
  const auto s = c.stub->IssueToken(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  if (c.o.json) {
    print_json(resp);
  } else {
    std::cout << "token id: " << resp.token_id() << "\nsecret:   " << resp.secret()
              << "\nexpires:  " << utc(resp.expire_time()) << "\n(the secret is shown only now)\n";
  }
  return 0;
}

int cmd_tokens_revoke(const Connection& c, const std::string& id) {
  v1::RevokeTokenRequest req;
  req.set_token_id(id);
  v1::RevokeTokenResponse resp;
  const auto s = c.stub->RevokeToken(context(c.o).get(), req, &resp);
  if (!s.ok()) return fail(s);
  std::cout << "revoked " << id << " at " << utc(resp.revoke_time()) << "\n";
  return 0;
}

struct TokenArgs {
  TokenIssueArgs issue;
  std::string revoke_id;
};

void define_tokens(CLI::App& cli, TokenArgs& a, Commands& table) {
  auto* tokens = cli.add_subcommand("tokens", "bearer tokens (admin)");
  tokens->require_subcommand(1);
  auto* issue = tokens->add_subcommand("issue", "issue a token; its secret is printed once");
  issue->add_option("--role", a.issue.role, "dispatcher, admin or crew_device")->required();
  issue->add_option("--crew", a.issue.crew, "crew id (crew_device tokens)");
  issue->add_option("--label", a.issue.label, "who holds it, e.g. 'desk 3'")->required();
  table.push_back({issue, [&a](const Connection& c) { return cmd_tokens_issue(c, a.issue); }});
  auto* revoke = tokens->add_subcommand("revoke", "revoke a token by its id");
  revoke->add_option("token_id", a.revoke_id, "tok_...")->required();
  table.push_back({revoke, [&a](const Connection& c) { return cmd_tokens_revoke(c, a.revoke_id); }});
}

// --- the command line ----------------------------------------------------------

void define_globals(CLI::App& cli, Options& o, std::string& token_file) {
  cli.add_option("--server", o.server, "server address HOST:PORT")->envname("LINECREW_SERVER");
  cli.add_option("--timeout", o.timeout_s, "deadline of each call, seconds");
  cli.add_option("--token", o.token, "bearer token")->envname("LINECREW_TOKEN");
  cli.add_option("--token-file", token_file, "read the bearer token from this file (e.g. data/admin.token)")
      ->envname("LINECREW_TOKEN_FILE");
  cli.add_flag("--json", o.json, "print JSON instead of a table");
  cli.require_subcommand(1);
}

// Every subcommand's arguments (they outlive the dispatch table that refers to them).
struct Args {
  TicketArgs tickets;
  CrewArgs crews;
  double board_seconds = 0;
  ReportArgs report;
  TokenArgs tokens;
  EscalationArgs escalations;
  FollowUpArgs follow_ups;
  ComplaintArgs complaints;
  ConfirmationArgs confirmations;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"linecrewctl: dispatcher command line for linecrew-server"};
  Options o;
  std::string token_file;
  define_globals(cli, o, token_file);
  Args args;
  Commands table;
  define_health(cli, table);
  define_tickets(cli, args.tickets, table);
  define_crews(cli, args.crews, table);
  define_board(cli, args.board_seconds, table);
  define_report(cli, args.report, table);
  define_tokens(cli, args.tokens, table);
  define_escalations(cli, args.escalations, table);
  define_follow_ups(cli, args.follow_ups, table);
  define_complaints(cli, args.complaints, table);
  define_confirmations(cli, args.confirmations, table);

  CLI11_PARSE(cli, argc, argv);
  if (const int rc = read_token_file(o, token_file); rc != 0) return rc;
  const Connection conn = connect(o);
  for (const Command& c : table)
    if (c.app->parsed()) return c.run(conn);
  return 0;
}
