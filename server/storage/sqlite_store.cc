#include "linecrew/server/storage/sqlite_store.h"

#include <array>

#include "linecrew/core/error.h"
#include "linecrew/storage/time_columns.h"

namespace linecrew::storage {

namespace {

// Versioned migrations: entry i brings the schema from version i to i + 1.
// Never edit a released entry; append a new one.
const std::vector<const char*> kMigrations = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tickets(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  client_request_id TEXT NOT NULL UNIQUE,
  fingerprint TEXT NOT NULL,
  customer_name TEXT NOT NULL,
  customer_phone TEXT NOT NULL,
  customer_language TEXT NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  address TEXT NOT NULL,
  zone_class TEXT NOT NULL,
  zone_name TEXT NOT NULL,
  priority INTEGER NOT NULL,
  first_contact INTEGER NOT NULL,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  deadline INTEGER NOT NULL,
  earliest_start INTEGER,
  appointment INTEGER,
  service_s INTEGER NOT NULL,
  skills TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  owner TEXT NOT NULL,
  pinned TEXT NOT NULL,
  arrival INTEGER,
  version INTEGER NOT NULL,
  tracking_token TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL);
CREATE INDEX tickets_status ON tickets(status);
CREATE INDEX tickets_owner ON tickets(owner);
CREATE TABLE ticket_events(
  ticket_seq INTEGER NOT NULL REFERENCES tickets(seq),
  n INTEGER NOT NULL,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY(ticket_seq, n));
CREATE TABLE contacts(
  ticket_seq INTEGER NOT NULL REFERENCES tickets(seq),
  n INTEGER NOT NULL,
  time INTEGER NOT NULL,
  reason TEXT NOT NULL,
  proposed INTEGER NOT NULL,
  consent TEXT NOT NULL,
  PRIMARY KEY(ticket_seq, n));
)sql",
    R"sql(
CREATE TABLE tokens(
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  crew_id TEXT NOT NULL,
  label TEXT NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  revoked INTEGER);
)sql",
    R"sql(
CREATE TABLE crews(
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  on_shift INTEGER NOT NULL,
  version INTEGER NOT NULL);
CREATE TABLE changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  entity TEXT NOT NULL);
)sql",
    R"sql(
CREATE TABLE sync_ops(
  device_id TEXT NOT NULL,
  op_id TEXT NOT NULL,
  crew_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT NOT NULL,
  ticket_version INTEGER NOT NULL,
  received INTEGER NOT NULL,
  PRIMARY KEY(device_id, op_id));
CREATE TABLE crew_feed(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  crew_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  removal TEXT NOT NULL,
  detail TEXT NOT NULL,
  time INTEGER NOT NULL);
CREATE INDEX crew_feed_crew ON crew_feed(crew_id, seq);
)sql",
    R"sql(
-- Handheld sync upkeep: dedup records are pruned by age; each device's last
-- pulled cursor; per crew, the feed rows up to seq are pruned (a cursor below
-- it gets a full resync).
CREATE INDEX sync_ops_received ON sync_ops(received);
CREATE TABLE sync_devices(
  device_id TEXT PRIMARY KEY,
  crew_id TEXT NOT NULL,
  cursor INTEGER NOT NULL,
  seen INTEGER NOT NULL);
CREATE TABLE crew_feed_floor(
  crew_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL);
)sql",
    R"sql(
-- Escalations (rules §7): children of their ticket, numbered from 1; the
-- desk's queue reads the unresolved ones through the partial index.
CREATE TABLE escalations(
  ticket_seq INTEGER NOT NULL REFERENCES tickets(seq),
  n INTEGER NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  detail TEXT NOT NULL,
  opened INTEGER NOT NULL,
  acknowledged_by TEXT NOT NULL,
  acknowledged_at INTEGER,
  resolved_by TEXT NOT NULL,
  resolved_at INTEGER,
  resolution TEXT NOT NULL,
  PRIMARY KEY(ticket_seq, n));
CREATE INDEX escalations_unresolved ON escalations(ticket_seq, n) WHERE resolved_at IS NULL;
-- A disconnection's delivered notice (rules §7); NULL / '' for other kinds.
ALTER TABLE tickets ADD COLUMN notice_delivered INTEGER;
ALTER TABLE tickets ADD COLUMN notice_method TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN notice_by TEXT NOT NULL DEFAULT '';
-- The ticket a return visit follows up ('' for none).
ALTER TABLE tickets ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
)sql",
    R"sql(
-- Follow-ups and complaints (rules §7): children of their ticket, numbered
-- from 1. The desk's queues and the overdue sweep read the owed follow-ups
-- and the open complaints through the partial indexes. An outcome not yet
-- recorded is ''.
CREATE TABLE follow_ups(
  ticket_seq INTEGER NOT NULL REFERENCES tickets(seq),
  n INTEGER NOT NULL,
  reason TEXT NOT NULL,
  key TEXT NOT NULL,
  detail TEXT NOT NULL,
  opened INTEGER NOT NULL,
  first_due INTEGER NOT NULL,
  due INTEGER NOT NULL,
  parent INTEGER NOT NULL,
  opened_by TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_attempt INTEGER,
  apologies INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  done_at INTEGER,
  done_by TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY(ticket_seq, n));
CREATE INDEX follow_ups_owed_by_due ON follow_ups(due) WHERE done_at IS NULL;
CREATE INDEX follow_ups_owed ON follow_ups(ticket_seq, n) WHERE done_at IS NULL;
CREATE TABLE complaints(
  ticket_seq INTEGER NOT NULL REFERENCES tickets(seq),
  n INTEGER NOT NULL,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  phone TEXT NOT NULL,
  cause TEXT NOT NULL,
  reason TEXT NOT NULL,
  severity TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded INTEGER NOT NULL,
  closed_at INTEGER,
  closed_by TEXT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY(ticket_seq, n));
CREATE INDEX complaints_open ON complaints(ticket_seq, n) WHERE closed_at IS NULL;
)sql",
    R"sql(
-- One fault, many callers (rules §7): the ticket standing for this one's
-- fault ('' for none). Intake looks for an open, unlinked fault repair near a
-- new report (the first index); the fault's followers read its linked tickets
-- (the second).
ALTER TABLE tickets ADD COLUMN fault_id TEXT NOT NULL DEFAULT '';
CREATE INDEX tickets_fault_leads ON tickets(lat, lon) WHERE kind = 'fault_repair' AND fault_id = '' AND status IN
  ('reported', 'assigned', 'accepted', 'en_route');
CREATE INDEX tickets_fault_members ON tickets(fault_id) WHERE fault_id <> '';
)sql",
};

}  // namespace

SqliteStore::SqliteStore(const std::string& path)
    : db_(Database::open(path)), pooled_reads_(path != ":memory:" && !path.empty()) {
  migrate(db_, kMigrations);
  Statement mark = db_.prepare("SELECT value FROM meta WHERE key = 'open'");
  unclean_ = mark.step() && mark.text(0) == "1";
  if (unclean_) {
    const std::string result = db_.integrity_check();
    if (result != "ok") throw Error(ErrorCode::kUnavailable, path, "integrity_check failed: " + result);
  }
  db_.exec("INSERT INTO meta(key, value) VALUES('open', '1') ON CONFLICT(key) DO UPDATE SET value = '1'");
  Statement next = db_.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets");
  next.step();
  next_seq_ = next.int64(0);
}

SqliteStore::~SqliteStore() {
  try {
    db_.exec("UPDATE meta SET value = '0' WHERE key = 'open'");
  } catch (...) {  // a destructor must not throw; the next open runs integrity_check
  }
}

void SqliteStore::add_token(const TokenRecord& t) {
  std::lock_guard lock(mu_);
  db_.prepare(
         "INSERT INTO tokens(id, secret_hash, role, crew_id, label, created, expires, revoked) "
         "VALUES(?,?,?,?,?,?,?,?)")
      .bind_all(t.id, t.secret_hash, to_string(t.role), t.crew.str(), t.label, secs(t.created), secs(t.expires),
                secs(t.revoked))
      .run();
}

std::optional<TokenRecord> SqliteStore::find_token(const std::string& secret_hash) {
  return read([&](Database& db) -> std::optional<TokenRecord> {
    auto s = db.cached(
        "SELECT id, secret_hash, role, crew_id, label, created, expires, revoked FROM tokens WHERE secret_hash = ?");
    s->bind(1, secret_hash);
    if (!s->step()) return std::nullopt;
    const auto role = parse_role(s->text(2));
    if (!role) throw Error(ErrorCode::kInternal, "storage", "corrupt role in tokens");
    TokenRecord t{s->text(0), s->text(1),      *role,           {},
                  s->text(4), at(s->int64(5)), at(s->int64(6)), at(s->optional_int64(7))};
    if (const auto crew = s->text(3); !crew.empty()) t.crew = CrewId(crew);
    return t;
  });
}

TimePoint SqliteStore::revoke_token(const std::string& token_id, TimePoint now) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  Statement s = db_.prepare("SELECT revoked FROM tokens WHERE id = ?");
  s.bind(1, token_id);
  if (!s.step()) throw Error(ErrorCode::kNotFound, "token_id", "no token '" + token_id + "'");
  if (const auto revoked = s.optional_int64(0)) return at(*revoked);
  db_.prepare("UPDATE tokens SET revoked = ? WHERE id = ?").bind_all(secs(now), token_id).run();
  tx.commit();
  return now;
}

void SqliteStore::record_change_locked(Change::Kind kind, const std::string& id) {
  db_.cached("INSERT INTO changes(kind, entity) VALUES(?, ?)")
      ->bind_all(std::string_view(kind == Change::Kind::kTicket ? "ticket" : "crew"), id)
      .run();
}

std::vector<Change> SqliteStore::changes_since(std::uint64_t sequence, std::size_t limit) {
  return read([&](Database& db) {
    auto s = db.cached("SELECT seq, kind, entity FROM changes WHERE seq > ? ORDER BY seq LIMIT ?");
    s->bind_all(static_cast<std::int64_t>(sequence), static_cast<std::int64_t>(limit));
    std::vector<Change> out;
    while (s->step())
      out.push_back({static_cast<std::uint64_t>(s->int64(0)),
                     s->text(1) == "ticket" ? Change::Kind::kTicket : Change::Kind::kCrew, s->text(2)});
    return out;
  });
}

std::uint64_t SqliteStore::last_sequence() {
  return read([](Database& db) {
    auto s = db.cached("SELECT COALESCE(MAX(seq), 0) FROM changes");
    s->step();
    return static_cast<std::uint64_t>(s->int64(0));
  });
}

std::int64_t SqliteStore::count_tokens() {
  return read([](Database& db) {
    auto s = db.cached("SELECT COUNT(*) FROM tokens");
    s->step();
    return s->int64(0);
  });
}

std::unique_ptr<Database> SqliteStore::take_reader() {
  constexpr std::size_t kMaxReaders = 4;
  std::unique_lock lock(readers_mu_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty() || open_readers_ < kMaxReaders; });
  if (!idle_readers_.empty()) {
    auto db = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return db;
  }
  ++open_readers_;
  lock.unlock();
  try {
    auto db = std::make_unique<Database>(Database::open(db_.path()));
    db->exec("PRAGMA query_only=1");
    return db;
  } catch (...) {
    give_back(nullptr);
    throw;
  }
}

void SqliteStore::give_back(std::unique_ptr<Database> db) {
  {
    std::lock_guard lock(readers_mu_);
    if (db)
      idle_readers_.push_back(std::move(db));
    else
      --open_readers_;  // dropped: another may be opened
  }
  readers_cv_.notify_one();
}

}  // namespace linecrew::storage
