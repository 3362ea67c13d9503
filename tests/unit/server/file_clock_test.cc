#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "linecrew/core/error.h"
#include "linecrew/server/app/file_clock.h"

namespace linecrew::app {
namespace {

namespace fs = std::filesystem;

class FileClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("linecrew-file-clock-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "clock.txt").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Rewrites the file in place and gives it the modification time `mtime`.
  void write(const std::string& iso, const timespec& mtime) {
    std::ofstream(path_, std::ios::trunc) << iso << "\n";
    const timespec times[2] = {mtime, mtime};
    ASSERT_EQ(::utimensat(AT_FDCWD, path_.c_str(), times, 0), 0);
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(FileClockTest, FollowsTheFileAndNeverGoesBack) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  write("2026-11-22T14:00:00Z", now);
  const FileClock clock(path_);
  EXPECT_EQ(clock.now(), parse_utc("2026-11-22T14:00:00Z"));
  write("2026-11-22T13:00:00Z", timespec{now.tv_sec + 1, 0});
  EXPECT_EQ(clock.now(), parse_utc("2026-11-22T14:00:00Z"));  // never backwards
  write("2026-11-22T15:30:00Z", timespec{now.tv_sec + 2, 0});
  EXPECT_EQ(clock.now(), parse_utc("2026-11-22T15:30:00Z"));
}

// File times tick coarsely: a second rewrite in the same tick, of the same
// length, leaves the file's stamp (time, size, inode) unchanged. It must not
// be missed.
TEST_F(FileClockTest, SeesARewriteWithinTheSameFileTimeTick) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  write("2026-11-22T14:05:00Z", now);
  const FileClock clock(path_);
  EXPECT_EQ(clock.now(), parse_utc("2026-11-22T14:05:00Z"));
  write("2026-11-22T14:06:00Z", now);  // same length, same modification time, same inode
  EXPECT_EQ(clock.now(), parse_utc("2026-11-22T14:06:00Z"));
}

TEST(FileClock, AMissingFileIsAClearError) {
  EXPECT_THROW(FileClock("/nonexistent/clock.txt"), Error);
}

}  // namespace
}  // namespace linecrew::app
