// Enums whose values are listed, in order, in a table of names: the text
// form used in files, storage and logs.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace linecrew {

template <class E, std::size_t N>
std::string_view enum_name(const std::array<std::string_view, N>& names, E value) {
  return names[static_cast<std::size_t>(value)];
}

template <class E, std::size_t N>
std::optional<E> enum_from(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace linecrew
