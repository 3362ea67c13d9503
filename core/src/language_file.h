// Internal to core: reading a per-language template file
//   {"default_language": "...", "languages": {"<lang>": {...}, ...}}
// shared by the delay-call script and the customer notice templates.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace linecrew::detail {

// Parses `text`, calls `on_language(lang, body, where)` for each language
// (body is an object; where is "languages.<lang>" for error messages) and
// returns "default_language" (empty when absent). Throws
// Error(kInvalidArgument, source) on invalid JSON or a missing "languages".
std::string read_language_file(std::string_view text, std::string_view source,
                               const std::function<void(const std::string& lang, const nlohmann::json& body,
                                                        const std::string& where)>& on_language);

}  // namespace linecrew::detail
