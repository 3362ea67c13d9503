// Text templates with {name} placeholders, shared by the delay-call script and
// the customer messages: one parser, one renderer.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace linecrew {

using PlaceholderValues = std::map<std::string, std::string, std::less<>>;

// The first problem with `tpl` against the allowed names: an unclosed brace or
// an unknown placeholder ("unknown placeholder {x}"); nullopt when fine.
std::optional<std::string> check_placeholders(std::string_view tpl, const std::set<std::string, std::less<>>& allowed);
// `tpl` with each {name} replaced by its value (missing names: empty).
std::string render_placeholders(std::string_view tpl, const PlaceholderValues& values);

}  // namespace linecrew
