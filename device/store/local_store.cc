#include "linecrew/device/store/local_store.h"

#include <cstdio>
#include <random>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/storage/time_columns.h"

namespace linecrew::device {

namespace {

// Versioned migrations: entry i takes the schema from version i to i + 1.
const std::vector<const char*> kMigrations = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tickets(
  id TEXT PRIMARY KEY,
  customer_name TEXT NOT NULL,
  customer_phone TEXT NOT NULL,
  language TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  address TEXT NOT NULL,
  deadline INTEGER NOT NULL,
  effective_deadline INTEGER NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL);
CREATE TABLE outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id TEXT NOT NULL UNIQUE,
  ticket_id TEXT NOT NULL,
  action TEXT NOT NULL,
  payload TEXT NOT NULL,
  device_time INTEGER NOT NULL);
)sql",
    R"sql(
ALTER TABLE tickets ADD COLUMN zone_class TEXT NOT NULL DEFAULT 'urban';
ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN service_s INTEGER NOT NULL DEFAULT 1800;
ALTER TABLE tickets ADD COLUMN earliest_start INTEGER;
ALTER TABLE tickets ADD COLUMN arrival INTEGER;
ALTER TABLE tickets ADD COLUMN eta INTEGER;
ALTER TABLE tickets ADD COLUMN cause_found INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN explained INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN removed TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN removed_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN body BLOB NOT NULL DEFAULT x'';
CREATE TABLE plan(pos INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL, eta INTEGER NOT NULL, departure INTEGER NOT NULL);
CREATE TABLE prompts(
  ticket_id TEXT PRIMARY KEY,
  prompted_for INTEGER NOT NULL,
  prompted_at INTEGER NOT NULL,
  escalate INTEGER NOT NULL);
CREATE TABLE calls(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  ticket_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE TABLE notices(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  ticket_id TEXT NOT NULL,
  text TEXT NOT NULL);
)sql",
    // The kind of work: the handheld refuses to start a disconnection before its earliest start.
    "ALTER TABLE tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'fault_repair';",
    // A scheduled visit's agreed arrival and whether its confirmation call reached the customer (rules §4).
    "ALTER TABLE tickets ADD COLUMN appointment INTEGER; "
    "ALTER TABLE tickets ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;",
};

using storage::at;
using storage::secs;

constexpr const char* kColumns =
    "id, customer_name, customer_phone, language, lat, lon, address, deadline, effective_deadline, status, version, "
    "zone_class, priority, service_s, earliest_start, arrival, eta, cause_found, explained, removed, removed_detail, "
    "kind, appointment, confirmed";

LocalTicket read_row(const storage::Statement& s) {
  LocalTicket t;
  t.id = TicketId(s.text(0));
  t.customer_name = s.text(1);
  t.customer_phone = s.text(2);
  t.language = s.text(3);
  t.location = GeoPoint(s.real(4), s.real(5));
  t.address = s.text(6);
  t.deadline = at(s.int64(7));
  t.effective_deadline = at(s.int64(8));
  const auto status = parse_ticket_status(s.text(9));
  if (!status) throw Error(ErrorCode::kInternal, "local_store", "corrupt status '" + s.text(9) + "'");
  t.status = *status;
  t.version = static_cast<std::uint64_t>(s.int64(10));
  t.zone_class = s.text(11);
  t.priority = static_cast<std::uint32_t>(s.int64(12));
  t.service = Duration(s.int64(13));
  t.earliest_start = at(s.optional_int64(14));
  t.arrival = at(s.optional_int64(15));
  t.eta = at(s.optional_int64(16));
  t.cause_found = s.int64(17) != 0;
  t.explained = s.int64(18) != 0;
  t.removed = s.text(19);
  t.removed_detail = s.text(20);
  const auto kind = parse_ticket_kind(s.text(21));
  if (!kind) throw Error(ErrorCode::kInternal, "local_store", "corrupt kind '" + s.text(21) + "'");
  t.kind = *kind;
  t.appointment = at(s.optional_int64(22));
  t.confirmed = s.int64(23) != 0;
  return t;
}

const std::string kInsertTicket = std::string("INSERT OR REPLACE INTO tickets(") + kColumns +
                                  ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
const std::string kSelectTicket = std::string("SELECT ") + kColumns + " FROM tickets WHERE id = ?";
const std::string kSelectTickets = std::string("SELECT ") + kColumns + " FROM tickets ORDER BY effective_deadline, id";

// Every statement here is fixed SQL: prepared once per connection and kept
// (Database::cached), since the handheld runs the same few queries all shift.
void write_ticket(storage::Database& db, const LocalTicket& t) {
  db.cached(kInsertTicket)
      ->bind_all(t.id.str(), t.customer_name, t.customer_phone, t.language, t.location.lat(), t.location.lon(),
                 t.address, secs(t.deadline), secs(t.effective_deadline), to_string(t.status),
                 static_cast<std::int64_t>(t.version), t.zone_class, static_cast<std::int64_t>(t.priority),
                 static_cast<std::int64_t>(t.service.count()), secs(t.earliest_start), secs(t.arrival), secs(t.eta),
                 static_cast<std::int64_t>(t.cause_found), static_cast<std::int64_t>(t.explained), t.removed,
                 t.removed_detail, to_string(t.kind), secs(t.appointment), static_cast<std::int64_t>(t.confirmed))
      .run();
}

std::optional<LocalTicket> get_locked(storage::Database& db, const TicketId& id) {
  auto s = db.cached(kSelectTicket);
  s->bind(1, id.str());
  if (!s->step()) return std::nullopt;
  return read_row(*s);
}

bool has_pending(storage::Database& db, const TicketId& id) {
  auto s = db.cached("SELECT 1 FROM outbox WHERE ticket_id = ? LIMIT 1");
  s->bind(1, id.str());
  return s->step();
}

void set_meta_locked(storage::Database& db, const std::string& key, const std::string& value) {
  db.cached("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      ->bind_all(key, value)
      .run();
}

std::int64_t insert_outbox(storage::Database& db, const std::string& op_id, const std::string& ticket,
                           const std::string& action, const std::string& body, TimePoint device_time) {
  db.cached("INSERT INTO outbox(op_id, ticket_id, action, payload, device_time, body) VALUES(?,?,?,'',?,?)")
      ->bind_all(op_id, ticket, action, secs(device_time))
      .bind_blob(5, body)
      .run();
  return db.last_insert_rowid();
}

}  // namespace

LocalStore::LocalStore(const std::string& path) : db_(storage::Database::open(path)) {
  migrate(db_, kMigrations);
}

bool LocalStore::upsert(const LocalTicket& t) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  const auto cur = get_locked(db_, t.id);
  if (cur && cur->version > t.version) return false;
  write_ticket(db_, t);
  tx.commit();
  return true;
}

std::optional<LocalTicket> LocalStore::get(const TicketId& id) {
  std::lock_guard lock(mu_);
  return get_locked(db_, id);
}

std::vector<LocalTicket> LocalStore::tickets() {
  std::lock_guard lock(mu_);
  auto s = db_.cached(kSelectTickets);
  std::vector<LocalTicket> out;
  while (s->step()) out.push_back(read_row(*s));
  return out;
}

OutboxEntry LocalStore::record_action(const TicketId& id, const std::string& action, TicketStatus new_status,
                                      const std::string& op_id, const std::string& body, TimePoint device_time,
                                      std::optional<TimePoint> new_effective_deadline, bool confirms) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  auto t = get_locked(db_, id);
  if (!t) throw Error(ErrorCode::kNotFound, "ticket_id", "no local ticket '" + id.str() + "'");
  const bool fact = action == "contact_attempt" || action == "cause_found" || action == "explained_to_customer" ||
                    action == "need_help" || action == "confirmation_call";
  if (!t->removed.empty() && !fact)
    throw Error(
        ErrorCode::kFailedPrecondition, "ticket_id",
        "ticket " + id.str() + " was " + t->removed + (t->removed_detail.empty() ? "" : ": " + t->removed_detail));
  if (t->status != new_status) require_transition(t->status, new_status, Actor::kCrew);
  t->status = new_status;
  if (action == "arrived" && !t->arrival) t->arrival = device_time;
  if (action == "cause_found") t->cause_found = true;
  if (action == "explained_to_customer") t->explained = true;
  if (confirms) t->confirmed = true;
  if (new_effective_deadline) t->effective_deadline = *new_effective_deadline;
  write_ticket(db_, *t);
  OutboxEntry e{0, op_id, id, action, body, device_time};
  e.seq = insert_outbox(db_, op_id, id.str(), action, body, device_time);
  tx.commit();
  return e;
}

OutboxEntry LocalStore::record_position(const std::string& op_id, const std::string& body, TimePoint device_time) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  OutboxEntry e{0, op_id, TicketId(), "position", body, device_time};
  e.seq = insert_outbox(db_, op_id, "", "position", body, device_time);
  tx.commit();
  return e;
}

std::vector<OutboxEntry> LocalStore::outbox(std::size_t limit) {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT seq, op_id, ticket_id, action, body, device_time FROM outbox ORDER BY seq LIMIT ?");
  s->bind(1, static_cast<std::int64_t>(limit));
  std::vector<OutboxEntry> out;
  while (s->step()) {
    OutboxEntry e;
    e.seq = s->int64(0);
    e.op_id = s->text(1);
    if (const auto t = s->text(2); !t.empty()) e.ticket = TicketId(t);
    e.action = s->text(3);
    e.body = s->blob(4);
    e.device_time = at(s->int64(5));
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t LocalStore::outbox_size() {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT COUNT(*) FROM outbox");
  s->step();
  return static_cast<std::size_t>(s->int64(0));
}

void LocalStore::acknowledge(const std::vector<std::string>& op_ids) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  auto del = db_.cached("DELETE FROM outbox WHERE op_id = ?");
  for (const auto& id : op_ids) {
    del->reset();
    del->bind(1, id);
    del->run();
  }
  tx.commit();
}

void LocalStore::apply_pull(const PulledPage& page) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  std::set<std::string> sent;
  for (const PulledChange& c : page.changes) {
    if (c.ticket) {
      LocalTicket t = *c.ticket;
      sent.insert(t.id.str());
      const auto cur = get_locked(db_, t.id);
      if (cur && cur->version > t.version) continue;  // never go back a version
      if (cur && has_pending(db_, t.id)) {
        // The server has not seen our actions yet: keep what the crew did.
        t.status = cur->status;
        t.arrival = cur->arrival ? cur->arrival : t.arrival;
        t.cause_found = t.cause_found || cur->cause_found;
        t.explained = t.explained || cur->explained;
        t.confirmed = t.confirmed || cur->confirmed;
      }
      write_ticket(db_, t);
    } else if (!c.removed.empty()) {
      auto cur = get_locked(db_, c.removed);
      if (!cur) continue;
      cur->removed = c.removal_reason;
      cur->removed_detail = c.removal_detail;
      if (c.removal_reason == "cancelled" && !crew_has_arrived(cur->status)) cur->status = TicketStatus::kCancelled;
      write_ticket(db_, *cur);
    }
  }
  if (page.reset) {
    // Tickets the server no longer lists for this crew go, unless the crew's
    // actions on them still wait for upload (those are kept until acknowledged).
    std::vector<std::string> gone;
    {
      auto s = db_.cached("SELECT id FROM tickets");
      while (s->step())
        if (!sent.count(s->text(0))) gone.push_back(s->text(0));
    }
    for (const auto& id : gone)
      if (!has_pending(db_, TicketId(id))) db_.cached("DELETE FROM tickets WHERE id = ?")->bind(1, id).run();
  }
  if (page.plan) {
    db_.cached("DELETE FROM plan")->run();
    auto ins = db_.cached("INSERT INTO plan(pos, ticket_id, eta, departure) VALUES(?,?,?,?)");
    auto eta = db_.cached("UPDATE tickets SET eta = ? WHERE id = ?");
    std::int64_t pos = 0;
    for (const PlanStop& p : *page.plan) {
      ins->reset();
      ins->bind_all(pos++, p.ticket.str(), secs(p.eta), secs(p.departure)).run();
      eta->reset();
      eta->bind_all(secs(p.eta), p.ticket.str()).run();
    }
  }
  set_meta_locked(db_, "cursor", std::to_string(page.next_cursor));
  tx.commit();
}

std::vector<PlanStop> LocalStore::plan() {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT ticket_id, eta, departure FROM plan ORDER BY pos");
  std::vector<PlanStop> out;
  while (s->step()) out.push_back({TicketId(s->text(0)), at(s->int64(1)), at(s->int64(2))});
  return out;
}

std::uint64_t LocalStore::cursor() {
  const auto v = meta("cursor");
  return v ? std::stoull(*v) : 0;
}

void LocalStore::set_cursor(std::uint64_t cursor) {
  set_meta("cursor", std::to_string(cursor));
}

std::optional<std::string> LocalStore::meta(const std::string& key) {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT value FROM meta WHERE key = ?");
  s->bind(1, key);
  if (!s->step()) return std::nullopt;
  return s->text(0);
}

void LocalStore::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  set_meta_locked(db_, key, value);
}

DelayPromptLog LocalStore::prompt_log() {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT ticket_id, prompted_for, prompted_at, escalate FROM prompts");
  DelayPromptLog log;
  while (s->step()) log[TicketId(s->text(0))] = {at(s->int64(1)), at(s->int64(2)), s->int64(3) != 0};
  return log;
}

void LocalStore::save_prompt_log(const DelayPromptLog& log) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  db_.cached("DELETE FROM prompts")->run();
  auto ins = db_.cached("INSERT INTO prompts(ticket_id, prompted_for, prompted_at, escalate) VALUES(?,?,?,?)");
  for (const auto& [id, st] : log) {
    ins->reset();
    ins->bind_all(id.str(), secs(st.prompted_for), secs(st.prompted_at), static_cast<std::int64_t>(st.escalate)).run();
  }
  tx.commit();
}

void LocalStore::log_call(const CallLogEntry& e) {
  std::lock_guard lock(mu_);
  db_.cached("INSERT INTO calls(time, ticket_id, outcome, detail) VALUES(?,?,?,?)")
      ->bind_all(secs(e.time), e.ticket.str(), e.outcome, e.detail)
      .run();
}

std::vector<CallLogEntry> LocalStore::calls(const TicketId& id) {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT time, ticket_id, outcome, detail FROM calls WHERE ticket_id = ? ORDER BY seq");
  s->bind(1, id.str());
  std::vector<CallLogEntry> out;
  while (s->step()) out.push_back({at(s->int64(0)), TicketId(s->text(1)), s->text(2), s->text(3)});
  return out;
}

void LocalStore::add_notice(const Notice& n) {
  std::lock_guard lock(mu_);
  db_.cached("INSERT INTO notices(time, ticket_id, text) VALUES(?,?,?)")
      ->bind_all(secs(n.time), n.ticket, n.text)
      .run();
}

std::vector<Notice> LocalStore::notices(std::size_t limit) {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT time, ticket_id, text FROM notices ORDER BY seq DESC LIMIT ?");
  s->bind(1, static_cast<std::int64_t>(limit));
  std::vector<Notice> out;
  while (s->step()) out.push_back({at(s->int64(0)), s->text(1), s->text(2)});
  return out;
}

std::string LocalStore::integrity_check() {
  std::lock_guard lock(mu_);
  return db_.integrity_check();
}

std::string new_op_id() {
  // Seeded once per thread from the system's entropy; opening the random
  // device for every action cost more than recording the action.
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seed{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seed);
  }();
  unsigned char b[16];
  for (int i = 0; i < 16; i += 8) {
    const std::uint64_t r = rng();
    for (int k = 0; k < 8; ++k) b[i + k] = static_cast<unsigned char>(r >> (8 * k));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace linecrew::device
