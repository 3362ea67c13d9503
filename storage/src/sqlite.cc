#include "linecrew/storage/sqlite.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "linecrew/core/error.h"

namespace linecrew::storage {

namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  const std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  const bool busy = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
  throw Error(busy ? ErrorCode::kUnavailable : ErrorCode::kInternal, "storage", msg);
}

// Enough for every fixed statement of a store; SQL beyond it is prepared per use.
constexpr std::size_t kMaxCachedStatements = 128;

}  // namespace

struct Database::StatementCache {
  struct Entry {
    std::unique_ptr<Statement> stmt;
    bool in_use = false;
  };
  std::map<std::string, Entry, std::less<>> entries;
  std::uint64_t misses = 0;
};

Database::Database(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), cache_(std::make_unique<StatementCache>()) {}

void Database::close() {
  cache_.reset();  // finalise the kept statements before the connection
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

Database Database::open(const std::string& path) {
  // SQLite's memory statistics take one process-wide mutex on every
  // allocation; nothing here reads them, and with many connections on many
  // threads (the server's read pool, the simulator's handhelds) that mutex
  // was contended. Must be set before SQLite initialises; later it is refused
  // harmlessly (SQLITE_MISUSE).
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw Error(ErrorCode::kUnavailable, path, "cannot open database: " + msg);
  }
  Database out(db, path);
  sqlite3_busy_timeout(db, 5000);
  out.exec("PRAGMA journal_mode=WAL");
  out.exec("PRAGMA synchronous=FULL");
  out.exec("PRAGMA foreign_keys=ON");
  return out;
}

Database::Database(Database&& other) noexcept
    : db_(other.db_), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = other.db_;
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  close();
}

void Database::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    fail(db_, "exec '" + s.substr(0, 60) + "': " + msg);
  }
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    fail(db_, "prepare '" + std::string(sql.substr(0, 60)) + "'");
  return Statement(stmt, db_);
}

CachedStatement Database::cached(std::string_view sql) {
  if (!cache_) cache_ = std::make_unique<StatementCache>();
  auto it = cache_->entries.find(sql);
  if (it == cache_->entries.end()) {
    ++cache_->misses;
    if (cache_->entries.size() >= kMaxCachedStatements) return CachedStatement(prepare(sql));
    auto stmt = std::make_unique<Statement>(prepare(sql));
    it = cache_->entries.emplace(std::string(sql), StatementCache::Entry{std::move(stmt), false}).first;
  } else if (it->second.in_use) {
    ++cache_->misses;
    return CachedStatement(prepare(sql));  // nested use of the same SQL
  }
  it->second.stmt->reset();
  it->second.in_use = true;
  return CachedStatement(it->second.stmt.get(), &it->second.in_use);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::size_t Database::cached_count() const {
  return cache_ ? cache_->entries.size() : 0;
}

std::uint64_t Database::cache_misses() const {
  return cache_ ? cache_->misses : 0;
}

CachedStatement::CachedStatement(Statement own) : own_(std::move(own)) {
  stmt_ = &*own_;
}

CachedStatement::CachedStatement(CachedStatement&& other) noexcept
    : own_(std::move(other.own_)), stmt_(other.stmt_), in_use_(other.in_use_) {
  if (own_) stmt_ = &*own_;
  other.own_.reset();
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

CachedStatement::~CachedStatement() {
  if (!in_use_) return;  // moved from, or a statement of its own (finalised with own_)
  stmt_->reset();
  *in_use_ = false;
}

std::string Database::integrity_check() {
  Statement s = prepare("PRAGMA integrity_check");
  std::string out;
  while (s.step()) out += (out.empty() ? "" : "; ") + s.text(0);
  return out;
}

int Database::user_version() {
  Statement s = prepare("PRAGMA user_version");
  s.step();
  return static_cast<int>(s.int64(0));
}

void Database::set_user_version(int version) {
  exec("PRAGMA user_version=" + std::to_string(version));
}

Statement::Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
  other.stmt_ = nullptr;
}
Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}
std::string Statement::blob(int column) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}
Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}
std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}
std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return int64(column);
}

void migrate(Database& db, const std::vector<const char*>& migrations) {
  const int version = db.user_version();
  const int known = static_cast<int>(migrations.size());
  if (version > known)
    throw Error(ErrorCode::kUnavailable, db.path(),
                "schema version " + std::to_string(version) + " is newer than this program knows (" +
                    std::to_string(known) + ")");
  for (int v = version; v < known; ++v) {
    Transaction tx(db);
    db.exec(migrations[static_cast<std::size_t>(v)]);
    db.set_user_version(v + 1);
    tx.commit();
  }
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

Savepoint::Savepoint(Database& db, std::string_view name) : db_(db), name_(name) {
  const bool identifier =
      !name_.empty() && !std::isdigit(static_cast<unsigned char>(name_[0])) &&
      std::all_of(name_.begin(), name_.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
  if (!identifier) throw Error(ErrorCode::kInternal, "savepoint", "'" + name_ + "' is not an SQL identifier");
  db_.cached("SAVEPOINT " + name_)->run();
}

Savepoint::~Savepoint() {
  if (done_) return;
  const std::string undo = "ROLLBACK TO " + name_ + "; RELEASE " + name_;
  if (sqlite3_exec(db_.handle(), undo.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK &&
      !sqlite3_get_autocommit(db_.handle()))
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Savepoint::release() {
  db_.cached("RELEASE " + name_)->run();
  done_ = true;
}

}  // namespace linecrew::storage
