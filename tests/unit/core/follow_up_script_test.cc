#include <gtest/gtest.h>

#include "linecrew/core/follow_up_script.h"
#include "test_support.h"

namespace linecrew {
namespace {

using testing::at;
using testing::config_path;
using testing::expect_error;

FollowUpScriptInput worked_case_input() {
  FollowUpScriptInput in;
  in.company = "国网示范供电公司";
  in.team = "城区服务班";
  in.staff_number = "B2048";
  in.customer_name = "李女士";
  in.ticket = "T-000123";
  in.reason = "restoration";
  in.detail = "树枝搭线";
  in.time = at("15:40");  // 07:40 UTC: shown in local time
  return in;
}

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

TEST(FollowUpScript, ZhCnIsTheDefaultAndFillsEveryStep) {
  const auto templates = FollowUpScriptTemplates::load_file(config_path("follow_up_script.json"));
  EXPECT_EQ(templates.default_language(), "zh-CN");
  const FollowUpScript s = templates.render(worked_case_input());
  EXPECT_EQ(s.language, "zh-CN");
  ASSERT_EQ(s.steps.size(), 7u);
  EXPECT_EQ(s.steps[0], "您好,我是国网示范供电公司城区服务班工作人员,工号B2048。");
  EXPECT_EQ(s.steps[1], "请问是李女士吗?");   // identity before any detail
  EXPECT_TRUE(contains(s.steps[2], "方便"));  // asks whether it is convenient
  EXPECT_EQ(s.steps[3], "关于您的报修(单号T-000123):您处已于15:40恢复供电,停电原因是树枝搭线。");
  EXPECT_TRUE(contains(s.steps[4], "满意"));
  EXPECT_TRUE(contains(s.steps[5], "48小时"));
  EXPECT_TRUE(contains(s.steps[6], "再见"));
  for (const auto& step : s.steps) EXPECT_FALSE(contains(step, "{")) << step;
  EXPECT_EQ(s.outcomes, (std::vector<std::string>{"满意", "不满意", "有新诉求", "无法接通"}));
  EXPECT_FALSE(s.guardrails.empty());
}

TEST(FollowUpScript, EnglishFillsEveryStepAndEachReasonPicksItsSentence) {
  const auto templates = FollowUpScriptTemplates::load_file(config_path("follow_up_script.json"));
  FollowUpScriptInput in = worked_case_input();
  in.language = "en";
  in.company = "Demo Power Supply Co.";
  in.team = "City Service Desk";
  in.customer_name = "Ms Li";
  in.detail = "a branch on the line";
  const FollowUpScript s = templates.render(in);
  EXPECT_EQ(s.language, "en");
  ASSERT_EQ(s.steps.size(), 7u);
  EXPECT_EQ(s.steps[0], "Hello, I'm calling from Demo Power Supply Co., City Service Desk; my staff number is B2048.");
  EXPECT_EQ(s.steps[1], "Am I speaking with Ms Li?");
  EXPECT_TRUE(contains(s.steps[2], "convenient"));
  EXPECT_EQ(s.steps[3], "About your report T-000123: power was restored at 15:40; the cause was a branch on the line.");
  for (const auto& step : s.steps) EXPECT_FALSE(contains(step, "{")) << step;
  EXPECT_EQ(s.outcomes, (std::vector<std::string>{"Satisfied", "Not satisfied", "New request", "Unreachable"}));

  in.reason = "cannot_fix";
  in.detail = "a faulty transformer";
  in.time = at("09:30");
  in.utc_offset = hours(0);  // the offset is applied: 09:30 at +08:00 is 01:30 UTC
  EXPECT_EQ(templates.render(in).steps[3],
            "About your report T-000123: we could not fix it on the first visit because of a faulty transformer, and "
            "we will be back on 11-22 at 01:30 as agreed.");
  in.utc_offset = hours(8);
  in.reason = "promise";
  in.detail = "an answer about the planned outage";
  in.time = at("17:00");
  EXPECT_TRUE(
      contains(templates.render(in).steps[3], "we promised you an answer about the planned outage by 11-22 17:00"));
  in.reason = "new_request";
  in.detail = "{customer}";  // free text is not a template
  in.time.reset();           // unset: ""
  EXPECT_EQ(templates.render(in).steps[3],
            "About your report T-000123: last time you asked us about {customer}; we agreed to reply by  , and here is "
            "our answer.");
}

TEST(FollowUpScript, UnknownLanguageAndReasonNameTheField) {
  const auto templates = FollowUpScriptTemplates::load_file(config_path("follow_up_script.json"));
  FollowUpScriptInput in = worked_case_input();
  in.language = "fr";
  expect_error([&] { templates.render(in); }, ErrorCode::kInvalidArgument, "language: no follow-up script template");
  in.language = "en";
  in.reason = "weather";
  expect_error([&] { templates.render(in); }, ErrorCode::kInvalidArgument, "reason: unknown follow-up reason");
  in.reason = "";
  try {
    templates.render(in);
    ADD_FAILURE() << "an empty reason must be rejected";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "reason");
  }
}

// A template file for "en" with the given steps and outcomes.
std::string file_with(const std::string& steps, const std::string& outcomes) {
  return R"({"default_language":"en","languages":{"en":{"steps":)" + steps + R"(,"outcomes":)" + outcomes +
         R"(,"answers":["s","n","r","u"]}}})";
}

const std::string kSeven = R"(["1","2","3","{ticket}: {outcome}","5","6","7"])";
const std::string kOutcomes = R"({"restoration":"r {time}","cannot_fix":"c","promise":"p","new_request":"n {detail}"})";

TEST(FollowUpScript, MalformedTemplatesNameThePlace) {
  EXPECT_NO_THROW(FollowUpScriptTemplates::from_json(file_with(kSeven, kOutcomes), "f.json"));
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(file_with(R"(["1","2","3","{outcome}","5","6"])", kOutcomes), "f.json");
      },
      ErrorCode::kInvalidArgument, "f.json: languages.en.steps: the follow-up script has exactly 7 steps");
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(file_with(R"(["1","2","3","{outcome}","{crew_name}","6","7"])", kOutcomes),
                                           "f.json");
      },
      ErrorCode::kInvalidArgument, "f.json: languages.en.steps[4]: unknown placeholder {crew_name}");
  expect_error(
      [] {  // {time} belongs to the outcome sentences, not to the steps
        FollowUpScriptTemplates::from_json(file_with(R"(["1","2","3","{outcome} {time}","5","6","7"])", kOutcomes),
                                           "f.json");
      },
      ErrorCode::kInvalidArgument, "languages.en.steps[3]: unknown placeholder {time}");
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(
            file_with(kSeven, R"({"restoration":"r","cannot_fix":"c","promise":"p {ticket}","new_request":"n"})"),
            "f.json");
      },
      ErrorCode::kInvalidArgument, "languages.en.outcomes.promise: unknown placeholder {ticket}");
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(file_with(kSeven, R"({"restoration":"r","cannot_fix":"c","promise":"p"})"),
                                           "f.json");
      },
      ErrorCode::kInvalidArgument, "f.json: languages.en.outcomes.new_request: missing");
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(
            file_with(kSeven, R"({"restoration":"r","cannot_fix":"c","promise":"p","new_request":"n","weather":"w"})"),
            "f.json");
      },
      ErrorCode::kInvalidArgument, "languages.en.outcomes.weather: unknown");
  expect_error([] { FollowUpScriptTemplates::from_json(file_with(kSeven, "[]"), "f.json"); },
               ErrorCode::kInvalidArgument, "languages.en.outcomes: missing");
  expect_error(
      [] { FollowUpScriptTemplates::from_json(file_with(R"(["1","2","3","4","5","6","7"])", kOutcomes), "f.json"); },
      ErrorCode::kInvalidArgument, "languages.en.steps: no step states the {outcome}");
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(R"({"default_language":"en","languages":{"en":{"steps":)" + kSeven +
                                               R"(,"outcomes":)" + kOutcomes + R"(,"answers":["s","n","r"]}}})",
                                           "f.json");
      },
      ErrorCode::kInvalidArgument, "languages.en.answers: exactly 4 answer labels");
  expect_error(
      [] {
        FollowUpScriptTemplates::from_json(R"({"default_language":"zh-CN","languages":{"en":{"steps":)" + kSeven +
                                               R"(,"outcomes":)" + kOutcomes + R"(,"answers":["s","n","r","u"]}}})",
                                           "f.json");
      },
      ErrorCode::kInvalidArgument, "default_language");
}

}  // namespace
}  // namespace linecrew
