#include "linecrew/core/call_script.h"

#include <nlohmann/json.hpp>
#include <set>

#include "linecrew/core/error.h"
#include "linecrew/core/io.h"

namespace linecrew {

namespace {

const std::set<std::string, std::less<>> kPlaceholders = {
    "company", "team", "crew_name", "staff_number", "customer", "reason", "new_time", "late_minutes", "callback"};

[[noreturn]] void fail(std::string_view source, const std::string& where, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, std::string(source), where + ": " + what);
}

// Calls `on_text(literal)` and `on_name(placeholder)` along a template;
// returns an error text for an unclosed brace.
template <class Text, class Name>
std::optional<std::string> walk(std::string_view tpl, Text on_text, Name on_name) {
  std::size_t pos = 0;
  while (pos < tpl.size()) {
    const auto open = tpl.find('{', pos);
    if (open == std::string_view::npos) {
      on_text(tpl.substr(pos));
      break;
    }
    const auto close = tpl.find('}', open);
    if (close == std::string_view::npos) return "unclosed '{'";
    on_text(tpl.substr(pos, open - pos));
    on_name(tpl.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
  return std::nullopt;
}

std::vector<std::string> string_array(const nlohmann::json& v, std::string_view source, const std::string& where) {
  if (!v.is_array()) fail(source, where, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (!s.is_string()) fail(source, where, "must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

std::string CallScript::text() const {
  std::string out;
  for (const auto& s : steps) out += s;
  return out;
}

CallScriptTemplates CallScriptTemplates::from_json(std::string_view text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::kInvalidArgument, std::string(source), std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("languages") || !doc["languages"].is_object())
    fail(source, "languages", "missing: expected {\"default_language\": ..., \"languages\": {...}}");
  CallScriptTemplates t;
  for (const auto& [lang, body] : doc["languages"].items()) {
    const std::string where = "languages." + lang;
    if (!body.is_object()) fail(source, where, "must be an object");
    Language l;
    l.steps = string_array(body.value("steps", nlohmann::json()), source, where + ".steps");
    if (l.steps.size() != 8) fail(source, where + ".steps", "the delay-call script has exactly 8 steps (rules §3)");
    for (std::size_t i = 0; i < l.steps.size(); ++i) {
      std::string bad;
      const auto err = walk(
          l.steps[i], [](std::string_view) {},
          [&](std::string_view name) {
            if (!kPlaceholders.count(name) && bad.empty()) bad = std::string(name);
          });
      const std::string step_where = where + ".steps[" + std::to_string(i) + "]";
      if (err) fail(source, step_where, *err);
      if (!bad.empty()) fail(source, step_where, "unknown placeholder {" + bad + "}");
    }
    l.guardrails = string_array(body.value("guardrails", nlohmann::json::array()), source, where + ".guardrails");
    if (!body.contains("reasons") || !body["reasons"].is_object())
      fail(source, where + ".reasons", "missing: the words for each delay reason");
    for (const auto r : {DelayReason::kWeather, DelayReason::kTraffic, DelayReason::kPreviousJobOverran,
                         DelayReason::kEquipment, DelayReason::kOther}) {
      const std::string key(to_string(r));
      if (!body["reasons"].contains(key) || !body["reasons"][key].is_string())
        fail(source, where + ".reasons." + key, "missing");
      l.reasons[key] = body["reasons"][key].get<std::string>();
    }
    t.languages_[lang] = std::move(l);
  }
  t.default_language_ = doc.value("default_language", "");
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
  const std::map<std::string, std::string, std::less<>> values = {
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
    std::string text;
    walk(
        step, [&](std::string_view s) { text += s; },
        [&](std::string_view name) { text += values.find(name)->second; });
    out.steps.push_back(std::move(text));
  }
  return out;
}

}  // namespace linecrew
