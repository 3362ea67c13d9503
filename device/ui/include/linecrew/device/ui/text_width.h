// UTF-8 text on a terminal: display width (East Asian wide characters count
// 2 columns), cutting and wrapping to a width in columns, never inside a
// UTF-8 sequence. Used by the screen model (screen.h) for its lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace linecrew::device::ui {

// Display width of UTF-8 text (East Asian wide characters count 2).
int display_width(std::string_view text);
// `text` cut to at most `cols` display columns (at a character boundary).
std::string fit(std::string_view text, int cols);
// `text` wrapped into lines of at most `cols` display columns (at spaces when
// there are any, else between characters, as for Chinese).
std::vector<std::string> wrap(std::string_view text, int cols);

}  // namespace linecrew::device::ui
