// The delay-call script (rules §3), rendered from data templates in the
// customer's language. Templates are JSON: for each language the eight steps
// with {placeholders}, the words for each delay reason, and the guardrails.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/compliance.h"
#include "linecrew/core/time.h"

namespace linecrew {

// What the script is filled from: the ticket, the crew and the call's content.
struct CallScriptInput {
  std::string language;  // "zh-CN" or "en"; empty: the templates' default
  std::string company;
  std::string team;
  std::string crew_name;
  std::string staff_number;
  std::string customer_name;
  DelayReason reason = DelayReason::kOther;
  TimePoint deadline;  // the effective deadline the crew will miss
  TimePoint new_time;  // the arrival time to propose
  std::string callback_number;
  Duration utc_offset = hours(8);  // local time for HH:MM
};

struct CallScript {
  std::string language;
  std::vector<std::string> steps;       // the numbered steps to say, in order
  std::vector<std::string> guardrails;  // shown beside the script
  std::string text() const;             // the steps joined, as one paragraph
};

class CallScriptTemplates {
 public:
  // Throws Error(kInvalidArgument, "<source>: ...") on malformed templates:
  // unknown placeholders, missing reasons, no default language.
  static CallScriptTemplates from_json(std::string_view text, std::string_view source);
  static CallScriptTemplates load_file(const std::string& path);

  // Throws Error(kInvalidArgument, "language") for a language with no template.
  CallScript render(const CallScriptInput& input) const;
  const std::string& default_language() const { return default_language_; }

 private:
  struct Language {
    std::vector<std::string> steps;
    std::map<std::string, std::string, std::less<>> reasons;
    std::vector<std::string> guardrails;
  };
  std::string default_language_;
  std::map<std::string, Language, std::less<>> languages_;
};

}  // namespace linecrew
