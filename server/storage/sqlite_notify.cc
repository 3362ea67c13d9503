#include "linecrew/server/storage/sqlite_notify.h"

#include "linecrew/core/enum_names.h"
#include "linecrew/core/error.h"
#include "linecrew/storage/time_columns.h"

namespace linecrew::storage {

namespace {

constexpr std::array<std::string_view, 4> kStatusNames = {"pending", "sent", "superseded", "rejected"};

const std::vector<const char*> kMigrations = {
    R"sql(
CREATE TABLE notify_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), sequence INTEGER NOT NULL);
INSERT INTO notify_cursor VALUES (1, 0);
CREATE TABLE told (
  ticket_id TEXT PRIMARY KEY,
  told INTEGER NOT NULL,
  eta INTEGER,
  agreed INTEGER,
  eta_updates INTEGER NOT NULL,
  view_version INTEGER NOT NULL
);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  ticket_id TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  language TEXT NOT NULL,
  recipient TEXT NOT NULL,
  content TEXT NOT NULL,
  window_from INTEGER,
  window_to INTEGER,
  link TEXT NOT NULL,
  created INTEGER NOT NULL,
  due INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  sent INTEGER,
  next_try_ms INTEGER NOT NULL DEFAULT 0,
  UNIQUE (ticket_id, key, channel)
);
CREATE INDEX messages_pending ON messages (status, ticket_id, id);
)sql",
    // Withdrawals (rules §7): each starts a new round of "assigned:N" keys.
    "ALTER TABLE told ADD COLUMN withdrawals INTEGER NOT NULL DEFAULT 0;",
    // Follow-up apologies and complaint acknowledgements told (rules §7).
    "ALTER TABLE told ADD COLUMN apologies INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE told ADD COLUMN complaints INTEGER NOT NULL DEFAULT 0;",
};

constexpr const char* kColumns =
    "id, ticket_id, key, kind, channel, language, recipient, content, window_from, window_to, link, created, due, "
    "status, attempts, last_error, sent, next_try_ms";

NotifyMessage read_message(const Statement& s) {
  NotifyMessage m;
  m.id = s.int64(0);
  m.ticket = TicketId(s.text(1));
  m.key = s.text(2);
  m.kind = parse_notice_kind(s.text(3)).value_or(NoticeKind::kAssigned);
  m.channel = s.text(4);
  m.language = s.text(5);
  m.recipient = s.text(6);
  m.content = s.text(7);
  const auto from = s.optional_int64(8), to = s.optional_int64(9);
  if (from && to) m.window = EtaWindow{at(*from), at(*to)};
  m.link = s.text(10);
  m.created = at(s.int64(11));
  m.due = at(s.int64(12));
  m.status = enum_from<MessageStatus>(kStatusNames, s.text(13)).value_or(MessageStatus::kPending);
  m.attempts = static_cast<std::uint32_t>(s.int64(14));
  m.last_error = s.text(15);
  m.sent = at(s.optional_int64(16));
  m.next_try_ms = s.int64(17);
  return m;
}

// Whether a message of `k` makes a pending ETA update stale (it tells a newer
// ETA, or that there is none to wait for).
bool carries_eta(NoticeKind k) {
  return k == NoticeKind::kAssigned || k == NoticeKind::kEtaChanged || k == NoticeKind::kEnRoute ||
         k == NoticeKind::kNewTimeAgreed || k == NoticeKind::kArrived || k == NoticeKind::kCancelled ||
         k == NoticeKind::kWithdrawn;
}

}  // namespace

std::string_view to_string(MessageStatus status) {
  return enum_name(kStatusNames, status);
}

SqliteNotifyStore::SqliteNotifyStore(const std::string& path) : db_(Database::open(path)) {
  migrate(db_, kMigrations);
}

std::uint64_t SqliteNotifyStore::cursor() {
  std::lock_guard lock(mu_);
  auto s = db_.cached("SELECT sequence FROM notify_cursor WHERE id = 1");
  s->step();
  return static_cast<std::uint64_t>(s->int64(0));
}

std::optional<ToldState> SqliteNotifyStore::told(const TicketId& ticket) {
  std::lock_guard lock(mu_);
  auto s = db_.cached(
      "SELECT told, eta, agreed, eta_updates, view_version, withdrawals, apologies, complaints FROM told WHERE "
      "ticket_id = ?");
  s->bind(1, ticket.str());
  if (!s->step()) return std::nullopt;
  ToldState t;
  t.told = static_cast<std::uint32_t>(s->int64(0));
  t.eta = at(s->optional_int64(1));
  t.agreed = at(s->optional_int64(2));
  t.eta_updates = static_cast<std::uint32_t>(s->int64(3));
  t.view_version = static_cast<std::uint32_t>(s->int64(4));
  t.withdrawals = static_cast<std::uint32_t>(s->int64(5));
  t.apologies = static_cast<std::uint32_t>(s->int64(6));
  t.complaints = static_cast<std::uint32_t>(s->int64(7));
  return t;
}

void SqliteNotifyStore::record(const std::vector<TicketNotices>& notices, std::optional<std::uint64_t> cursor) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  auto told = db_.cached(
      "INSERT INTO told (ticket_id, told, eta, agreed, eta_updates, view_version, withdrawals, apologies, complaints) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (ticket_id) DO UPDATE SET told = excluded.told, eta = excluded.eta, agreed = excluded.agreed, "
      "eta_updates = excluded.eta_updates, view_version = excluded.view_version, withdrawals = excluded.withdrawals, "
      "apologies = excluded.apologies, complaints = excluded.complaints");
  auto supersede = db_.cached(
      "UPDATE messages SET status = 'superseded' WHERE ticket_id = ? AND status = 'pending' AND kind = 'eta_changed'");
  auto insert = db_.cached(std::string("INSERT OR IGNORE INTO messages (") + kColumns +
                           ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, '', NULL, 0)");
  for (const TicketNotices& n : notices) {
    told->reset();
    told->bind_all(n.ticket.str(), static_cast<std::int64_t>(n.told.told), secs(n.told.eta), secs(n.told.agreed),
                   static_cast<std::int64_t>(n.told.eta_updates), static_cast<std::int64_t>(n.told.view_version),
                   static_cast<std::int64_t>(n.told.withdrawals), static_cast<std::int64_t>(n.told.apologies),
                   static_cast<std::int64_t>(n.told.complaints));
    told->run();
    for (const NotifyMessage& m : n.messages) {
      if (carries_eta(m.kind)) {
        supersede->reset();
        supersede->bind(1, n.ticket.str());
        supersede->run();
      }
      insert->reset();
      insert->bind_all(n.ticket.str(), m.key, to_string(m.kind), m.channel, m.language, m.recipient, m.content,
                       secs(m.window ? std::optional<TimePoint>(m.window->from) : std::nullopt),
                       secs(m.window ? std::optional<TimePoint>(m.window->to) : std::nullopt), m.link, secs(m.created),
                       secs(m.due));
      insert->run();
    }
  }
  if (cursor)
    db_.cached("UPDATE notify_cursor SET sequence = ? WHERE id = 1")->bind(1, static_cast<std::int64_t>(*cursor)).run();
  tx.commit();
}

std::vector<NotifyMessage> SqliteNotifyStore::due(TimePoint now, std::int64_t now_ms, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto s = db_.cached(std::string("SELECT ") + kColumns +
                      " FROM messages WHERE id IN (SELECT MIN(id) FROM messages WHERE status = 'pending' "
                      "GROUP BY ticket_id) AND due <= ? AND next_try_ms <= ? ORDER BY id LIMIT ?");
  s->bind_all(secs(now), now_ms, static_cast<std::int64_t>(limit));
  std::vector<NotifyMessage> out;
  while (s->step()) out.push_back(read_message(*s));
  return out;
}

void SqliteNotifyStore::mark_sent(std::int64_t id, TimePoint t) {
  std::lock_guard lock(mu_);
  db_.cached("UPDATE messages SET status = 'sent', sent = ?, attempts = attempts + 1, last_error = '' WHERE id = ?")
      ->bind_all(secs(t), id)
      .run();
}

void SqliteNotifyStore::mark_failed(std::int64_t id, const std::string& error, std::int64_t next_try_ms,
                                    bool rejected) {
  std::lock_guard lock(mu_);
  db_.cached("UPDATE messages SET attempts = attempts + 1, last_error = ?, next_try_ms = ?, status = ? WHERE id = ?")
      ->bind_all(error, next_try_ms, rejected ? std::string("rejected") : std::string("pending"), id)
      .run();
}

std::vector<TimePoint> SqliteNotifyStore::send_times(const TicketId& ticket) {
  std::lock_guard lock(mu_);
  auto s = db_.cached(
      "SELECT COALESCE(sent, due), kind FROM messages WHERE ticket_id = ? AND status IN ('sent', 'pending') "
      "ORDER BY id");
  s->bind(1, ticket.str());
  std::vector<TimePoint> out;
  while (s->step()) {
    const auto kind = parse_notice_kind(s->text(1));
    if (!kind || counts_toward_cap(*kind)) out.push_back(at(s->int64(0)));
  }
  return out;
}

std::vector<NotifyMessage> SqliteNotifyStore::messages(const TicketId& ticket) {
  std::lock_guard lock(mu_);
  Statement s = db_.prepare(std::string("SELECT ") + kColumns + " FROM messages WHERE ticket_id = ? ORDER BY id");
  s.bind(1, ticket.str());
  std::vector<NotifyMessage> out;
  while (s.step()) out.push_back(read_message(s));
  return out;
}

}  // namespace linecrew::storage
