#include "language_file.h"

#include "linecrew/core/error.h"

namespace linecrew::detail {

void fail(std::string_view source, const std::string& where, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, std::string(source), where + ": " + what);
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

std::string read_language_file(std::string_view text, std::string_view source,
                               const std::function<void(const std::string& lang, const nlohmann::json& body,
                                                        const std::string& where)>& on_language) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number too large
    throw Error(ErrorCode::kInvalidArgument, std::string(source), std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("languages") || !doc["languages"].is_object())
    fail(source, "languages", "missing: expected {\"default_language\": ..., \"languages\": {...}}");
  for (const auto& [lang, body] : doc["languages"].items()) {
    const std::string where = "languages." + lang;
    if (!body.is_object()) fail(source, where, "must be an object");
    on_language(lang, body, where);
  }
  return doc.value("default_language", "");
}

}  // namespace linecrew::detail
