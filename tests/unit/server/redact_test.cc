// redact_crew_text: phone numbers in every common format, the crew's full
// names and staff numbers never reach a customer; ordinary text is kept as it
// is; the result is always valid UTF-8. The formats are generated from a
// seeded std::mt19937, so a failure names a case that can be replayed.
#include "linecrew/server/app/redact.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace linecrew::app {
namespace {

Crew crew() {
  Crew c;
  c.id = CrewId("C-01");
  c.members = {{"Wei", "Zhang Wei", "A1024"}, {"伟", "张伟", "SC-07"}, {"娜娜", "欧阳娜娜", "B2048"}};
  return c;
}

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? b : b & (0x7Fu >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// The ASCII digits of `s`, full-width digits counted as their ASCII ones, and
// nothing else: what a reader could copy from it once the separators are gone.
std::string digits_joined(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      out += s[i];
    } else if (s.compare(i, 2, "\xEF\xBC") == 0 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 2]) >= 0x90 &&
               static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      out += static_cast<char>('0' + (static_cast<unsigned char>(s[i + 2]) - 0x90));
      i += 2;
    } else {
      out += '|';  // anything else ends a digit sequence
    }
  }
  return out;
}

// Separators a reader would skip: ASCII and full-width space, - . ( ) + and
// the ideographic space.
std::string without_separators(const std::string& s) {
  static const std::vector<std::string> kSeparators = {" ",  "-",  ".",  "(",  ")",  "+",  "/",
                                                       "　", "－", "．", "（", "）", "＋", "／"};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool skipped = false;
    for (const auto& sep : kSeparators) {
      if (s.compare(i, sep.size(), sep) == 0) {
        i += sep.size();
        skipped = true;
        break;
      }
    }
    if (!skipped) out += s[i++];
  }
  return out;
}

// True if some 6 consecutive digits of `number` are still readable in `shown`.
bool leaks(const std::string& number, const std::string& shown) {
  std::string digits;
  for (const char c : digits_joined(number))
    if (c != '|') digits += c;
  const std::string visible = digits_joined(without_separators(shown));
  for (std::size_t i = 0; i + 6 <= digits.size(); ++i)
    if (visible.find(digits.substr(i, 6)) != std::string::npos) return true;
  return false;
}

TEST(Redact, TheFormatsFromTheIssueAreMasked) {
  for (const std::string number :
       {"138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "138.0013.8000", "(+86) 138 0013 8000",
        "１３８００１３８０００", "tel:+86-138-0013-8000", "0571-8888-7777", "13800138000", "+8613800138000",
        "0086 138 0013 8000", "010-12345678", "(0571) 88887777", "+86 571 8888 7777", "１３８ ００１３ ８０００",
        "１３８－００１３－８０００", "（＋８６）１３８　００１３　８０００", "TEL:+86 138 0013 8000"}) {
    for (const std::string& text : {"回电 " + number, "call " + number + " please", number, "电话" + number + "。"}) {
      const std::string out = redact_crew_text(text, crew());
      EXPECT_FALSE(leaks(number, out)) << text << " -> " << out;
      EXPECT_NE(out.find("…"), std::string::npos) << text << " -> " << out;
      EXPECT_TRUE(valid_utf8(out)) << text;
    }
  }
  EXPECT_EQ(redact_crew_text("回电 138 0013 8000 谢谢", std::nullopt), "回电 … 谢谢");
  EXPECT_EQ(redact_crew_text("call tel:+86-138-0013-8000 now", std::nullopt), "call … now");
  EXPECT_EQ(redact_crew_text("(+86) 138 0013 8000", std::nullopt), "…");
  EXPECT_EQ(redact_crew_text("请拨（０５７１）８８８８７７７７。", std::nullopt), "请拨…。");
  EXPECT_EQ(redact_crew_text("at 14:05 call 138 0013 8000 (T-000123)", std::nullopt), "at 14:05 call … (T-000123)");
  EXPECT_EQ(redact_crew_text("14:05 13800138000", std::nullopt), "14:05 …");
}

// Many formats, embedded in Chinese and English sentences.
TEST(Redact, RandomPhoneNumberFormatsNeverSurvive) {
  constexpr unsigned kSeed = 20261122;
  std::mt19937 rng(kSeed);
  const auto pick = [&](const auto& options) { return options[rng() % options.size()]; };
  const auto digits = [&](std::size_t n, char first_min = '0') {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      const char lo = i == 0 ? first_min : '0';
      s += static_cast<char>(lo + static_cast<char>(rng() % static_cast<unsigned>('9' - lo + 1)));
    }
    return s;
  };
  const std::vector<std::string> seps = {" ", "-", ".", ""};
  const std::vector<std::string> mobile_prefixes = {"",      "+86 ", "+86-", "+86",      "(+86) ",   "(+86)",  "0086 ",
                                                    "0086-", "86 ",  "tel:", "tel:+86-", "TEL:+86 ", "+86 (0)"};
  const std::vector<std::string> area3 = {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"};
  const std::vector<std::string> area4 = {"0571", "0755", "0512", "0531", "0871", "0991", "0311", "0591"};
  const std::vector<std::string> sentences = {"请回电{}，谢谢",
                                              "联系电话：{}",
                                              "有事打{}找我们",
                                              "{}",
                                              "抢修班电话{}（24小时）",
                                              "变压器T-12已修好，电话 {} 。",
                                              "call {} if it goes out again",
                                              "Phone: {}.",
                                              "Reach us at {}, thanks",
                                              "done, tel {} (24h)",
                                              "熔断器已更换 {} 3 号杆",
                                              "Crew lead {} — any time"};

  const auto full_width = [&](const std::string& s) {
    const bool digits_too = rng() % 2 == 0;
    std::string out;
    for (const char c : s) {
      if (c >= '0' && c <= '9' && digits_too) {
        out += "\xEF\xBC";
        out += static_cast<char>(0x90 + (c - '0'));
      } else if (c == ' ' && rng() % 2) {
        out += "　";
      } else if ((c == '-' || c == '(' || c == ')' || c == '+' || c == '.') && rng() % 2) {
        out += "\xEF\xBC";
        out += static_cast<char>(0x81 + (c - '!'));  // U+FF01 + (c - '!')
      } else {
        out += c;
      }
    }
    return out;
  };

  int cases = 0;
  for (int n = 0; n < 4000; ++n) {
    std::string number;
    if (rng() % 3 != 0) {  // a mainland mobile: 1[3-9] and 9 digits
      const std::string d = "1" + digits(1, '3') + digits(9);
      const std::string sep = pick(seps);
      const std::string body = rng() % 5 == 0 ? d.substr(0, 3) + sep + d.substr(3)
                                              : d.substr(0, 3) + sep + d.substr(3, 4) + sep + d.substr(7);
      number = pick(mobile_prefixes) + body;
    } else {  // a landline: area code and 7 or 8 digits
      const bool three = rng() % 2 == 0;
      const std::string area = three ? pick(area3) : pick(area4);
      const std::string local = digits(1, '2') + digits(three || rng() % 2 ? 7 : 6);
      const std::string sep = pick(std::vector<std::string>{"-", " ", ""});
      switch (rng() % 6) {
        case 0:
          number = area + sep + local;
          break;
        case 1:
          number = "(" + area + ") " + local;
          break;
        case 2:
          number = "(" + area + ")" + local;
          break;
        case 3:
          number = local.size() == 8 ? area + "-" + local.substr(0, 4) + "-" + local.substr(4) : area + "-" + local;
          break;
        case 4:
          number = "+86 " + area.substr(1) + " " + local;
          break;
        default:
          number = pick(std::vector<std::string>{"0086 ", "+86-", "tel:+86-"}) + area.substr(1) + "-" + local;
      }
    }
    if (rng() % 4 == 0) number = full_width(number);
    const std::string sentence = pick(sentences);
    const auto at = sentence.find("{}");
    const std::string text = sentence.substr(0, at) + number + sentence.substr(at + 2);
    const std::string out = redact_crew_text(text, rng() % 2 ? std::optional<Crew>(crew()) : std::nullopt);
    ASSERT_FALSE(leaks(number, out)) << "seed " << kSeed << " case " << n << ": " << text << " -> " << out;
    ASSERT_TRUE(valid_utf8(out)) << "case " << n << ": " << text;
    // The words around the number stay.
    std::string before = sentence.substr(0, at);
    while (!before.empty() && before.back() == ' ') before.pop_back();
    EXPECT_EQ(out.rfind(before, 0), 0u) << "case " << n << ": " << text << " -> " << out;
    std::string after = sentence.substr(at + 2);  // from its last digit on: digits next to a number may go with it
    if (const auto d = after.find_last_of("0123456789"); d != std::string::npos) after.erase(0, d + 1);
    EXPECT_NE(out.find(after), std::string::npos) << "case " << n << ": " << text << " -> " << out;
    ++cases;
  }
  EXPECT_EQ(cases, 4000);
}

TEST(Redact, OrdinaryTextIsKeptAsItIs) {
  for (const std::string text : {
           "replaced fuse 3 at 14:05, transformer T-12",
           "3 号杆熔断器烧毁，已更换 2 组跌落式熔断器",
           "10 kV 线路 T-12 分支，14:05 恢复送电",
           "Line 7 tripped at 09:30; reset breaker 2 of 4",
           "更换变压器 T-12，容量 400 kVA，电压 0.4 kV",
           "大风刮断低压线",
           "工单 T-000123 于 14:05 修复，9:30:15 跳闸",  // ticket ids and times are not phone numbers
           "Wei fixed it; 伟 换了保险丝",                // first names stay
           "Zhangjiajie road, pole 12",                  // a longer word that starts like a surname
           "",
           "…",
       }) {
    EXPECT_EQ(redact_crew_text(text, crew()), text);
    EXPECT_EQ(redact_crew_text(text, std::nullopt), text);
  }
}

TEST(Redact, StaffNumbersOfTheCrewAreMasked) {
  EXPECT_EQ(redact_crew_text("work by staff A1024", crew()), "work by staff …");
  EXPECT_EQ(redact_crew_text("工号a1024完成", crew()), "工号…完成");
  EXPECT_EQ(redact_crew_text("工号Ａ１０２４完成", crew()), "工号…完成");
  EXPECT_EQ(redact_crew_text("by A-1024 and sc07, B 2048.", crew()), "by … and …, ….");
  EXPECT_EQ(redact_crew_text("part A1024X", crew()), "part A1024X");  // another number, not theirs
  EXPECT_EQ(redact_crew_text("work by staff A1024", std::nullopt), "work by staff A1024");  // crew unknown
}

TEST(Redact, FullNamesAndSurnamesOfTheCrewAreMasked) {
  EXPECT_EQ(redact_crew_text("done by Zhang Wei", crew()), "done by …");
  EXPECT_EQ(redact_crew_text("done by ZHANG  WEI.", crew()), "done by ….");
  EXPECT_EQ(redact_crew_text("done by zhangwei", crew()), "done by …");
  EXPECT_EQ(redact_crew_text("Zhang fixed it, Wei helped", crew()), "… fixed it, Wei helped");
  EXPECT_EQ(redact_crew_text("张伟已修复", crew()), "…已修复");
  EXPECT_EQ(redact_crew_text("张 伟已修复", crew()), "…已修复");
  EXPECT_EQ(redact_crew_text("欧阳娜娜和欧阳一起处理", crew()), "…和…一起处理");
  EXPECT_EQ(redact_crew_text("娜娜处理完毕", crew()), "娜娜处理完毕");
  EXPECT_EQ(redact_crew_text("张伟 A1024 电话 138 0013 8000", crew()), "… … 电话 …");
  // Another crew's names are not this crew's; phone numbers go anyway.
  Crew other = crew();
  other.members = {{"Li", "Li Na", "X9"}};
  EXPECT_EQ(redact_crew_text("done by Zhang Wei, 13800138000", other), "done by Zhang Wei, …");
}

TEST(Redact, TheResultIsAlwaysValidUtf8) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {
      "1",  "3",  "8", " ", "-", "(",     "+",     "tel:",     "张伟", "Ａ",   "１",  "３",
      "８", "　", "…", "é", "😀", "A1024", "Zhang", "\xE4\xBC", "\xFF", "\x80", "\xF0"};
  for (int n = 0; n < 3000; ++n) {
    std::string text;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) text += pieces[rng() % pieces.size()];
    const std::string out = redact_crew_text(text, crew());
    ASSERT_TRUE(valid_utf8(out)) << "case " << n;
    bool plain = valid_utf8(text);  // no digits, names or staff numbers: nothing to mask
    for (const std::string_view piece : {"1", "3", "8", "１", "３", "８", "张伟", "Zhang"})
      plain = plain && text.find(piece) == std::string::npos;
    if (plain) {
      EXPECT_EQ(out, text) << "case " << n;
    }
  }
  EXPECT_EQ(redact_crew_text("bad \xFF byte", std::nullopt), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(redact_crew_text("cut \xE4\xBC", std::nullopt), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace linecrew::app
