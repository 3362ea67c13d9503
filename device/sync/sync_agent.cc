#include "linecrew/device/sync/sync_agent.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "linecrew/core/confirmation.h"
#include "linecrew/core/error.h"

namespace linecrew::device {

namespace {

TimePoint from_proto(const google::protobuf::Timestamp& ts) {
  return TimePoint(Duration(ts.seconds()));
}
void to_proto(TimePoint t, google::protobuf::Timestamp* out) {
  out->set_seconds(t.time_since_epoch().count());
}

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw Error(ErrorCode::kInvalidArgument, "server data: " + field, why);
}

std::string lower_suffix(const std::string& enum_name, const std::string& prefix) {
  std::string s = enum_name.rfind(prefix, 0) == 0 ? enum_name.substr(prefix.size()) : enum_name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

LocalTicket ticket_from(const v1::Ticket& p, const std::string& at) {
  LocalTicket t;
  try {
    t.id = TicketId(p.id());
  } catch (const Error& e) {
    bad(at + ".id", e.message());
  }
  if (!p.has_location()) bad(at + ".location", "missing");
  try {
    t.location = GeoPoint(p.location().lat(), p.location().lon());
  } catch (const Error& e) {
    bad(at + ".location", e.message());
  }
  if (!p.has_deadline()) bad(at + ".deadline", "missing");
  t.deadline = from_proto(p.deadline());
  t.effective_deadline = p.has_effective_deadline() ? from_proto(p.effective_deadline()) : t.deadline;
  const auto status = parse_ticket_status(lower_suffix(v1::TicketStatus_Name(p.status()), "TICKET_STATUS_"));
  if (!status) bad(at + ".status", "unknown value " + std::to_string(p.status()));
  t.status = *status;
  if (t.status == TicketStatus::kCancelled) t.removed = "cancelled";  // the crew must stop
  if (p.version() == 0) bad(at + ".version", "missing");
  t.version = p.version();
  t.customer_name = p.customer().name();
  t.customer_phone = p.customer().phone();
  t.language = p.customer().language().empty() ? "zh-CN" : p.customer().language();
  t.address = p.address();
  t.zone_class = lower_suffix(v1::ZoneClass_Name(p.zone_class()), "ZONE_CLASS_");
  t.priority = p.priority();
  if (p.has_service_duration()) {
    if (p.service_duration().seconds() < 0) bad(at + ".service_duration", "negative");
    t.service = Duration(p.service_duration().seconds());
  }
  if (p.has_earliest_start()) t.earliest_start = from_proto(p.earliest_start());
  if (p.kind() != v1::TICKET_KIND_UNSPECIFIED)
    if (const auto kind = parse_ticket_kind(lower_suffix(v1::TicketKind_Name(p.kind()), "TICKET_KIND_")))
      t.kind = *kind;
  if (p.has_eta()) t.eta = from_proto(p.eta());
  if (p.has_appointment_time()) t.appointment = from_proto(p.appointment_time());
  for (const auto& e : p.timeline()) {
    if (e.kind() == v1::TICKET_EVENT_KIND_CONFIRMATION_CALL && confirmation_reached(e.detail())) t.confirmed = true;
    if (e.kind() == v1::TICKET_EVENT_KIND_CAUSE_FOUND) t.cause_found = true;
    if (e.kind() == v1::TICKET_EVENT_KIND_EXPLAINED_TO_CUSTOMER) t.explained = true;
    if (e.kind() == v1::TICKET_EVENT_KIND_ARRIVED && !t.arrival) t.arrival = from_proto(e.time());
  }
  return t;
}

}  // namespace

PulledPage to_page(const v1::PullResponse& r, std::uint64_t cursor) {
  PulledPage page;
  page.reset = r.reset();
  page.last = !r.has_more();
  page.next_cursor = r.next_cursor();
  if (!page.reset && page.next_cursor < cursor) bad("next_cursor", "goes back from " + std::to_string(cursor));
  std::uint64_t last = cursor;
  for (int i = 0; i < r.changes_size(); ++i) {
    const auto& c = r.changes(i);
    const std::string at = "changes[" + std::to_string(i) + "]";
    PulledChange out;
    out.sequence = c.sequence();
    if (!page.reset) {
      if (c.sequence() <= last) bad(at + ".sequence", "not after " + std::to_string(last));
      if (c.sequence() > page.next_cursor) bad(at + ".sequence", "after next_cursor");
      last = c.sequence();
    }
    if (c.has_ticket()) {
      out.ticket = ticket_from(c.ticket(), at + ".ticket");
    } else if (c.has_removal()) {
      try {
        out.removed = TicketId(c.removal().ticket_id());
      } catch (const Error& e) {
        bad(at + ".removal.ticket_id", e.message());
      }
      out.removal_reason = lower_suffix(v1::RemovalReason_Name(c.removal().reason()), "REMOVAL_REASON_");
      if (c.removal().reason() == v1::REMOVAL_REASON_UNSPECIFIED) bad(at + ".removal.reason", "unspecified");
      out.removal_detail = c.removal().detail();
    } else {
      continue;  // a change kind this version does not use (crew, policy): Hello carries them
    }
    page.changes.push_back(std::move(out));
  }
  if (r.has_plan()) {
    std::vector<PlanStop> plan;
    for (int i = 0; i < r.plan().stops_size(); ++i) {
      const auto& s = r.plan().stops(i);
      try {
        plan.push_back({TicketId(s.ticket_id()), from_proto(s.eta()), from_proto(s.planned_departure())});
      } catch (const Error& e) {
        bad("plan.stops[" + std::to_string(i) + "].ticket_id", e.message());
      }
    }
    page.plan = std::move(plan);
  } else if (page.last) {
    page.plan = std::vector<PlanStop>{};  // no route (yet): clear the old one
  }
  return page;
}

std::shared_ptr<grpc::Channel> make_channel(const std::string& address,
                                            const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(address, credentials, args);
}

std::chrono::milliseconds backoff_delay(int attempt, std::mt19937& rng, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap) {
  const int shift = std::clamp(attempt, 0, 20);
  const auto raw = std::min<std::int64_t>(cap.count(), base.count() * (std::int64_t{1} << shift));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(raw) * jitter(rng)));
}

SyncAgent::SyncAgent(LocalStore& store, const Clock& clock, const std::shared_ptr<grpc::Channel>& channel,
                     SyncOptions options)
    : store_(store), clock_(clock), stub_(v1::CrewSyncService::NewStub(channel)), options_(std::move(options)) {}

std::unique_ptr<grpc::ClientContext> SyncAgent::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  ctx->AddMetadata("authorization", "Bearer " + options_.token);
  if (options_.compress) ctx->set_compression_algorithm(GRPC_COMPRESS_GZIP);
  return ctx;
}

namespace {
struct CallFailed {
  std::string what;
};
void check(const grpc::Status& s, const char* method) {
  if (!s.ok())
    throw CallFailed{std::string(method) + ": " + std::to_string(static_cast<int>(s.error_code())) + " " +
                     s.error_message()};
}
}  // namespace

void SyncAgent::hello(SyncReport& r) {
  v1::HelloRequest req;
  req.set_device_id(options_.device_id.str());
  req.set_app_version(options_.app_version);
  const TimePoint sent = clock_.now();
  to_proto(sent, req.mutable_device_time());
  v1::HelloResponse resp;
  check(stub_->Hello(context().get(), req, &resp), "Hello");
  const TimePoint received = clock_.now();
  const Duration offset = from_proto(resp.server_time()) - (sent + (received - sent) / 2);
  r.clock_offset = offset;
  const auto& crew = resp.crew();
  store_.set_meta("clock_offset_s", std::to_string(offset.count()));
  store_.set_meta("crew_id", resp.crew_id());
  store_.set_meta("crew_name", crew.name());
  store_.set_meta("callback_phone", crew.callback_phone());
  if (crew.members_size() > 0) {
    store_.set_meta("member_name",
                    crew.members(0).full_name().empty() ? crew.members(0).first_name() : crew.members(0).full_name());
    store_.set_meta("staff_number", crew.members(0).staff_number());
  }
  store_.set_meta("home_lat", std::to_string(crew.home_position().lat()));
  store_.set_meta("home_lon", std::to_string(crew.home_position().lon()));
  const auto& p = resp.policy();
  store_.set_meta("company_name", p.company_name());
  if (p.delay_call_lead_time().seconds() > 0)
    store_.set_meta("delay_call_lead_s", std::to_string(p.delay_call_lead_time().seconds()));
  if (p.max_upload_actions() > 0)
    options_.upload_batch = std::min<std::size_t>(options_.upload_batch, p.max_upload_actions());
  if (p.pull_interval().seconds() > 0) pull_interval_ = std::chrono::seconds(p.pull_interval().seconds());
  said_hello_ = true;
}

void SyncAgent::upload(SyncReport& r) {
  for (;;) {
    const auto entries = store_.outbox(options_.upload_batch);
    if (entries.empty()) return;
    v1::UploadRequest req;
    to_proto(clock_.now(), req.mutable_device_send_time());
    for (const auto& e : entries)
      if (!req.add_actions()->ParseFromString(e.body))
        throw Error(ErrorCode::kInternal, "outbox", "entry " + e.op_id + " does not parse");
    v1::UploadResponse resp;
    check(stub_->Upload(context().get(), req, &resp), "Upload");
    if (resp.acks_size() != req.actions_size())
      bad("acks", std::to_string(resp.acks_size()) + " acks for " + std::to_string(req.actions_size()) + " actions");
    std::vector<std::string> done;
    const std::size_t rejected_before = r.rejected;
    for (int i = 0; i < resp.acks_size(); ++i) {
      const auto& ack = resp.acks(i);
      if (ack.op_id() != req.actions(i).op_id()) bad("acks[" + std::to_string(i) + "].op_id", "out of order");
      switch (ack.result()) {
        case v1::ACTION_RESULT_APPLIED:
          ++r.applied;
          break;
        case v1::ACTION_RESULT_DUPLICATE:
          ++r.duplicate;
          break;
        case v1::ACTION_RESULT_REJECTED:
        case v1::ACTION_RESULT_SUPERSEDED: {
          ack.result() == v1::ACTION_RESULT_REJECTED ? ++r.rejected : ++r.superseded;
          const auto& e = entries[static_cast<std::size_t>(i)];
          store_.add_notice({clock_.now(), e.ticket.str(),
                             e.action + (ack.result() == v1::ACTION_RESULT_REJECTED ? " rejected: " : " superseded: ") +
                                 ack.reason()});
          break;
        }
        default:
          bad("acks[" + std::to_string(i) + "].result", "unspecified");
      }
      done.push_back(ack.op_id());
    }
    store_.acknowledge(done);  // every result means "durably handled"
    r.uploaded += done.size();
    // A rejected action's local effect (a status, a confirmed visit, a moved
    // deadline) is not the server's: the next pull is a full resync, whose
    // copies replace the local ones (nothing of theirs is pending any more).
    if (rejected_before != r.rejected) store_.set_cursor(0);
  }
}

void SyncAgent::pull(SyncReport& r) {
  for (int page = 0; page < 10000; ++page) {
    const std::uint64_t cursor = store_.cursor();
    v1::PullRequest req;
    req.set_cursor(cursor);
    req.set_max_changes(options_.pull_max_changes);
    req.set_max_bytes(options_.pull_max_bytes);
    req.set_device_id(options_.device_id.str());
    v1::PullResponse resp;
    check(stub_->Pull(context().get(), req, &resp), "Pull");
    const PulledPage p = to_page(resp, cursor);  // throws before anything is stored
    store_.apply_pull(p);
    for (const auto& c : p.changes)
      if (!c.removed.empty())
        store_.add_notice({clock_.now(), c.removed.str(),
                           c.removal_reason + (c.removal_detail.empty() ? "" : ": " + c.removal_detail)});
    ++r.pages;
    r.pulled += p.changes.size();
    r.reset = r.reset || p.reset;
    r.cursor = p.next_cursor;
    if (p.last) return;
  }
}

SyncReport SyncAgent::sync_once() {
  SyncReport r;
  try {
    if (!said_hello_) hello(r);
    upload(r);
    pull(r);
    r.ok = true;
    store_.set_meta("last_sync", std::to_string(clock_.now().time_since_epoch().count()));
  } catch (const CallFailed& e) {
    r.error = e.what;
    if (e.what.find("Hello") == 0) said_hello_ = false;
  } catch (const Error& e) {
    r.error = e.what();
    store_.add_notice({clock_.now(), "", std::string("sync refused: ") + e.what()});
  }
  if (!r.ok) store_.set_meta("last_sync_error", r.error);
  return r;
}

void SyncAgent::run(const std::atomic<bool>& stop, const std::function<void(const SyncReport&)>& on_report,
                    std::optional<std::chrono::milliseconds> interval) {
  std::mt19937 rng(std::random_device{}());
  int failures = 0;
  while (!stop) {
    const SyncReport r = sync_once();
    if (on_report) on_report(r);
    failures = r.ok ? 0 : failures + 1;
    const auto wait = r.ok ? interval.value_or(pull_interval_) : backoff_delay(failures - 1, rng);
    const auto until = std::chrono::steady_clock::now() + wait;
    while (!stop && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
}

}  // namespace linecrew::device
