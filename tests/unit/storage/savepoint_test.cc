// The shared SQLite wrapper's Savepoint guard, against a real file: what a
// released savepoint keeps and an unreleased one undoes, inside a Transaction.
#include <gtest/gtest.h>

#include <stdexcept>

#include "linecrew/storage/sqlite.h"
#include "server_process.h"
#include "test_support.h"

namespace linecrew::storage {
namespace {

class SavepointTest : public ::testing::Test {
 protected:
  ::linecrew::testing::TempDir dir{"savepoint"};
  std::string path = dir.file("s.db");
  Database db = [this] {
    Database d = Database::open(path);
    d.exec("CREATE TABLE t(n INTEGER NOT NULL)");
    return d;
  }();

  void insert(std::int64_t n) { db.cached("INSERT INTO t(n) VALUES(?)")->bind(1, n).run(); }
  // The rows as committed, read through a second connection.
  std::vector<std::int64_t> committed() const {
    Database other = Database::open(path);
    Statement s = other.prepare("SELECT n FROM t ORDER BY n");
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
  }
};

TEST_F(SavepointTest, ReleaseKeepsTheWrites) {
  Transaction tx(db);
  insert(1);
  {
    Savepoint sp(db, "one");
    insert(2);
    sp.release();
  }
  insert(3);
  tx.commit();
  EXPECT_EQ(committed(), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_F(SavepointTest, AnExceptionBeforeReleaseUndoesOnlyTheSavepointsWrites) {
  Transaction tx(db);
  insert(1);
  try {
    Savepoint sp(db, "one");
    insert(2);
    insert(3);
    throw std::runtime_error("the change failed half way");
  } catch (const std::runtime_error&) {
  }
  insert(4);  // the enclosing transaction goes on
  tx.commit();
  EXPECT_EQ(committed(), (std::vector<std::int64_t>{1, 4}));
}

TEST_F(SavepointTest, OnePerItemOfABatchKeepsTheItemsThatSucceeded) {
  Transaction tx(db);
  for (std::int64_t n = 1; n <= 6; ++n) {
    Savepoint sp(db, "item");
    try {
      insert(n);
      if (n % 3 == 0) throw Error(ErrorCode::kInvalidArgument, "n", "a multiple of three");
      sp.release();
    } catch (const Error&) {
    }
  }
  tx.commit();
  EXPECT_EQ(committed(), (std::vector<std::int64_t>{1, 2, 4, 5}));
  EXPECT_EQ(db.cache_misses(), 3u);  // SAVEPOINT, RELEASE and the INSERT, each prepared once
}

TEST_F(SavepointTest, WithoutATransactionItIsOne) {
  {
    Savepoint sp(db, "alone");
    insert(1);
    sp.release();  // the outermost savepoint's release commits
  }
  {
    Savepoint sp(db, "alone");
    insert(2);
  }
  EXPECT_EQ(committed(), (std::vector<std::int64_t>{1}));
}

TEST_F(SavepointTest, WhenItCannotBeUndoneTheEnclosingCommitFails) {
  Transaction tx(db);
  insert(1);
  {
    Savepoint sp(db, "gone");
    insert(2);
    db.exec("RELEASE gone");  // behind the guard's back: ROLLBACK TO has nothing to go back to
  }
  EXPECT_THROW(tx.commit(), Error);  // rather than keep the savepoint's writes
  EXPECT_TRUE(committed().empty());
}

TEST_F(SavepointTest, TheNameMustBeAnIdentifier) {
  for (const char* name : {"", "1st", "a b", "x; DROP TABLE t"})
    ::linecrew::testing::expect_error([&] { Savepoint sp(db, name); }, ErrorCode::kInternal, "not an SQL identifier");
  Savepoint ok(db, "Batch_2");
  ok.release();
}

}  // namespace
}  // namespace linecrew::storage
