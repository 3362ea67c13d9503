#include "linecrew/core/call_script.h"

#include <nlohmann/json.hpp>
#include <set>

#include "language_file.h"
#include "linecrew/core/error.h"
#include "linecrew/core/io.h"
#include "linecrew/core/placeholders.h"

namespace linecrew {

namespace {

const std::set<std::string, std::less<>> kPlaceholders = {
    "company", "team", "crew_name", "staff_number", "customer", "reason", "new_time", "late_minutes", "callback"};

using detail::fail;
using detail::string_array;

}  // namespace

std::string CallScript::text() const {
  std::string out;
  for (const auto& s : steps) out += s;
  return out;
}

CallScriptTemplates CallScriptTemplates::from_json(std::string_view text, std::string_view source) {
  CallScriptTemplates t;
  t.default_language_ = detail::read_language_file(
      text, source, [&](const std::string& lang, const nlohmann::json& body, const std::string& where) {
        Language l;
        l.steps = string_array(body.value("steps", nlohmann::json()), source, where + ".steps");
        if (l.steps.size() != 8) fail(source, where + ".steps", "the delay-call script has exactly 8 steps (rules §3)");
        for (std::size_t i = 0; i < l.steps.size(); ++i) {
          if (const auto err = check_placeholders(l.steps[i], kPlaceholders))
            fail(source, where + ".steps[" + std::to_string(i) + "]", *err);
        }
        l.guardrails = string_array(body.value("guardrails", nlohmann::json::array()), source, where + ".guardrails");
        if (!body.contains("reasons") || !body["reasons"].is_object())
          fail(source, where + ".reasons", "missing: the words for each delay reason");
        for (const auto r : {DelayReason::kWeather, DelayReason::kTraffic, DelayReason::kPreviousJobOverran,
                             DelayReason::kEquipment, DelayReason::kOther}) {
          const std::string key(to_string(r));
          if (!body["reasons"].contains(key) || !body["reasons"][key].is_string())
            fail(source, (where + ".reasons.").append(key), "missing");
          l.reasons[key] = body["reasons"][key].get<std::string>();
        }
        t.languages_[lang] = std::move(l);
      });
  if (!t.languages_.count(t.default_language_))
    fail(source, "default_language", "'" + t.default_language_ + "' has no template");
  return t;
}

CallScriptTemplates CallScriptTemplates::load_file(const std::string& path) {
  return from_json(read_text_file(path), path);
}

CallScript CallScriptTemplates::render(const CallScriptInput& in) const {
  const std::string lang = in.language.empty() ? default_language_ : in.language;
  const auto it = languages_.find(lang);
  if (it == languages_.end()) throw_invalid("language", "no call script template for '" + lang + "'");
  const Language& l = it->second;
  const Duration late = in.new_time - in.deadline;
  const PlaceholderValues values = {
      {"company", in.company},
      {"team", in.team},
      {"crew_name", in.crew_name},
      {"staff_number", in.staff_number},
      {"customer", in.customer_name},
      {"reason", l.reasons.at(std::string(to_string(in.reason)))},
      {"new_time", format_hhmm(in.new_time, in.utc_offset)},
      {"late_minutes", std::to_string(std::max(0L, minutes_ceil(late)))},
      {"callback", in.callback_number},
  };
  CallScript out{lang, {}, l.guardrails};
  for (const std::string& step : l.steps) {
    out.steps.push_back(render_placeholders(step, values));
  }
  return out;
}

}  // namespace linecrew
