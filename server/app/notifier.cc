#include "linecrew/server/app/notifier.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/server/storage/paging.h"

namespace linecrew::app {

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool token_syntax_ok(std::string_view token) {
  if (token.size() < 22 || token.size() > 64) return false;
  for (const char c : token)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

// "http://host:port/path" -> {"http://host:port", "/path"}.
std::pair<std::string, std::string> split_url(const std::string& url) {
  const auto slash = url.find('/', 7);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

Notifier::Notifier(const Clock& clock, const ServicePolicy& policy, const NoticeTemplates& templates,
                   storage::TicketStore& tickets, storage::CrewStore& crews, storage::ChangeFeed& feed,
                   Planning* planning, storage::NotifyStore& store, ChangeSignal& changes, NotifierConfig config)
    : clock_(clock),
      policy_(policy),
      templates_(templates),
      tickets_(tickets),
      crews_(crews),
      feed_(feed),
      planning_(planning),
      store_(store),
      changes_(changes),
      config_(std::move(config)) {}

Notifier::~Notifier() {
  stop();
}

void Notifier::start() {
  thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
  stop_ = true;
  changes_.notify();
  if (thread_.joinable()) thread_.join();
}

std::string Notifier::tracking_link(const Ticket& t) const {
  if (config_.tracking_base_url.empty()) return {};
  return config_.tracking_base_url + "/t/" + t.tracking_token;
}

std::size_t Notifier::scan(bool sweep_etas) {
  const std::uint64_t from = store_.cursor();
  std::uint64_t cursor = from;
  std::set<std::string> ids;
  for (;;) {
    const auto changes = feed_.changes_since(cursor, 1000);
    if (changes.empty()) break;
    for (const auto& c : changes)
      if (c.kind == storage::Change::Kind::kTicket) ids.insert(c.id);
    cursor = changes.back().sequence;
  }
  std::map<std::string, Ticket> tickets;  // by id: the sweep's pages are read once, not again one by one
  bool loading = false;
  if (sweep_etas && travelling_loaded_ && planning_) {
    std::vector<TicketId> check;
    for (const auto& [id, _] : travelling_)
      if (!ids.count(id.str())) check.push_back(id);
    const auto stops = planning_->planned(check);
    for (std::size_t k = 0; k < check.size(); ++k) {
      const Travelling& t = travelling_.at(check[k]);
      if (stops[k] && stops[k]->crew == t.owner && eta_may_need_notice(t.status, t.told, stops[k]->eta, policy_.notify))
        ids.insert(check[k].str());
    }
  } else if (sweep_etas && !travelling_loaded_) {
    loading = true;
    storage::TicketFilter travelling;
    travelling.statuses.assign(kTravellingTicketStatuses.begin(), kTravellingTicketStatuses.end());
    storage::for_each_ticket(tickets_, std::move(travelling), [&](Ticket& t) {
      ids.erase(t.id.str());
      std::string id = t.id.str();
      tickets.insert_or_assign(std::move(id), std::move(t));
    });
  }
  for (const std::string& id : ids)
    if (auto t = tickets_.get(TicketId(id))) tickets.insert_or_assign(id, std::move(*t));
  std::vector<Ticket> in_order;
  in_order.reserve(tickets.size());
  for (auto& [id, t] : tickets) in_order.push_back(std::move(t));
  const std::size_t queued = evaluate(in_order, cursor);
  if (loading) travelling_loaded_ = true;
  return queued;
}

std::size_t Notifier::evaluate(const std::vector<Ticket>& tickets, std::uint64_t cursor) {
  const TimePoint now = clock_.now();
  std::vector<storage::TicketNotices> batch;
  std::size_t queued = 0;
  std::vector<ToldState> told_after;  // per ticket, for the sweep's view once recorded
  told_after.reserve(tickets.size());
  for (const Ticket& t : tickets) {
    const ToldState before = store_.told(t.id).value_or(ToldState{});
    ToldState told = before;
    std::optional<TimePoint> eta;
    if (planning_) {
      const auto stop = planning_->planned(t.id);
      if (stop && stop->crew == t.owner) eta = stop->eta;
    }
    const std::vector<Notice> notices = next_notices(customer_facts(t, eta), told, policy_.notify);
    told_after.push_back(told);
    if (told == before && notices.empty()) continue;
    storage::TicketNotices out{t.id, told, {}};
    std::optional<Crew> crew;
    if (!t.owner.empty()) crew = crews_.get_crew(t.owner);
    std::vector<TimePoint> sent = store_.send_times(t.id);
    for (const Notice& n : notices) {
      storage::NotifyMessage m;
      m.ticket = t.id;
      m.key = n.key;
      m.kind = n.kind;
      m.language = templates_.language(t.customer.language);
      m.recipient = t.customer.phone;
      if (n.eta) m.window = eta_window(*n.eta, policy_.notify, now);
      m.link = tracking_link(t);
      PlaceholderValues values = notice_values(t, crew, policy_, m.window, m.link);
      if (n.reply_time) {  // a day or two ahead: the local date too ("12-05 10:00")
        const std::string local = format_utc(*n.reply_time + policy_.utc_offset);  // "2026-12-05T10:00:00Z"
        values["reply_time"] = local.substr(5, 5) + " " + local.substr(11, 5);
      }
      if (n.complaint > 0 && n.complaint <= t.complaints.size()) {  // the complainant, who may not be the caller
        const Complaint& c = t.complaints[n.complaint - 1];
        m.recipient = c.phone;
        values["customer"] = c.name;
        m.link.clear();  // the ticket's tracking link is the caller's, not necessarily the complainant's
        values["link"] = "";
      }
      m.content = templates_.message(n.kind, m.language, values);
      m.created = now;
      m.due = send_time(n.kind, now, sent, policy_);
      if (counts_toward_cap(n.kind)) sent.push_back(m.due);
      out.messages.push_back(std::move(m));
      ++queued;
    }
    batch.push_back(std::move(out));
  }
  if (!batch.empty() || cursor != store_.cursor()) store_.record(batch, cursor);
  if (!batch.empty()) view_changes_.notify();
  for (std::size_t k = 0; k < tickets.size(); ++k) {
    const Ticket& t = tickets[k];
    if (crew_travelling(t.status))
      travelling_.insert_or_assign(t.id, Travelling{t.owner, t.status, told_after[k]});
    else
      travelling_.erase(t.id);
  }
  return queued;
}

bool Notifier::post(const storage::NotifyMessage& m, std::string& error) {
  nlohmann::json body = {
      {"message_id", m.ticket.str() + "/" + m.key},
      {"ticket_id", m.ticket.str()},
      {"event", std::string(to_string(m.kind))},
      {"to", m.recipient},
      {"language", m.language},
      {"text", m.content},
      {"tracking_url", m.link},
      {"created_at", format_utc(m.created)},
  };
  if (m.window) body["eta_window"] = {{"from", format_utc(m.window->from)}, {"to", format_utc(m.window->to)}};
  const std::string text = body.dump();
  const auto [base, path] = split_url(config_.webhook_url);
  httplib::Client client(base);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  client.set_write_timeout(std::chrono::seconds(5));
  const httplib::Headers headers = {{"X-Linecrew-Signature", webhook_signature(config_.webhook_secret, text)},
                                    {"X-Linecrew-Message-Id", m.ticket.str() + "/" + m.key}};
  const auto res = client.Post(path, headers, text, "application/json");
  if (!res) {
    error = "gateway unreachable: " + httplib::to_string(res.error());
    return false;
  }
  if (res->status >= 200 && res->status < 300) return true;
  error = "gateway answered HTTP " + std::to_string(res->status);
  return false;
}

std::size_t Notifier::deliver() {
  if (config_.webhook_url.empty()) return 0;
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::size_t sent = 0;
  for (const storage::NotifyMessage& m : store_.due(clock_.now(), wall_ms(), 100)) {
    if (stop_) break;
    std::string error;
    if (post(m, error)) {
      store_.mark_sent(m.id, clock_.now());
      ++sent;
      continue;
    }
    // 4xx other than 408/429: the gateway will never take it; else retry with backoff and jitter.
    const bool rejected = error.find("HTTP 4") != std::string::npos && error.find("HTTP 408") == std::string::npos &&
                          error.find("HTTP 429") == std::string::npos;
    const auto shift = std::min<std::uint32_t>(m.attempts, 16);
    const auto delay = std::min<long>(config_.retry_max.count(), config_.retry_base.count() << shift);
    std::uniform_int_distribution<long> jitter(delay / 2, delay);
    store_.mark_failed(m.id, error, wall_ms() + jitter(rng), rejected);
  }
  return sent;
}

std::optional<CustomerView> Notifier::by_token(std::string_view token) {
  if (!token_syntax_ok(token)) return std::nullopt;
  const auto t = tickets_.find_by_tracking_token(std::string(token));
  if (!t || t->tracking_token.size() != token.size() ||
      CRYPTO_memcmp(t->tracking_token.data(), token.data(), token.size()) != 0)
    return std::nullopt;
  if (!tracking_valid(*t, clock_.now(), policy_)) return std::nullopt;
  std::optional<Crew> crew;
  if (!t->owner.empty()) crew = crews_.get_crew(t->owner);
  return customer_view(*t, store_.told(t->id).value_or(ToldState{}), crew, templates_, policy_, clock_.now());
}

void Notifier::run() {
  while (!stop_) {
    const std::uint64_t seen = changes_.generation();
    try {
      // ETAs move without a ticket change (re-plans, crew positions, time
      // passing): every open ticket is re-checked every eta_sweep, and at
      // most once a second while changes come in.
      const auto wall = std::chrono::steady_clock::now();
      const bool sweep = wall - last_sweep_ >= config_.eta_sweep ||
                         (seen != swept_generation_ && wall - last_sweep_ >= std::chrono::seconds(1));
      if (sweep) {
        last_sweep_ = wall;
        swept_generation_ = seen;
      }
      scan(sweep);
      deliver();
    } catch (const std::exception& e) {
      std::cerr << "{\"component\":\"notifier\",\"error\":" << nlohmann::json(e.what()).dump() << "}" << std::endl;
    }
    if (stop_) break;
    const auto scanned = std::chrono::steady_clock::now();
    changes_.wait_past(seen, std::chrono::milliseconds(500));
    // Changes that come in together are taken together (a storm's intake
    // would otherwise cost an outbox transaction per ticket): scans start at
    // least kGather apart, which is all a message waits for that.
    constexpr auto kGather = std::chrono::milliseconds(100);
    const auto since = std::chrono::steady_clock::now() - scanned;
    if (!stop_ && since < kGather) std::this_thread::sleep_for(kGather - since);
  }
}

}  // namespace linecrew::app
