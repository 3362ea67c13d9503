#include "linecrew/server/storage/sqlite_store.h"
#include "linecrew/storage/time_columns.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <unordered_map>
#include <variant>

#include "linecrew/core/error.h"

namespace linecrew::storage {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

constexpr const char* kColumns =
    "seq, id, client_request_id, fingerprint, customer_name, customer_phone, customer_language, lat, lon, address, "
    "zone_class, zone_name, priority, first_contact, channel, kind, deadline, earliest_start, appointment, "
    "service_s, skills, description, status, owner, pinned, arrival, version, tracking_token, created, "
    "notice_delivered, notice_method, notice_by, parent_id, fault_id";

// Reads a row selected with kColumns. Values were validated on the way in;
// a row that no longer parses is a broken invariant (kInternal).
Ticket read_row(const Statement& s, std::int64_t& seq) {
  const auto must = [](auto opt, const char* what) {
    if (!opt) throw Error(ErrorCode::kInternal, "storage", std::string("corrupt ") + what + " in tickets");
    return *opt;
  };
  Ticket t;
  seq = s.int64(0);
  t.id = TicketId(s.text(1));
  t.client_request_id = s.text(2);
  t.fingerprint = s.text(3);
  t.customer = {s.text(4), s.text(5), s.text(6)};
  t.location = GeoPoint(s.real(7), s.real(8));
  t.address = s.text(9);
  t.zone_class = must(parse_zone_class(s.text(10)), "zone_class");
  t.zone_name = s.text(11);
  t.priority = static_cast<std::uint32_t>(s.int64(12));
  t.first_contact = at(s.int64(13));
  t.channel = must(parse_channel(s.text(14)), "channel");
  t.kind = must(parse_ticket_kind(s.text(15)), "kind");
  t.deadline = at(s.int64(16));
  t.earliest_start = at(s.optional_int64(17));
  t.appointment = at(s.optional_int64(18));
  t.service_duration = Duration(s.int64(19));
  t.required_skills = split(s.text(20));
  t.description = s.text(21);
  t.status = must(parse_ticket_status(s.text(22)), "status");
  if (const auto o = s.text(23); !o.empty()) t.owner = CrewId(o);
  if (const auto p = s.text(24); !p.empty()) t.pinned = CrewId(p);
  t.arrival = at(s.optional_int64(25));
  t.version = static_cast<std::uint64_t>(s.int64(26));
  t.tracking_token = s.text(27);
  t.created = at(s.int64(28));
  if (const auto delivered = s.optional_int64(29))
    t.notice =
        DisconnectionNotice{at(*delivered), must(parse_notice_delivery(s.text(30)), "notice_method"), s.text(31)};
  if (const auto p = s.text(32); !p.empty()) t.parent = TicketId(p);
  if (const auto f = s.text(33); !f.empty()) t.fault = TicketId(f);
  return t;
}

// Appends timeline entries from index `events_from` and contacts from
// `contacts_from` (history is only ever appended).
void append_children(Database& db, std::int64_t seq, const Ticket& t, std::size_t events_from,
                     std::size_t contacts_from) {
  if (events_from < t.timeline.size()) {
    auto ev = db.cached("INSERT INTO ticket_events(ticket_seq, n, time, kind, actor, detail) VALUES(?,?,?,?,?,?)");
    for (std::size_t n = events_from; n < t.timeline.size(); ++n) {
      const TicketEvent& e = t.timeline[n];
      ev->bind_all(seq, static_cast<std::int64_t>(n), secs(e.time), e.kind, e.actor, e.detail).run();
    }
  }
  if (contacts_from < t.contacts.size()) {
    auto ct = db.cached("INSERT INTO contacts(ticket_seq, n, time, reason, proposed, consent) VALUES(?,?,?,?,?,?)");
    for (std::size_t n = contacts_from; n < t.contacts.size(); ++n) {
      const ContactRecord& c = t.contacts[n];
      ct->bind_all(seq, static_cast<std::int64_t>(n), secs(c.time), to_string(c.reason), secs(c.proposed_time),
                   to_string(c.consent))
          .run();
    }
  }
}

// Writes a ticket's records of one kind (escalations, follow-ups,
// complaints) that are new or changed since `before`. Records are only ever
// appended, and a stored one may change only as `may_become(old, new)`
// allows (otherwise kInternal: `rule`). `write(n, record)` stores record n
// (from 1), replacing the row it had.
template <class Record, class MayBecome, class Write>
void write_changed(const std::vector<Record>& records, const std::vector<Record>& before, MayBecome may_become,
                   const char* rule, Write write) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    if (i < before.size()) {
      if (before[i] == r) continue;
      if (!may_become(before[i], r)) throw Error(ErrorCode::kInternal, "storage", rule);
    }
    write(static_cast<std::int64_t>(i + 1), r);
  }
}

// A stored value that no longer parses is a broken invariant (kInternal).
template <class T>
T must_parse(std::optional<T> value, const char* what) {
  if (!value) throw Error(ErrorCode::kInternal, "storage", std::string("corrupt ") + what);
  return *value;
}

std::uint32_t u32(std::int64_t v) {
  return static_cast<std::uint32_t>(v);
}

// Each record table's columns, ticket_seq and n first; read_* read a row
// selected with them.
constexpr const char* kEscalationColumns =
    "ticket_seq, n, kind, key, detail, opened, acknowledged_by, acknowledged_at, resolved_by, resolved_at, "
    "resolution";
constexpr const char* kFollowUpColumns =
    "ticket_seq, n, reason, key, detail, opened, first_due, due, parent, opened_by, attempts, last_attempt, "
    "apologies, outcome, done_at, done_by, note";
constexpr const char* kComplaintColumns =
    "ticket_seq, n, name, address, phone, cause, reason, severity, recorded_by, recorded, closed_at, closed_by, "
    "outcome";

Escalation read_escalation(const Statement& s) {
  Escalation e;
  e.n = u32(s.int64(1));
  e.kind = must_parse(parse_escalation_kind(s.text(2)), "escalation kind");
  e.key = s.text(3);
  e.detail = s.text(4);
  e.opened = at(s.int64(5));
  e.acknowledged_by = s.text(6);
  e.acknowledged_at = at(s.optional_int64(7));
  e.resolved_by = s.text(8);
  e.resolved_at = at(s.optional_int64(9));
  e.resolution = s.text(10);
  return e;
}

FollowUp read_follow_up(const Statement& s) {
  FollowUp f;
  f.n = u32(s.int64(1));
  f.reason = must_parse(parse_follow_up_reason(s.text(2)), "follow-up reason");
  f.key = s.text(3);
  f.detail = s.text(4);
  f.opened = at(s.int64(5));
  f.first_due = at(s.int64(6));
  f.due = at(s.int64(7));
  f.parent = u32(s.int64(8));
  f.opened_by = s.text(9);
  f.attempts = u32(s.int64(10));
  f.last_attempt = at(s.optional_int64(11));
  f.apologies = u32(s.int64(12));
  if (const auto outcome = s.text(13); !outcome.empty())
    f.outcome = must_parse(parse_follow_up_outcome(outcome), "follow-up outcome");
  f.done_at = at(s.optional_int64(14));
  f.done_by = s.text(15);
  f.note = s.text(16);
  return f;
}

Complaint read_complaint(const Statement& s) {
  Complaint c;
  c.n = u32(s.int64(1));
  c.name = s.text(2);
  c.address = s.text(3);
  c.phone = s.text(4);
  c.cause = must_parse(parse_complaint_cause(s.text(5)), "complaint cause");
  c.reason = s.text(6);
  c.severity = must_parse(parse_complaint_severity(s.text(7)), "complaint severity");
  c.recorded_by = s.text(8);
  c.recorded = at(s.int64(9));
  c.closed_at = at(s.optional_int64(10));
  c.closed_by = s.text(11);
  c.outcome = s.text(12);
  return c;
}

// An escalation is only acknowledged and resolved.
bool escalation_may_become(const Escalation& before, const Escalation& after) {
  return before.kind == after.kind && before.key == after.key && before.opened == after.opened;
}

// A follow-up records calls, a new reply time and its outcome; nothing else of it changes.
bool follow_up_may_become(const FollowUp& before, FollowUp after) {
  after.attempts = before.attempts;
  after.last_attempt = before.last_attempt;
  after.apologies = before.apologies;
  after.due = before.due;
  after.outcome = before.outcome;
  after.done_at = before.done_at;
  after.done_by = before.done_by;
  after.note = before.note;
  return after == before;
}

// A complaint is only closed.
bool complaint_may_become(const Complaint& before, Complaint after) {
  after.closed_at = before.closed_at;
  after.closed_by = before.closed_by;
  after.outcome = before.outcome;
  return after == before;
}

// Writes the escalations, follow-ups and complaints of `t` (row `seq`) that
// are new or changed since `before`.
void write_records(Database& db, std::int64_t seq, const Ticket& t, const Ticket& before) {
  write_changed(t.escalations, before.escalations, escalation_may_become,
                "an escalation may only be acknowledged and resolved", [&](std::int64_t n, const Escalation& e) {
                  db.cached(std::string("INSERT OR REPLACE INTO escalations(") + kEscalationColumns +
                            ") VALUES(?,?,?,?,?,?,?,?,?,?,?)")
                      ->bind_all(seq, n, to_string(e.kind), e.key, e.detail, secs(e.opened), e.acknowledged_by,
                                 secs(e.acknowledged_at), e.resolved_by, secs(e.resolved_at), e.resolution)
                      .run();
                });
  write_changed(t.follow_ups, before.follow_ups, follow_up_may_become,
                "a follow-up may only record calls, a new reply time and its outcome",
                [&](std::int64_t n, const FollowUp& f) {
                  // '' when none (the column is NOT NULL; an empty std::string_view() would bind NULL).
                  const std::string_view outcome = f.outcome ? to_string(*f.outcome) : std::string_view("");
                  db.cached(std::string("INSERT OR REPLACE INTO follow_ups(") + kFollowUpColumns +
                            ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                      ->bind_all(seq, n, to_string(f.reason), f.key, f.detail, secs(f.opened), secs(f.first_due),
                                 secs(f.due), static_cast<std::int64_t>(f.parent), f.opened_by,
                                 static_cast<std::int64_t>(f.attempts), secs(f.last_attempt),
                                 static_cast<std::int64_t>(f.apologies), outcome, secs(f.done_at), f.done_by, f.note)
                      .run();
                });
  write_changed(t.complaints, before.complaints, complaint_may_become, "a complaint may only be closed",
                [&](std::int64_t n, const Complaint& c) {
                  db.cached(std::string("INSERT OR REPLACE INTO complaints(") + kComplaintColumns +
                            ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")
                      ->bind_all(seq, n, c.name, c.address, c.phone, to_string(c.cause), c.reason,
                                 to_string(c.severity), c.recorded_by, secs(c.recorded), secs(c.closed_at), c.closed_by,
                                 c.outcome)
                      .run();
                });
}

// Conditions on a record table's own columns (ANDed), with their parameters in order.
struct RecordWhere {
  using Param = std::variant<std::int64_t, std::string>;
  std::string sql;
  std::vector<Param> params;
  void add(const std::string& condition, std::initializer_list<Param> values = {}) {
    sql += " AND " + condition;
    params.insert(params.end(), values);
  }
};

// The page of a record table's rows (escalations, follow-ups, complaints) that meet
// `where`, in ticket order then number, at most `limit` clamped to
// 1..kMaxRecordPage: each row becomes an Entry{ticket id, read(row)} in
// `out`. Returns the next page's cursor (`record_id` of the page's last
// record), empty when there are no more.
template <class Entry, class Read>
std::string record_page(Database& db, const char* table, const char* columns, const RecordWhere& where,
                        std::uint32_t limit, std::string (*record_id)(const TicketId&, std::uint32_t), Read read,
                        std::vector<Entry>& out) {
  // The ticket id follows the table's columns.
  const auto id_column = static_cast<int>(std::count(columns, columns + std::strlen(columns), ',') + 1);
  auto st =
      db.cached(std::string("SELECT ") + columns + ", (SELECT t.id FROM tickets t WHERE t.seq = r.ticket_seq) FROM " +
                table + " r WHERE 1" + where.sql + " ORDER BY r.ticket_seq, r.n LIMIT ?");
  int k = 1;
  for (const RecordWhere::Param& p : where.params) std::visit([&](const auto& v) { st->bind(k++, v); }, p);
  const std::uint32_t page_size = std::clamp<std::uint32_t>(limit, 1, kMaxRecordPage);
  st->bind(k, static_cast<std::int64_t>(page_size) + 1);  // one more: is there a next page?
  std::uint32_t last_n = 0;
  while (st->step()) {
    if (out.size() == page_size) return record_id(out.back().ticket, last_n);
    last_n = u32(st->int64(1));
    out.push_back({TicketId(st->text(id_column)), read(*st)});
  }
  return {};
}

// The page cursor condition for a record id from a previous page.
void add_cursor(RecordWhere& where, const std::optional<RecordRef>& after) {
  if (after)
    where.add("(r.ticket_seq, r.n) > ((SELECT seq FROM tickets WHERE id = ?), ?)",
              {after->ticket.str(), static_cast<std::int64_t>(after->n)});
}

}  // namespace

// Group commit: concurrent creates queue up; one caller at a time (the
// leader) writes everything queued in one transaction, each create inside its
// own savepoint, and commits once (one fsync for the batch). Every caller
// returns only after the commit that holds its ticket: an acknowledgement is
// still durable, and throughput no longer pays one fsync per ticket.
CreateResult SqliteStore::create(Ticket t) {
  PendingCreate done = creates_.submit({std::move(t), std::nullopt}, [this](auto& batch) {
    // An exception out of here (the commit failed) fails the whole batch: nothing in it is stored.
    std::lock_guard db_lock(mu_);
    Transaction tx(db_);
    for (auto& p : batch) {
      Savepoint sp(db_, "create_one");
      try {
        p->item.result = create_locked(std::move(p->item.ticket));
        sp.release();
      } catch (...) {
        p->error = std::current_exception();
      }
    }
    tx.commit();
  });
  return std::move(*done.result);
}

TicketId SqliteStore::reserve_ticket_id() {
  std::lock_guard lock(seq_mu_);
  char id[32];
  std::snprintf(id, sizeof id, "T-%06lld", static_cast<long long>(next_seq_++));
  return TicketId(id);
}

std::optional<Ticket> SqliteStore::find_by_request_id(const std::string& client_request_id) {
  return find_one("SELECT id FROM tickets WHERE client_request_id = ?", client_request_id);
}

std::optional<Ticket> SqliteStore::find_one(const char* id_sql, const std::string& value) {
  return read([&](Database& db) -> std::optional<Ticket> {
    TicketId id;
    {
      auto s = db.cached(id_sql);
      s->bind(1, value);
      if (!s->step()) return std::nullopt;
      id = TicketId(s->text(0));
    }
    return get_in(db, id);
  });
}

CreateResult SqliteStore::create_locked(Ticket t) {
  {
    auto find = db_.cached("SELECT id, fingerprint FROM tickets WHERE client_request_id = ?");
    find->bind(1, t.client_request_id);
    if (find->step()) {
      if (find->text(1) != t.fingerprint)
        throw Error(
            ErrorCode::kAlreadyExists, "client_request_id",
            "'" + t.client_request_id + "' was already used for ticket " + find->text(0) + " with different content");
      const TicketId existing(find->text(0));
      return {*get_in(db_, existing), false};
    }
  }
  if (t.id.empty()) t.id = reserve_ticket_id();
  // The row position is the id's number (reserve_ticket_id).
  const std::string& id = t.id.str();
  if (id.size() < 3 || id.compare(0, 2, "T-") != 0 || id.find_first_not_of("0123456789", 2) != std::string::npos)
    throw Error(ErrorCode::kInternal, "ticket_id", "'" + id + "' is not an id from reserve_ticket_id()");
  const std::int64_t seq = std::stoll(id.substr(2));
  t.version = 1;

  auto ins = db_.cached(std::string("INSERT INTO tickets(") + kColumns +
                        ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins->bind_all(seq, t.id.str(), t.client_request_id, t.fingerprint, t.customer.name, t.customer.phone,
                t.customer.language, t.location.lat(), t.location.lon(), t.address, to_string(t.zone_class),
                t.zone_name, static_cast<std::int64_t>(t.priority), secs(t.first_contact), to_string(t.channel),
                to_string(t.kind), secs(t.deadline), secs(t.earliest_start), secs(t.appointment),
                static_cast<std::int64_t>(t.service_duration.count()), join(t.required_skills), t.description,
                to_string(t.status), t.owner.str(), t.pinned.str(), secs(t.arrival),
                static_cast<std::int64_t>(t.version), t.tracking_token, secs(t.created),
                t.notice ? std::optional<std::int64_t>(secs(t.notice->delivered)) : std::nullopt,
                std::string(t.notice ? to_string(t.notice->method) : ""),
                t.notice ? t.notice->delivered_by : std::string(),  // '' not NULL: the columns are NOT NULL
                t.parent.str(), t.fault.str());
  ins->run();

  append_children(db_, seq, t, 0, 0);
  write_records(db_, seq, t, Ticket());
  record_change_locked(Change::Kind::kTicket, t.id.str());
  if (!t.owner.empty()) record_crew_feed_locked(Ticket(), t);  // created already assigned (planned at intake)
  return {std::move(t), true};
}

Ticket SqliteStore::mutate(const TicketId& id, const std::function<void(Ticket&)>& change) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  Ticket t = mutate_locked(id, change);
  tx.commit();
  return t;
}

std::vector<std::optional<Ticket>> SqliteStore::mutate_many(const std::vector<TicketId>& ids,
                                                            const std::function<void(Ticket&)>& change) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  std::vector<std::optional<Ticket>> out;
  for (const TicketId& id : ids) {
    Savepoint sp(db_, "mutate_one");
    try {
      out.emplace_back(mutate_locked(id, change));
      sp.release();
    } catch (const Error&) {
      out.emplace_back(std::nullopt);
    }
  }
  tx.commit();
  return out;
}

Ticket SqliteStore::mutate_locked(const TicketId& id, const std::function<void(Ticket&)>& change) {
  std::int64_t seq = 0;
  auto found = get_in(db_, id, &seq);
  if (!found) throw Error(ErrorCode::kNotFound, "ticket_id", "no ticket '" + id.str() + "'");
  Ticket t = std::move(*found);
  const Ticket before = t;
  change(t);
  if (t.timeline.size() < before.timeline.size() || t.contacts.size() < before.contacts.size() ||
      t.escalations.size() < before.escalations.size() || t.follow_ups.size() < before.follow_ups.size() ||
      t.complaints.size() < before.complaints.size())
    throw Error(ErrorCode::kInternal, "storage", "ticket history may only be appended to");
  const bool unchanged = t.status == before.status && t.owner == before.owner && t.pinned == before.pinned &&
                         t.fault == before.fault && t.arrival == before.arrival &&
                         t.timeline.size() == before.timeline.size() && t.contacts.size() == before.contacts.size() &&
                         t.escalations == before.escalations && t.follow_ups == before.follow_ups &&
                         t.complaints == before.complaints;
  if (unchanged) return t;  // nothing to write: no new version, no board change
  t.version = before.version + 1;
  db_.cached(
         "UPDATE tickets SET status = ?, owner = ?, pinned = ?, arrival = ?, version = ?, fault_id = ? WHERE seq = ?")
      ->bind_all(to_string(t.status), t.owner.str(), t.pinned.str(), secs(t.arrival),
                 static_cast<std::int64_t>(t.version), t.fault.str(), seq)
      .run();
  append_children(db_, seq, t, before.timeline.size(), before.contacts.size());
  write_records(db_, seq, t, before);
  record_change_locked(Change::Kind::kTicket, id.str());
  record_crew_feed_locked(before, t);
  return t;
}

std::optional<Ticket> SqliteStore::get(const TicketId& id) {
  return read([&](Database& db) { return get_in(db, id); });
}

std::optional<Ticket> SqliteStore::get_in(Database& db, const TicketId& id, std::int64_t* seq_out) {
  std::int64_t seq = 0;
  Ticket t;
  {
    auto s = db.cached(std::string("SELECT ") + kColumns + " FROM tickets WHERE id = ?");
    s->bind(1, id.str());
    if (!s->step()) return std::nullopt;
    t = read_row(*s, seq);
  }
  load_children(db, {{seq, &t}});
  if (seq_out) *seq_out = seq;
  return t;
}

std::optional<Ticket> SqliteStore::find_by_tracking_token(const std::string& token) {
  return find_one("SELECT id FROM tickets WHERE tracking_token = ?", token);
}

void SqliteStore::load_children(Database& db, const std::vector<std::pair<std::int64_t, Ticket*>>& rows) {
  if (rows.empty()) return;
  // One range query per child table for each run of nearby rows (rows are in
  // seq order): a dense page is one query; a filtered page scattered over
  // the table does not read every other ticket's history in between.
  constexpr std::int64_t kMaxGap = 16;
  std::unordered_map<std::int64_t, Ticket*> by_seq;
  for (const auto& [seq, t] : rows) by_seq[seq] = t;
  const auto load = [&](std::int64_t lo, std::int64_t hi) {
    auto ev = db.cached(
        "SELECT ticket_seq, time, kind, actor, detail FROM ticket_events WHERE ticket_seq BETWEEN ? AND ? "
        "ORDER BY ticket_seq, n");
    ev->bind_all(lo, hi);
    while (ev->step())
      if (const auto it = by_seq.find(ev->int64(0)); it != by_seq.end())
        it->second->timeline.push_back({at(ev->int64(1)), ev->text(2), ev->text(3), ev->text(4)});
    auto ct = db.cached(
        "SELECT ticket_seq, time, reason, proposed, consent FROM contacts WHERE ticket_seq BETWEEN ? AND ? "
        "ORDER BY ticket_seq, n");
    ct->bind_all(lo, hi);
    while (ct->step()) {
      const auto it = by_seq.find(ct->int64(0));
      if (it == by_seq.end()) continue;
      const auto reason = parse_delay_reason(ct->text(2));
      const auto consent = parse_consent(ct->text(4));
      if (!reason || !consent) throw Error(ErrorCode::kInternal, "storage", "corrupt contact record");
      it->second->contacts.push_back({at(ct->int64(1)), *reason, at(ct->int64(3)), *consent});
    }
    const auto records = [&](const char* table, const char* columns, auto member, auto read_record) {
      auto st = db.cached(std::string("SELECT ") + columns + " FROM " + table +
                          " WHERE ticket_seq BETWEEN ? AND ? ORDER BY ticket_seq, n");
      st->bind_all(lo, hi);
      while (st->step())
        if (const auto it = by_seq.find(st->int64(0)); it != by_seq.end())
          (it->second->*member).push_back(read_record(*st));
    };
    records("escalations", kEscalationColumns, &Ticket::escalations, read_escalation);
    records("follow_ups", kFollowUpColumns, &Ticket::follow_ups, read_follow_up);
    records("complaints", kComplaintColumns, &Ticket::complaints, read_complaint);
  };
  std::size_t start = 0;
  for (std::size_t k = 1; k <= rows.size(); ++k)
    if (k == rows.size() || rows[k].first - rows[k - 1].first > kMaxGap) {
      load(rows[start].first, rows[k - 1].first);
      start = k;
    }
}

TicketPage SqliteStore::list(const TicketFilter& f) {
  return read([&](Database& db) { return list_in(db, f); });
}

TicketPage SqliteStore::list_in(Database& db, const TicketFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tickets WHERE seq > ?";
  std::vector<std::string> texts;
  const auto in_list = [&](const char* column, const auto& values) {
    if (values.empty()) return;
    sql += std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) {
      sql += i ? ",?" : "?";
      texts.emplace_back(to_string(values[i]));
    }
    sql += ")";
  };
  in_list("zone_class", f.zone_classes);
  in_list("status", f.statuses);
  if (!f.owner.empty()) {
    sql += " AND owner = ?";
    texts.push_back(f.owner.str());
  }
  // "fault_id <> ''" lets SQLite use the partial index of linked tickets.
  if (!f.fault.empty()) {
    sql += " AND fault_id = ? AND fault_id <> ''";
    texts.push_back(f.fault.str());
  } else if (f.linked_only) {
    sql += " AND fault_id <> ''";
  }
  if (f.first_contact_from) sql += " AND first_contact >= " + std::to_string(secs(*f.first_contact_from));
  if (f.first_contact_to) sql += " AND first_contact < " + std::to_string(secs(*f.first_contact_to));
  sql += " ORDER BY seq LIMIT ?";
  Statement s = db.prepare(sql);
  int i = 1;
  s.bind(i++, f.after);
  for (const auto& t : texts) s.bind(i++, t);
  s.bind(i++, static_cast<std::int64_t>(f.limit) + 1);  // one more tells whether a next page exists
  TicketPage page;
  std::int64_t seq = 0;
  std::vector<std::int64_t> seqs;
  while (s.step()) {
    if (page.tickets.size() == f.limit) {
      page.next_after = seq;
      break;
    }
    page.tickets.push_back(read_row(s, seq));
    seqs.push_back(seq);
  }
  std::vector<std::pair<std::int64_t, Ticket*>> rows;
  for (std::size_t k = 0; k < seqs.size(); ++k) rows.emplace_back(seqs[k], &page.tickets[k]);
  load_children(db, rows);
  return page;
}

std::vector<Ticket> SqliteStore::fault_candidates(const GeoPoint& near, double radius_m, TimePoint from, TimePoint to) {
  // A box around the point (a degree of latitude is ~111.32 km; of longitude,
  // that times cos(latitude)); the caller measures the real distance.
  constexpr double kMetresPerDegree = 111320.0;
  constexpr double kPi = 3.14159265358979323846;
  const double dlat = radius_m / kMetresPerDegree;
  const double dlon = radius_m / (kMetresPerDegree * std::max(0.01, std::cos(near.lat() * kPi / 180.0)));
  constexpr std::int64_t kMaxCandidates = 50;
  return read([&](Database& db) {
    // The terms after "lat BETWEEN" repeat the partial index's condition, so SQLite uses it.
    auto s = db.cached(std::string("SELECT ") + kColumns +
                       " FROM tickets WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND first_contact BETWEEN ? "
                       "AND ? AND kind = 'fault_repair' AND fault_id = '' AND status IN ('reported', 'assigned', "
                       "'accepted', 'en_route') ORDER BY seq LIMIT ?");
    s->bind_all(near.lat() - dlat, near.lat() + dlat, near.lon() - dlon, near.lon() + dlon, secs(from), secs(to),
                kMaxCandidates);
    std::vector<Ticket> out;
    std::vector<std::int64_t> seqs;
    while (s->step()) {
      std::int64_t seq = 0;
      out.push_back(read_row(*s, seq));
      seqs.push_back(seq);
    }
    std::vector<std::pair<std::int64_t, Ticket*>> rows;
    for (std::size_t k = 0; k < seqs.size(); ++k) rows.emplace_back(seqs[k], &out[k]);
    load_children(db, rows);
    return out;
  });
}

std::map<TicketId, std::uint32_t> SqliteStore::count_fault_callers(const std::vector<TicketId>& leads) {
  return read([&](Database& db) {
    std::map<TicketId, std::uint32_t> out;
    auto s = db.cached(
        "SELECT COUNT(*) FROM tickets WHERE fault_id = ? AND fault_id <> '' AND status NOT IN ('closed', "
        "'cancelled')");
    for (const TicketId& lead : leads) {
      s->reset();
      s->bind(1, lead.str());
      if (s->step() && s->int64(0) > 0) out[lead] = static_cast<std::uint32_t>(s->int64(0));
    }
    return out;
  });
}

OpenCounts SqliteStore::open_counts(TimePoint now) {
  return read([&](Database& db) {
    OpenCounts out;
    Statement s = db.prepare(
        "SELECT zone_class, status, COUNT(*) FROM tickets WHERE status NOT IN ('closed', 'cancelled') "
        "GROUP BY zone_class, status ORDER BY zone_class, status");
    while (s.step()) {
      const auto zone = parse_zone_class(s.text(0));
      const auto status = parse_ticket_status(s.text(1));
      if (zone && status) out.by_zone_status.push_back({*zone, *status, s.int64(2)});
    }
    Statement late = db.prepare(
        "SELECT COUNT(*) FROM tickets WHERE status NOT IN ('closed', 'cancelled') AND arrival IS NULL AND deadline < "
        "?");
    late.bind(1, secs(now));
    late.step();
    out.past_deadline = late.int64(0);
    return out;
  });
}

EscalationPage SqliteStore::list_escalations(const EscalationFilter& f) {
  RecordWhere where;
  // Each state is a condition on the two times; the unresolved ones use the partial index.
  std::string states;
  for (const EscalationState st : f.states) {
    states += states.empty() ? "" : " OR ";
    switch (st) {
      case EscalationState::kOpen:
        states += "(r.resolved_at IS NULL AND r.acknowledged_at IS NULL)";
        break;
      case EscalationState::kAcknowledged:
        states += "(r.resolved_at IS NULL AND r.acknowledged_at IS NOT NULL)";
        break;
      case EscalationState::kResolved:
        states += "r.resolved_at IS NOT NULL";
        break;
    }
  }
  if (!f.states.empty() && std::find(f.states.begin(), f.states.end(), EscalationState::kResolved) == f.states.end())
    where.add("r.resolved_at IS NULL");
  if (!states.empty()) where.add("(" + states + ")");
  if (!f.kinds.empty()) {
    std::string in = "r.kind IN (";
    for (std::size_t i = 0; i < f.kinds.size(); ++i) {
      in += i ? ",?" : "?";
      where.params.emplace_back(std::string(to_string(f.kinds[i])));
    }
    where.add(in + ")");
  }
  if (!f.ticket.empty()) where.add("r.ticket_seq = (SELECT seq FROM tickets WHERE id = ?)", {f.ticket.str()});
  std::optional<EscalationRef> after;
  if (!f.after.empty()) after = parse_escalation_id(f.after, "page_token");
  add_cursor(where, after);
  return read([&](Database& db) {
    EscalationPage page;
    page.next_after = record_page(db, "escalations", kEscalationColumns, where, f.limit, escalation_id, read_escalation,
                                  page.escalations);
    return page;
  });
}

EscalationFigures SqliteStore::unresolved_escalations() {
  return read([](Database& db) {
    EscalationFigures out;
    auto st = db.cached(std::string("SELECT ") + kEscalationColumns + " FROM escalations WHERE resolved_at IS NULL");
    while (st->step()) out.add(read_escalation(*st));
    return out;
  });
}

FollowUpPage SqliteStore::list_follow_ups(const FollowUpFilter& f) {
  RecordWhere where;
  if (f.owed_only) where.add("r.done_at IS NULL");
  if (f.due_before) where.add("r.due < ?", {secs(*f.due_before)});
  if (!f.ticket.empty()) where.add("r.ticket_seq = (SELECT seq FROM tickets WHERE id = ?)", {f.ticket.str()});
  std::optional<RecordRef> after;
  if (!f.after.empty()) after = parse_follow_up_id(f.after, "page_token");
  add_cursor(where, after);
  return read([&](Database& db) {
    FollowUpPage page;
    page.next_after =
        record_page(db, "follow_ups", kFollowUpColumns, where, f.limit, follow_up_id, read_follow_up, page.follow_ups);
    return page;
  });
}

std::vector<TicketId> SqliteStore::tickets_with_overdue_follow_ups(TimePoint now) {
  return read([&](Database& db) {
    auto st = db.cached(
        "SELECT id FROM tickets WHERE seq IN (SELECT ticket_seq FROM follow_ups WHERE done_at IS NULL AND due < ?) "
        "ORDER BY seq");
    st->bind(1, secs(now));
    std::vector<TicketId> out;
    while (st->step()) out.emplace_back(st->text(0));
    return out;
  });
}

FollowUpFigures SqliteStore::owed_follow_ups(TimePoint now) {
  return read([&](Database& db) {
    FollowUpFigures out;
    auto st = db.cached(std::string("SELECT ") + kFollowUpColumns + " FROM follow_ups WHERE done_at IS NULL");
    while (st->step()) out.add(read_follow_up(*st), now);
    return out;
  });
}

ComplaintPage SqliteStore::list_complaints(const ComplaintFilter& f) {
  RecordWhere where;
  if (f.open_only) where.add("r.closed_at IS NULL");
  if (!f.ticket.empty()) where.add("r.ticket_seq = (SELECT seq FROM tickets WHERE id = ?)", {f.ticket.str()});
  std::optional<RecordRef> after;
  if (!f.after.empty()) after = parse_complaint_id(f.after, "page_token");
  add_cursor(where, after);
  return read([&](Database& db) {
    ComplaintPage page;
    page.next_after =
        record_page(db, "complaints", kComplaintColumns, where, f.limit, complaint_id, read_complaint, page.complaints);
    return page;
  });
}

ComplaintFigures SqliteStore::open_complaints() {
  return read([](Database& db) {
    ComplaintFigures out;
    auto st = db.cached(std::string("SELECT ") + kComplaintColumns + " FROM complaints WHERE closed_at IS NULL");
    while (st->step()) out.add(read_complaint(*st));
    return out;
  });
}

std::int64_t SqliteStore::count() {
  return read([](Database& db) {
    auto s = db.cached("SELECT COUNT(*) FROM tickets");
    s->step();
    return s->int64(0);
  });
}

}  // namespace linecrew::storage
