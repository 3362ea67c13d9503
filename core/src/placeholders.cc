#include "linecrew/core/placeholders.h"

namespace linecrew {

namespace {

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

}  // namespace

std::optional<std::string> check_placeholders(std::string_view tpl, const std::set<std::string, std::less<>>& allowed) {
  std::string bad;
  auto err = walk(
      tpl, [](std::string_view) {},
      [&](std::string_view name) {
        if (!allowed.count(name) && bad.empty()) bad = std::string(name);
      });
  if (err) return err;
  if (!bad.empty()) return "unknown placeholder {" + bad + "}";
  return std::nullopt;
}

std::string render_placeholders(std::string_view tpl, const PlaceholderValues& values) {
  std::string text;
  walk(
      tpl, [&](std::string_view s) { text += s; },
      [&](std::string_view name) {
        const auto it = values.find(name);
        if (it != values.end()) text += it->second;
      });
  return text;
}

}  // namespace linecrew
