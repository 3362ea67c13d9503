#include "linecrew/server/app/redact.h"

#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

namespace linecrew::app {

namespace {

using Text = std::vector<char32_t>;

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kMask = "…";
// Separators between the digit groups of a number, and between the characters of a name or staff number.
constexpr std::size_t kMaxNumberSeparators = 3;
constexpr std::size_t kMaxNameSeparators = 2;
// Bounds the matcher's work on long hostile texts; the digit pass covers whatever it gives up on.
constexpr int kMatcherMaxTries = 10000;

// UTF-8 to code points; every byte of an invalid sequence becomes U+FFFD.
Text decode(std::string_view s) {
  Text out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    std::size_t n = 0;
    if (b < 0x80) {
      cp = b;
      n = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      cp = b & 0x1Fu;
      n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      cp = b & 0x0Fu;
      n = 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      cp = b & 0x07u;
      n = 4;
    }
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0u) == 0x80u;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (ok && n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;  // overlong, surrogate
    if (ok && n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ok = false;
    if (!ok) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Full-width ASCII (digits, letters, + - . ( ) :) to ASCII; the other spaces
// to ' ', dashes to '-', the ideographic full stop to '.'.
char32_t fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
  switch (c) {
    case U'\t':
    case 0x00A0:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return U' ';
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
      return U'-';
    case 0x3002:
    case 0xFF61:
      return U'.';
    default:
      break;
  }
  if (c >= 0x2000 && c <= 0x200A) return U' ';
  if (c >= 0x2010 && c <= 0x2015) return U'-';
  return c;
}

char32_t lower(char32_t c) {
  return c >= U'A' && c <= U'Z' ? c + 32 : c;
}
bool is_digit(char32_t c) {
  return c >= U'0' && c <= U'9';
}
bool is_ascii_alnum(char32_t c) {
  return is_digit(c) || (lower(c) >= U'a' && lower(c) <= U'z');
}
bool is_number_separator(char32_t c) {
  return c == U' ' || c == U'-' || c == U'.' || c == U'/' || c == U'(' || c == U')' || c == U'+';
}
bool is_name_separator(char32_t c) {
  return c == U' ' || c == U'-' || c == U'.' || c == U'_' || c == 0x00B7 || c == 0x30FB;
}

void mark(std::vector<bool>& masked, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < masked.size(); ++i) masked[i] = true;
}

// libphonenumber's matcher over the folded text.
void mask_matched_numbers(const Text& folded, std::vector<bool>& masked) {
  std::string text;
  std::vector<std::size_t> at_byte;  // code point index of every byte of `text`
  for (std::size_t i = 0; i < folded.size(); ++i) {
    encode(folded[i], text);
    at_byte.resize(text.size(), i);
  }
  using i18n::phonenumbers::PhoneNumberMatch;
  using i18n::phonenumbers::PhoneNumberMatcher;
  using i18n::phonenumbers::PhoneNumberUtil;
  PhoneNumberMatcher matcher(*PhoneNumberUtil::GetInstance(), text, "CN", PhoneNumberMatcher::POSSIBLE,
                             kMatcherMaxTries);
  PhoneNumberMatch match;
  while (matcher.Next(&match)) {
    if (match.start() < 0 || match.end() <= match.start()) continue;
    const auto from = static_cast<std::size_t>(match.start());
    const auto to = std::min(static_cast<std::size_t>(match.end()), text.size());
    if (from >= to) continue;
    mark(masked, at_byte[from], at_byte[to - 1] + 1);
  }
}

// Every run of >= 6 digits joined by at most kMaxNumberSeparators separators.
void mask_digit_runs(const Text& f, std::vector<bool>& masked) {
  std::size_t i = 0;
  while (i < f.size()) {
    if (!is_digit(f[i])) {
      ++i;
      continue;
    }
    std::size_t j = i, end = i, digits = 0;
    while (j < f.size()) {
      if (is_digit(f[j])) {
        ++digits;
        end = ++j;
        continue;
      }
      std::size_t k = j;
      while (k < f.size() && k - j < kMaxNumberSeparators && is_number_separator(f[k])) ++k;
      if (k == j || k >= f.size() || !is_digit(f[k])) break;
      // "(" goes on only into a group closed by ")": "+86 (0)138…", not "… (24h)".
      bool opens = false;
      for (std::size_t q = j; q < k; ++q) opens = opens || f[q] == U'(';
      std::size_t group_end = k;
      while (group_end < f.size() && is_digit(f[group_end])) ++group_end;
      if (opens && (group_end >= f.size() || f[group_end] != U')')) break;
      j = k;
    }
    if (digits >= 6) {
      std::size_t start = i;
      while (start > 0 && (f[start - 1] == U'+' || f[start - 1] == U'(')) --start;
      std::ptrdiff_t open = 0;
      for (std::size_t k = start; k < end; ++k) open += f[k] == U'(' ? 1 : f[k] == U')' ? -1 : 0;
      if (open > 0 && end < f.size() && f[end] == U')') ++end;
      mark(masked, start, end);
    }
    i = end;
  }
}

// "tel:" (any case, a space after it allowed) in front of a masked number goes with it.
void mask_tel_prefixes(const Text& f, std::vector<bool>& masked) {
  static constexpr std::u32string_view kTel = U"tel:";
  for (std::size_t i = 1; i < f.size(); ++i) {
    if (!masked[i] || masked[i - 1]) continue;
    std::size_t p = i;
    if (f[p - 1] == U' ') --p;
    if (p < kTel.size()) continue;
    bool tel = true;
    for (std::size_t k = 0; k < kTel.size(); ++k) tel = tel && lower(f[p - kTel.size() + k]) == kTel[k];
    if (tel) mark(masked, p - kTel.size(), i);
  }
}

// Digits that are not a phone number though the passes above may take them:
// ticket ids ("T-000123", shown to customers anyway) and times of day
// ("14:05", "9:30:15").
std::vector<bool> kept_digits(const Text& f) {
  std::vector<bool> keep(f.size(), false);
  const auto digits_from = [&](std::size_t i) {
    std::size_t j = i;
    while (j < f.size() && is_digit(f[j])) ++j;
    return j - i;
  };
  const auto value = [&](std::size_t i, std::size_t n) {
    int v = 0;
    for (std::size_t k = i; k < i + n; ++k) v = v * 10 + static_cast<int>(f[k] - U'0');
    return v;
  };
  for (std::size_t i = 0; i < f.size(); ++i) {
    const bool after_digit = i > 0 && (is_digit(f[i - 1]) || f[i - 1] == U':');
    if (f[i] == U'T' && i + 2 < f.size() && f[i + 1] == U'-' && (i == 0 || !is_ascii_alnum(f[i - 1]))) {
      const std::size_t n = digits_from(i + 2);
      if (n >= 6 && n <= 9) mark(keep, i + 2, i + 2 + n);
      continue;
    }
    if (!is_digit(f[i]) || after_digit) continue;
    const std::size_t h = digits_from(i);
    if (h > 2 || i + h >= f.size() || f[i + h] != U':' || digits_from(i + h + 1) != 2) continue;
    std::size_t end = i + h + 3;
    if (value(i, h) > 23 || value(i + h + 1, 2) > 59) continue;
    if (end < f.size() && f[end] == U':' && digits_from(end + 1) == 2 && value(end + 1, 2) <= 59) end += 3;
    if (end < f.size() && (is_digit(f[end]) || f[end] == U':')) continue;
    mark(keep, i, end);
  }
  return keep;
}

// A name or staff number as compared: folded, ASCII lower case, without separators.
Text key_of(std::string_view s) {
  Text key;
  for (const char32_t c : decode(s)) {
    const char32_t f = lower(fold(c));
    if (!is_name_separator(f)) key.push_back(f);
  }
  return key;
}

// Where a match of `key` starting at `start` ends: its characters in order,
// up to kMaxNameSeparators separators between two of them.
std::optional<std::size_t> match_at(const Text& f, std::size_t start, const Text& key) {
  std::size_t pos = start;
  for (std::size_t k = 0; k < key.size(); ++k) {
    if (k > 0) {
      for (std::size_t seps = 0; pos < f.size() && seps < kMaxNameSeparators && is_name_separator(f[pos]); ++seps)
        ++pos;
    }
    if (pos >= f.size() || lower(f[pos]) != key[k]) return std::nullopt;
    ++pos;
  }
  return pos;
}

// Every occurrence of `key` that is not part of a longer ASCII word or number.
void mask_key(const Text& f, const Text& key, std::vector<bool>& masked) {
  if (key.empty()) return;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (lower(f[i]) != key.front()) continue;
    if (is_ascii_alnum(key.front()) && i > 0 && is_ascii_alnum(f[i - 1])) continue;
    const auto end = match_at(f, i, key);
    if (!end) continue;
    if (is_ascii_alnum(key.back()) && *end < f.size() && is_ascii_alnum(f[*end])) continue;
    mark(masked, i, *end);
  }
}

void mask_crew(const Text& f, const Crew& crew, std::vector<bool>& masked) {
  for (const CrewMember& m : crew.members) {
    mask_key(f, key_of(m.staff_number), masked);
    const Text full = key_of(m.full_name);
    const Text first = key_of(m.first_name);
    if (full.empty() || full == first) continue;
    mask_key(f, full, masked);
    if (first.empty()) continue;
    const auto at = std::search(full.begin(), full.end(), first.begin(), first.end());
    if (at == full.end()) continue;
    Text surname(full.begin(), at);
    surname.insert(surname.end(), at + static_cast<std::ptrdiff_t>(first.size()), full.end());
    if (surname.size() >= 2) mask_key(f, surname, masked);
  }
}

}  // namespace

std::string redact_crew_text(std::string_view text, const std::optional<Crew>& crew) {
  const Text original = decode(text);
  Text folded(original.size());
  std::transform(original.begin(), original.end(), folded.begin(), fold);
  std::vector<bool> masked(original.size(), false);
  mask_matched_numbers(folded, masked);
  mask_digit_runs(folded, masked);
  const std::vector<bool> keep = kept_digits(folded);
  for (std::size_t i = 0; i < masked.size(); ++i) masked[i] = masked[i] && !keep[i];
  // A masked number keeps the spaces around it.
  for (std::size_t i = 0; i < masked.size(); ++i)
    if (masked[i] && folded[i] == U' ' && (i == 0 || !masked[i - 1])) masked[i] = false;
  for (std::size_t i = masked.size(); i-- > 0;)
    if (masked[i] && folded[i] == U' ' && (i + 1 == masked.size() || !masked[i + 1])) masked[i] = false;
  if (crew) mask_crew(folded, *crew, masked);
  mask_tel_prefixes(folded, masked);

  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    if (!masked[i]) {
      encode(original[i], out);
    } else if (i == 0 || !masked[i - 1]) {
      out += kMask;
    }
  }
  return out;
}

}  // namespace linecrew::app
