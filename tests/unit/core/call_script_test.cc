#include <gtest/gtest.h>

#include "linecrew/core/call_script.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

CallScriptInput worked_case_input() {
  CallScriptInput in;
  in.company = "国网示范供电公司";
  in.team = "城区抢修一班";
  in.crew_name = "张伟";
  in.staff_number = "A1024";
  in.customer_name = "李女士";
  in.reason = DelayReason::kTraffic;
  in.deadline = at("14:50");
  in.new_time = at("15:00");
  in.callback_number = "95598";
  return in;
}

TEST(CallScript, ZhCnIsTheDefaultAndFollowsTheReferenceTemplate) {
  const auto templates = CallScriptTemplates::load_file(config_path("call_script.json"));
  EXPECT_EQ(templates.default_language(), "zh-CN");
  const CallScript s = templates.render(worked_case_input());
  ASSERT_EQ(s.steps.size(), 8u);
  EXPECT_EQ(s.language, "zh-CN");
  EXPECT_EQ(s.steps[0], "您好,我是国网示范供电公司城区抢修一班张伟(工号A1024)。");  // greet, never a bare 喂
  EXPECT_EQ(s.steps[1], "请问是李女士吗?现在方便接听吗?");
  EXPECT_EQ(s.steps[2], "非常抱歉,因交通拥堵,我们预计15:00到达您处,比原定时间晚10分钟,");
  EXPECT_EQ(s.steps[4], "您看15:00到达可以吗?");  // asks for consent
  EXPECT_NE(s.steps[6].find("95598"), std::string::npos);
  EXPECT_NE(s.text().find("再见"), std::string::npos);
  EXPECT_FALSE(s.guardrails.empty());
}

TEST(CallScript, EnglishIsAvailable) {
  const auto templates = CallScriptTemplates::load_file(config_path("call_script.json"));
  CallScriptInput in = worked_case_input();
  in.language = "en";
  in.customer_name = "Ms Li";
  in.reason = DelayReason::kWeather;
  const CallScript s = templates.render(in);
  EXPECT_EQ(s.steps[2],
            "We now expect to reach you at 15:00, 10 minutes later than planned, because of severe weather.");
  EXPECT_EQ(s.steps[4], "Would 15:00 be all right for you?");
}

TEST(CallScript, UnknownLanguageAndBadTemplatesAreRejected) {
  const auto templates = CallScriptTemplates::load_file(config_path("call_script.json"));
  CallScriptInput in = worked_case_input();
  in.language = "fr";
  expect_error([&] { templates.render(in); }, ErrorCode::kInvalidArgument, "language: no call script template");

  const std::string reasons =
      R"("reasons":{"weather":"w","traffic":"t","previous_job_overran":"p","equipment":"e","other":"o"})";
  const std::string eight = R"(["1","2","3","4","5","6","7","{nickname}"])";
  expect_error(
      [&] {
        CallScriptTemplates::from_json(
            R"({"default_language":"en","languages":{"en":{"steps":)" + eight + "," + reasons + "}}}", "s.json");
      },
      ErrorCode::kInvalidArgument, "s.json: languages.en.steps[7]: unknown placeholder {nickname}");
  expect_error(
      [&] {
        CallScriptTemplates::from_json(
            R"({"default_language":"en","languages":{"en":{"steps":["a"],)" + reasons + "}}}", "s.json");
      },
      ErrorCode::kInvalidArgument, "exactly 8 steps");
  expect_error(
      [&] {
        CallScriptTemplates::from_json(
            R"({"default_language":"de","languages":{"en":{"steps":["1","2","3","4","5","6","7","8"],)" + reasons +
                "}}}",
            "s.json");
      },
      ErrorCode::kInvalidArgument, "default_language");
}

}  // namespace
}  // namespace linecrew
