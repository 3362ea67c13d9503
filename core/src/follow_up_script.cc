#include "linecrew/core/follow_up_script.h"

#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "language_file.h"
#include "linecrew/core/error.h"
#include "linecrew/core/io.h"
#include "linecrew/core/placeholders.h"

namespace linecrew {

namespace {

using detail::fail;
using detail::string_array;

constexpr std::size_t kSteps = 7;
constexpr std::size_t kAnswers = 4;  // satisfied, not satisfied, new request, unreachable
constexpr std::array<std::string_view, 4> kReasons = {"restoration", "cannot_fix", "promise", "new_request"};
constexpr std::string_view kReasonList = "restoration, cannot_fix, promise or new_request";

const std::set<std::string, std::less<>> kStepPlaceholders = {"company", "team",    "staff_number", "customer",
                                                              "ticket",  "outcome", "reply_hours"};
const std::set<std::string, std::less<>> kOutcomePlaceholders = {"time", "date", "detail"};

bool is_reason(std::string_view r) {
  for (const auto k : kReasons) {
    if (k == r) return true;
  }
  return false;
}

}  // namespace

FollowUpScriptTemplates FollowUpScriptTemplates::from_json(std::string_view text, std::string_view source) {
  FollowUpScriptTemplates t;
  t.default_language_ = detail::read_language_file(
      text, source, [&](const std::string& lang, const nlohmann::json& body, const std::string& where) {
        Language l;
        l.steps = string_array(body.value("steps", nlohmann::json()), source, where + ".steps");
        if (l.steps.size() != kSteps)
          fail(source, where + ".steps", "the follow-up script has exactly 7 steps (rules §7)");
        bool says_outcome = false;
        for (std::size_t i = 0; i < l.steps.size(); ++i) {
          if (const auto err = check_placeholders(l.steps[i], kStepPlaceholders))
            fail(source, where + ".steps[" + std::to_string(i) + "]", *err);
          says_outcome = says_outcome || l.steps[i].find("{outcome}") != std::string::npos;
        }
        if (!says_outcome) fail(source, where + ".steps", "no step states the {outcome} (rules §7)");

        const std::string owhere = where + ".outcomes";
        if (!body.contains("outcomes") || !body["outcomes"].is_object())
          fail(source, owhere, "missing: an object with a sentence for each of " + std::string(kReasonList));
        const nlohmann::json& outcomes = body["outcomes"];
        for (const auto& [key, sentence] : outcomes.items()) {
          const std::string at = (owhere + ".").append(key);
          if (!is_reason(key)) fail(source, at, "unknown; expected " + std::string(kReasonList));
          if (!sentence.is_string()) fail(source, at, "must be a string");
          if (const auto err = check_placeholders(sentence.get<std::string>(), kOutcomePlaceholders))
            fail(source, at, *err);
          l.outcomes[key] = sentence.get<std::string>();
        }
        for (const auto r : kReasons) {
          if (!l.outcomes.count(r)) fail(source, (owhere + ".").append(r), "missing");
        }

        l.guardrails = string_array(body.value("guardrails", nlohmann::json::array()), source, where + ".guardrails");
        for (std::size_t i = 0; i < l.guardrails.size(); ++i)
          if (const auto err = check_placeholders(l.guardrails[i], {"reply_hours"}))
            fail(source, where + ".guardrails[" + std::to_string(i) + "]", *err);
        l.answers = string_array(body.value("answers", nlohmann::json()), source, where + ".answers");
        if (l.answers.size() != kAnswers)
          fail(source, where + ".answers",
               "exactly 4 answer labels, in order: satisfied, not satisfied, new request, unreachable");
        t.languages_[lang] = std::move(l);
      });
  if (!t.languages_.count(t.default_language_))
    fail(source, "default_language", "'" + t.default_language_ + "' has no template");
  return t;
}

FollowUpScriptTemplates FollowUpScriptTemplates::load_file(const std::string& path) {
  return from_json(read_text_file(path), path);
}

FollowUpScript FollowUpScriptTemplates::render(const FollowUpScriptInput& in) const {
  const std::string lang = in.language.empty() ? default_language_ : in.language;
  const auto it = languages_.find(lang);
  if (it == languages_.end()) throw_invalid("language", "no follow-up script template for '" + lang + "'");
  const Language& l = it->second;
  const auto outcome = l.outcomes.find(in.reason);
  if (outcome == l.outcomes.end())
    throw_invalid("reason", "unknown follow-up reason '" + in.reason + "'; expected " + std::string(kReasonList));

  const PlaceholderValues outcome_values = {
      {"time", in.time ? format_hhmm(*in.time, in.utc_offset) : std::string()},
      // "11-24": the local date, for a time that may lie a day or two ahead (a reply time, a return visit).
      {"date", in.time ? format_utc(*in.time + in.utc_offset).substr(5, 5) : std::string()},
      {"detail", in.detail},
  };
  const PlaceholderValues values = {
      {"company", in.company},
      {"team", in.team},
      {"staff_number", in.staff_number},
      {"customer", in.customer_name},
      {"ticket", in.ticket},
      {"outcome", render_placeholders(outcome->second, outcome_values)},
      {"reply_hours", std::to_string(std::chrono::duration_cast<std::chrono::hours>(in.reply_within).count())},
  };
  FollowUpScript out{lang, {}, {}, l.answers};
  for (const std::string& step : l.steps) out.steps.push_back(render_placeholders(step, values));
  for (const std::string& g : l.guardrails) out.guardrails.push_back(render_placeholders(g, values));
  return out;
}

}  // namespace linecrew
