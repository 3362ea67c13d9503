// Internal to core: reading a per-language template file
//   {"default_language": "...", "languages": {"<lang>": {...}, ...}}
// shared by the delay-call script, the follow-up script and the customer
// notice templates, and the small helpers they check their bodies with.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace linecrew::detail {

// Parses `text`, calls `on_language(lang, body, where)` for each language
// (body is an object; where is "languages.<lang>" for error messages) and
// returns "default_language" (empty when absent). Throws
// Error(kInvalidArgument, source) on invalid JSON or a missing "languages".
std::string read_language_file(std::string_view text, std::string_view source,
                               const std::function<void(const std::string& lang, const nlohmann::json& body,
                                                        const std::string& where)>& on_language);

// Throws Error(kInvalidArgument, source, "<where>: <what>").
[[noreturn]] void fail(std::string_view source, const std::string& where, const std::string& what);

// `v` as an array of strings; fails at `where` when it is anything else.
std::vector<std::string> string_array(const nlohmann::json& v, std::string_view source, const std::string& where);

}  // namespace linecrew::detail
