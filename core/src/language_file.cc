#include "language_file.h"

#include "linecrew/core/error.h"

namespace linecrew::detail {

std::string read_language_file(std::string_view text, std::string_view source,
                               const std::function<void(const std::string& lang, const nlohmann::json& body,
                                                        const std::string& where)>& on_language) {
  const auto fail = [&](const std::string& where, const std::string& what) {
    throw Error(ErrorCode::kInvalidArgument, std::string(source), where + ": " + what);
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number too large
    throw Error(ErrorCode::kInvalidArgument, std::string(source), std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("languages") || !doc["languages"].is_object())
    fail("languages", "missing: expected {\"default_language\": ..., \"languages\": {...}}");
  for (const auto& [lang, body] : doc["languages"].items()) {
    const std::string where = "languages." + lang;
    if (!body.is_object()) fail(where, "must be an object");
    on_language(lang, body, where);
  }
  return doc.value("default_language", "");
}

}  // namespace linecrew::detail
