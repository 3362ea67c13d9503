// A small RAII layer over SQLite: a move-only connection opened by a factory
// that reports failure as Error, prepared statements that finalise
// themselves, and transactions and savepoints as scope guards (rolled back
// unless committed or released).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace linecrew::storage {

class Statement;
class CachedStatement;

class Database {
 public:
  // Opens (creating) the file in WAL mode with synchronous=FULL, so that a
  // committed transaction survives power loss. Throws Error(kUnavailable).
  static Database open(const std::string& path);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  // A statement prepared once per connection and kept for reuse, keyed by its
  // SQL text: for the fixed statements of hot paths (not for SQL built with
  // values in it). Each use starts reset with no bindings, and the statement
  // is reset again when the returned handle goes, so a kept statement never
  // holds a read transaction open. A nested use of SQL already in use, or SQL
  // beyond the cache's capacity, gets a statement of its own.
  CachedStatement cached(std::string_view sql);
  // How many statements are kept, and how many times cached() had to prepare.
  std::size_t cached_count() const;
  std::uint64_t cache_misses() const;
  // The result of "PRAGMA integrity_check": "ok" when the file is sound.
  std::string integrity_check();
  // The rowid of the last row this connection inserted.
  std::int64_t last_insert_rowid() const;
  int user_version();
  void set_user_version(int version);
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  struct StatementCache;
  Database(sqlite3* db, std::string path);
  void close();
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unique_ptr<StatementCache> cache_;
};

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding is 1-based, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  // Bytes as a BLOB (serialized messages).
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  // Binds the values to parameters 1..N in order.
  template <class... T>
  Statement& bind_all(const T&... values) {
    int index = 0;
    (bind(++index, values), ...);
    return *this;
  }

  // Steps once: true while a row is available.
  bool step();
  // Runs to completion (for statements that return no rows).
  void run();
  void reset();

  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

// A statement from Database::cached(): use it as a Statement*; reset (with
// its bindings cleared) and handed back to the cache when it goes out of scope.
class CachedStatement {
 public:
  CachedStatement(CachedStatement&& other) noexcept;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  CachedStatement& operator=(CachedStatement&&) = delete;
  ~CachedStatement();

  Statement* operator->() { return stmt_; }
  Statement& operator*() { return *stmt_; }

 private:
  friend class Database;
  CachedStatement(Statement* kept, bool* in_use) : stmt_(kept), in_use_(in_use) {}
  explicit CachedStatement(Statement own);
  std::optional<Statement> own_;  // set for a statement outside the cache
  Statement* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // the cache entry's flag, for a kept statement
};

// Brings the schema to the last version: migration i takes it from version i
// to i + 1 (PRAGMA user_version), each in its own transaction. Throws
// Error(kUnavailable) when the file is newer than the migrations known.
void migrate(Database& db, const std::vector<const char*>& migrations);

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// SAVEPOINT <name> on construction; release() keeps its writes (RELEASE).
// Destroyed unreleased (an exception, an early return), it undoes only its
// own writes (ROLLBACK TO, then RELEASE) and the enclosing transaction goes
// on. It never throws from the destructor: if the savepoint cannot be undone,
// the whole transaction is rolled back, so that the enclosing commit fails
// rather than keep half of the savepoint's writes. `name` is an SQL
// identifier; SAVEPOINT and RELEASE are kept in the statement cache.
class Savepoint {
 public:
  Savepoint(Database& db, std::string_view name);
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();
  void release();

 private:
  Database& db_;
  std::string name_;
  bool done_ = false;
};

}  // namespace linecrew::storage
