// The contract's limits, written once: the text limits table against the
// ranges the .proto comments state, and the wire-time checks.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "linecrew/core/limits.h"
#include "linecrew/core/text.h"
#include "linecrew/core/time.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::expect_error;

struct Stated {
  std::size_t lo = 0, hi = 0;
  std::string setter;  // "client", "device", "server"
};

// "Message.field" -> the "N..M chars" range its comment states, for every
// field of every message in proto/linecrew/v1 (nested messages by their own name).
std::map<std::string, Stated> stated_ranges() {
  std::map<std::string, Stated> out;
  const std::regex message_re(R"(^\s*message\s+(\w+)\s*\{(\s*\})?)");
  const std::regex field_re(R"(^\s*(repeated\s+|optional\s+)?[\w.]+\s+(\w+)\s*=\s*\d+\s*;)");
  const std::regex range_re(R"((\d+)\.\.(\d+) chars)");
  const std::regex setter_re(R"(Set by (client|device|server))");
  for (const char* file : {"common.proto", "crew_sync.proto", "customer.proto", "dispatch.proto"}) {
    std::ifstream in(std::string(LINECREW_SOURCE_DIR) + "/proto/linecrew/v1/" + file);
    EXPECT_TRUE(in.good()) << file;
    std::vector<std::string> messages;  // open message names, innermost last
    std::vector<int> depth_of;          // brace depth at which each opened
    int depth = 0;
    std::string comment;
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      const auto trimmed = line.find_first_not_of(' ');
      if (trimmed != std::string::npos && line.compare(trimmed, 2, "//") == 0) {
        comment += line.substr(trimmed + 2) + " ";
        continue;
      }
      if (std::regex_search(line, m, message_re)) {
        if (!m[2].matched) {
          messages.push_back(m[1]);
          depth_of.push_back(depth);
        }
      } else if (std::regex_search(line, m, field_re) && !messages.empty()) {
        std::smatch r, s;
        if (std::regex_search(comment, r, range_re)) {
          Stated st{std::stoul(r[1]), std::stoul(r[2]), ""};
          if (std::regex_search(comment, s, setter_re)) st.setter = s[1];
          out[messages.back() + "." + std::string(m[2])] = st;
        }
      }
      for (const char c : line) {
        if (c == '{') ++depth;
        if (c == '}') {
          --depth;
          if (!depth_of.empty() && depth == depth_of.back()) {
            messages.pop_back();
            depth_of.pop_back();
          }
        }
      }
      comment.clear();
    }
  }
  return out;
}

TEST(Limits, TheTableIsTheContract) {
  const auto stated = stated_ranges();
  ASSERT_GT(stated.size(), 15u) << "the .proto parser found too little: the comment format changed?";
  std::map<std::string, const TextLimit*> table;
  for (const TextLimit& l : all_text_limits()) {
    std::istringstream names{std::string(l.fields)};
    for (std::string name; names >> name;) {
      EXPECT_FALSE(table.count(name)) << name << " is in two entries";
      table[name] = &l;
      const auto it = stated.find(name);
      ASSERT_NE(it, stated.end()) << name << " states no 'N..M chars' range in the .proto files";
      EXPECT_EQ(it->second.lo, l.lo) << name;
      EXPECT_EQ(it->second.hi, l.hi) << name;
    }
  }
  // Every text a client or device sets, with a stated range, has an entry.
  for (const auto& [name, st] : stated) {
    if (st.setter != "client" && st.setter != "device") continue;
    EXPECT_TRUE(table.count(name)) << name << " (" << st.lo << ".." << st.hi << " chars, set by " << st.setter
                                   << ") is missing from core/limits.h";
  }
}

TEST(Limits, LengthsAreCodePointsNotBytes) {
  std::string chinese;
  for (int i = 0; i < 900; ++i) chinese += "断";  // 3 bytes each
  EXPECT_NO_THROW(check_length(chinese, limit::kCauseText, "cause_found.text"));
  expect_error([&] { check_length(chinese + chinese, limit::kCauseText, "cause_found.text"); },
               ErrorCode::kInvalidArgument, "cause_found.text: is longer than 1000 characters");
  std::string reason;
  for (int i = 0; i < 501; ++i) reason += "因";
  expect_error([&] { check_length(reason, limit::kCancelReason, "reason"); }, ErrorCode::kInvalidArgument, "reason:");
  EXPECT_NO_THROW(check_length(reason.substr(3), limit::kCancelReason, "reason"));
}

TEST(Limits, TruncationAndEchoNeverCutACharacter) {
  EXPECT_EQ(truncate_code_points("断电了", 2), "断电");
  EXPECT_EQ(truncate_code_points("abc", 5), "abc");
  EXPECT_EQ(truncate_code_points("", 0), "");
  const std::string big(10'000, 'x');
  const std::string q = quote_capped(big);
  EXPECT_EQ(q, "'" + std::string(64, 'x') + "…'");
  EXPECT_EQ(quote_capped("tok_1"), "'tok_1'");
  std::string wide;
  for (int i = 0; i < 100; ++i) wide += "工";
  EXPECT_EQ(code_points(quote_capped(wide)), 64u + 3u);
}

TEST(WireTime, TheTimestampRangeAndNanosAreChecked) {
  EXPECT_EQ(time_from_wire(1'700'000'000, 999'999'999, "t").time_since_epoch().count(), 1'700'000'000);
  EXPECT_EQ(time_from_wire(kMinWireSeconds, 0, "t").time_since_epoch().count(), kMinWireSeconds);
  EXPECT_EQ(time_from_wire(kMaxWireSeconds, 0, "t").time_since_epoch().count(), kMaxWireSeconds);
  expect_error([] { time_from_wire(-(std::int64_t{1} << 62), 0, "first_contact_time"); }, ErrorCode::kInvalidArgument,
               "first_contact_time.seconds: ");
  expect_error([] { time_from_wire(kMinWireSeconds - 1, 0, "t"); }, ErrorCode::kInvalidArgument, "t.seconds");
  expect_error([] { time_from_wire(std::int64_t{1} << 62, 0, "appointment_time"); }, ErrorCode::kInvalidArgument,
               "appointment_time.seconds");
  expect_error([] { time_from_wire(0, -1, "t"); }, ErrorCode::kInvalidArgument, "t.nanos");
  expect_error([] { time_from_wire(0, 1'000'000'000, "t"); }, ErrorCode::kInvalidArgument, "t.nanos");
  EXPECT_EQ(duration_from_wire(-5, -1, "d"), seconds(-5));
  expect_error([] { duration_from_wire(5, -1, "ttl"); }, ErrorCode::kInvalidArgument, "ttl.nanos");
  expect_error([] { duration_from_wire(kMaxWireDurationSeconds + 1, 0, "ttl"); }, ErrorCode::kInvalidArgument,
               "ttl.seconds");
}

}  // namespace
}  // namespace linecrew
