#include "linecrew/device/ui/text_width.h"

#include <cstddef>
#include <utility>

namespace linecrew::device::ui {

namespace {

// The code point at text[i] and its length in bytes; a malformed byte is U+FFFD, one byte.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size()) return {U'\uFFFD', 1};
  if (len == 1) return {b, 1};
  char32_t cp = b & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c >> 6) != 0x2) return {U'\uFFFD', 1};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, len};
}

int width_of(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F)) return 0;  // combining, zero-width
  const bool wide =
      (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
      (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

}  // namespace

int display_width(std::string_view text) {
  int w = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = decode(text, i);
    w += width_of(cp);
    i += len;
  }
  return w;
}

std::string fit(std::string_view text, int cols) {
  int w = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto [cp, len] = decode(text, i);
    if (cp == U'\n' || w + width_of(cp) > cols) break;
    w += width_of(cp);
    i += len;
  }
  return std::string(text.substr(0, i));
}

std::vector<std::string> wrap(std::string_view text, int cols) {
  std::vector<std::string> out;
  if (cols <= 0) return out;
  std::string line;
  int w = 0;
  std::size_t space = std::string::npos;  // the last space in `line`
  int w_after_space = 0;                  // the width after that space
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = decode(text, i);
    const std::string ch(text.substr(i, len));
    i += len;
    if (cp == U'\n') {
      out.push_back(line);
      line.clear();
      w = 0;
      space = std::string::npos;
      continue;
    }
    const int cw = width_of(cp);
    if (w + cw > cols) {
      if (cp == U' ') {  // a space at the break point vanishes
        out.push_back(line);
        line.clear();
        w = 0;
        space = std::string::npos;
        continue;
      }
      // Latin words break at the last space; Chinese (a wide character overflowing) anywhere.
      if (space != std::string::npos && space > 0 && cw < 2) {
        out.push_back(line.substr(0, space));
        line = line.substr(space + 1);
        w -= w_after_space;
      } else {
        out.push_back(line);
        line.clear();
        w = 0;
      }
      space = std::string::npos;
    }
    if (cp == U' ') {
      space = line.size();
      w_after_space = w + cw;
    }
    line += ch;
    w += cw;
  }
  if (!line.empty() || out.empty()) out.push_back(line);
  return out;
}

}  // namespace linecrew::device::ui
