// Crew free text (a cause found, a note) made fit to show a customer: the
// contract promises customer views and messages with no phone numbers, no
// crew surnames and no staff numbers, and the crew types whatever it likes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "linecrew/core/crew.h"

namespace linecrew::app {

// `text` with each of these replaced by "…" (adjacent ones by a single "…"):
//  - phone numbers, as libphonenumber's matcher finds them (default region CN,
//    leniency POSSIBLE), full-width digits and punctuation folded to ASCII first;
//  - then, belt and braces, every run of 6 or more digits in which the digit
//    groups are joined by at most 3 separators (space, - . / ( ) +, their
//    full-width forms, the ideographic space), with a "+" or "(" in front and
//    a "tel:" before it;
//  - when `crew` is known: each member's full name, the surname part of a full
//    name (what is left without the first name, when 2 or more characters),
//    and each staff number; ASCII letters in any case, separators (space, - .
//    · _) allowed between the characters, never inside a longer ASCII word or
//    number. The first name alone is kept: customers are told it.
// Ticket ids ("T-000123") and times of day ("14:05") are never taken as
// numbers, and a masked number keeps the spaces around it. The result is
// valid UTF-8 (invalid input bytes become U+FFFD) and otherwise the text
// unchanged. Used for every customer view and message built from crew text.
std::string redact_crew_text(std::string_view text, const std::optional<Crew>& crew);

}  // namespace linecrew::app
