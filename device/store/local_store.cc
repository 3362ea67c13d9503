#include "store/local_store.h"

#include <array>
#include <cstdio>
#include <random>

#include "linecrew/core/error.h"

namespace linecrew::device {

namespace {

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
};

std::int64_t secs(TimePoint t) {
  return t.time_since_epoch().count();
}
TimePoint at(std::int64_t s) {
  return TimePoint(Duration(s));
}

constexpr const char* kColumns =
    "id, customer_name, customer_phone, language, lat, lon, address, deadline, effective_deadline, status, version";

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
  return t;
}

}  // namespace

LocalStore::LocalStore(const std::string& path) : db_(storage::Database::open(path)) {
  migrate(db_, kMigrations);
}

bool LocalStore::upsert(const LocalTicket& t) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  auto cur = db_.prepare("SELECT version FROM tickets WHERE id = ?");
  cur.bind(1, t.id.str());
  if (cur.step() && static_cast<std::uint64_t>(cur.int64(0)) > t.version) return false;
  db_.prepare(std::string("INSERT OR REPLACE INTO tickets(") + kColumns + ") VALUES(?,?,?,?,?,?,?,?,?,?,?)")
      .bind_all(t.id.str(), t.customer_name, t.customer_phone, t.language, t.location.lat(), t.location.lon(),
                t.address, secs(t.deadline), secs(t.effective_deadline), to_string(t.status),
                static_cast<std::int64_t>(t.version))
      .run();
  tx.commit();
  return true;
}

std::optional<LocalTicket> LocalStore::get(const TicketId& id) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets WHERE id = ?");
  s.bind(1, id.str());
  if (!s.step()) return std::nullopt;
  return read_row(s);
}

std::vector<LocalTicket> LocalStore::tickets() {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets ORDER BY effective_deadline, id");
  std::vector<LocalTicket> out;
  while (s.step()) out.push_back(read_row(s));
  return out;
}

OutboxEntry LocalStore::record_action(const TicketId& id, const std::string& action, TicketStatus new_status,
                                      const std::string& payload, TimePoint device_time) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  auto s = db_.prepare("SELECT status FROM tickets WHERE id = ?");
  s.bind(1, id.str());
  if (!s.step()) throw Error(ErrorCode::kNotFound, "ticket_id", "no local ticket '" + id.str() + "'");
  const auto from = parse_ticket_status(s.text(0));
  if (!from) throw Error(ErrorCode::kInternal, "local_store", "corrupt status");
  if (*from != new_status) require_transition(*from, new_status, Actor::kCrew);
  db_.prepare("UPDATE tickets SET status = ? WHERE id = ?").bind_all(to_string(new_status), id.str()).run();
  OutboxEntry e{0, new_op_id(), id, action, payload, device_time};
  db_.prepare("INSERT INTO outbox(op_id, ticket_id, action, payload, device_time) VALUES(?,?,?,?,?)")
      .bind_all(e.op_id, id.str(), action, payload, secs(device_time))
      .run();
  auto last = db_.prepare("SELECT last_insert_rowid()");
  last.step();
  e.seq = last.int64(0);
  tx.commit();
  return e;
}

std::vector<OutboxEntry> LocalStore::outbox(std::size_t limit) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare("SELECT seq, op_id, ticket_id, action, payload, device_time FROM outbox ORDER BY seq LIMIT ?");
  s.bind(1, static_cast<std::int64_t>(limit));
  std::vector<OutboxEntry> out;
  while (s.step()) out.push_back({s.int64(0), s.text(1), TicketId(s.text(2)), s.text(3), s.text(4), at(s.int64(5))});
  return out;
}

void LocalStore::acknowledge(const std::vector<std::string>& op_ids) {
  std::lock_guard lock(mu_);
  storage::Transaction tx(db_);
  auto del = db_.prepare("DELETE FROM outbox WHERE op_id = ?");
  for (const auto& id : op_ids) {
    del.bind(1, id);
    del.run();
  }
  tx.commit();
}

std::uint64_t LocalStore::cursor() {
  std::lock_guard lock(mu_);
  auto s = db_.prepare("SELECT value FROM meta WHERE key = 'cursor'");
  return s.step() ? std::stoull(s.text(0)) : 0;
}

void LocalStore::set_cursor(std::uint64_t cursor) {
  std::lock_guard lock(mu_);
  db_.prepare("INSERT INTO meta(key, value) VALUES('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, std::to_string(cursor))
      .run();
}

std::string LocalStore::integrity_check() {
  std::lock_guard lock(mu_);
  return db_.integrity_check();
}

std::string new_op_id() {
  std::random_device rd;
  char buf[48];
  std::snprintf(buf, sizeof buf, "op-%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

}  // namespace linecrew::device
