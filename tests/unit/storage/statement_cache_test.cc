// The shared SQLite wrapper's prepared-statement cache (Database::cached).
#include <gtest/gtest.h>

#include "linecrew/storage/sqlite.h"
#include "server_process.h"

namespace linecrew::storage {
namespace {

class StatementCache : public ::testing::Test {
 protected:
  testing::TempDir dir{"stmt-cache"};

  static Database with_rows(const std::string& path) {
    Database db = Database::open(path);
    db.exec("CREATE TABLE t(n INTEGER NOT NULL)");
    for (int i = 1; i <= 3; ++i) db.prepare("INSERT INTO t(n) VALUES(?)").bind(1, std::int64_t{i}).run();
    return db;
  }
  // The busy flag of a TRUNCATE checkpoint from another connection: 1 while a
  // read transaction on the file is open somewhere.
  int checkpoint_busy(const std::string& path) {
    Database other = Database::open(path);
    other.exec("PRAGMA busy_timeout=0");  // answer at once
    Statement s = other.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    EXPECT_TRUE(s.step());
    return static_cast<int>(s.int64(0));
  }
};

TEST_F(StatementCache, TheSameSqlIsPreparedOnceAndReused) {
  Database db = with_rows(dir.file("a.db"));
  for (int round = 0; round < 5; ++round) {
    auto s = db.cached("SELECT COUNT(*) FROM t WHERE n >= ?");
    s->bind(1, std::int64_t{2});
    ASSERT_TRUE(s->step());
    EXPECT_EQ(s->int64(0), 2);
  }
  EXPECT_EQ(db.cached_count(), 1u);
  EXPECT_EQ(db.cache_misses(), 1u);
  { auto other = db.cached("SELECT n FROM t ORDER BY n"); }
  EXPECT_EQ(db.cached_count(), 2u);
  EXPECT_EQ(db.cache_misses(), 2u);
}

TEST_F(StatementCache, EachUseStartsResetWithNoBindings) {
  Database db = with_rows(dir.file("b.db"));
  {
    auto s = db.cached("SELECT ? IS NULL");
    s->bind(1, std::int64_t{7});
    ASSERT_TRUE(s->step());
    EXPECT_EQ(s->int64(0), 0);
  }
  {
    auto s = db.cached("SELECT ? IS NULL");  // the 7 from before must be gone
    ASSERT_TRUE(s->step());
    EXPECT_EQ(s->int64(0), 1);
  }
  {
    auto s = db.cached("SELECT n FROM t ORDER BY n");
    ASSERT_TRUE(s->step());
    ASSERT_TRUE(s->step());
    EXPECT_EQ(s->int64(0), 2);  // left in the middle
  }
  auto s = db.cached("SELECT n FROM t ORDER BY n");
  ASSERT_TRUE(s->step());
  EXPECT_EQ(s->int64(0), 1);  // starts from the first row again
}

TEST_F(StatementCache, AReleasedStatementHoldsNoReadTransaction) {
  const std::string path = dir.file("c.db");
  Database db = with_rows(path);
  {
    auto s = db.cached("SELECT n FROM t ORDER BY n");
    ASSERT_TRUE(s->step());  // mid-result: a read transaction is open
    EXPECT_EQ(checkpoint_busy(path), 1);
  }
  EXPECT_EQ(checkpoint_busy(path), 0);  // reset when the handle went
  db.prepare("INSERT INTO t(n) VALUES(4)").run();
  auto again = db.cached("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(again->step());
  EXPECT_EQ(again->int64(0), 4);  // and a later use sees later writes
}

TEST_F(StatementCache, NestedUseOfTheSameSqlGetsItsOwnStatement) {
  Database db = with_rows(dir.file("d.db"));
  const char* sql = "SELECT n FROM t WHERE n > ? ORDER BY n";
  auto outer = db.cached(sql);
  outer->bind(1, std::int64_t{0});
  std::vector<std::int64_t> pairs;
  while (outer->step()) {
    auto inner = db.cached(sql);
    inner->bind(1, outer->int64(0));
    while (inner->step()) pairs.push_back(outer->int64(0) * 10 + inner->int64(0));
  }
  EXPECT_EQ(pairs, (std::vector<std::int64_t>{12, 13, 23}));
  EXPECT_EQ(db.cached_count(), 1u);
}

TEST_F(StatementCache, MovedHandleStillResetsOnce) {
  Database db = with_rows(dir.file("e.db"));
  {
    auto a = db.cached("SELECT n FROM t ORDER BY n");
    ASSERT_TRUE(a->step());
    auto b = std::move(a);
    ASSERT_TRUE(b->step());
    EXPECT_EQ(b->int64(0), 2);
  }
  auto c = db.cached("SELECT n FROM t ORDER BY n");
  ASSERT_TRUE(c->step());
  EXPECT_EQ(c->int64(0), 1);
  EXPECT_EQ(db.cache_misses(), 1u);
}

TEST_F(StatementCache, IsBoundedAndSqlBeyondItStillRuns) {
  Database db = with_rows(dir.file("f.db"));
  for (int i = 0; i < 300; ++i) {
    auto s = db.cached("SELECT " + std::to_string(i));
    ASSERT_TRUE(s->step());
    EXPECT_EQ(s->int64(0), i);
  }
  EXPECT_LE(db.cached_count(), 128u);
}

TEST_F(StatementCache, SurvivesMovingTheDatabase) {
  Database db = with_rows(dir.file("g.db"));
  { auto s = db.cached("SELECT COUNT(*) FROM t"); }
  Database moved = std::move(db);
  auto s = moved.cached("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(s->step());
  EXPECT_EQ(s->int64(0), 3);
  EXPECT_EQ(moved.cache_misses(), 1u);
}

}  // namespace
}  // namespace linecrew::storage
