// The follow-up (回访) call script (rules §7), rendered from data templates in
// the customer's language, next to the delay-call script (call_script.h).
// Templates are JSON: for each language the seven steps with {placeholders},
// the outcome sentence for each reason a follow-up is owed, the guardrails and
// the answer labels the recorder chooses from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linecrew/core/time.h"

namespace linecrew {

// What the script is filled from: the ticket, the desk and the outcome to state.
struct FollowUpScriptInput {
  std::string language;  // "zh-CN" or "en"; empty: the templates' default
  std::string company;
  std::string team;          // the desk's team
  std::string staff_number;  // the caller's staff number
  std::string customer_name;
  std::string ticket;  // the ticket reference, e.g. "T-000123"
  // "restoration", "cannot_fix", "promise", "new_request": picks the outcome sentence
  std::string reason;
  std::string detail;  // free text: the cause found, the return reason, what was promised/asked
  // The restoration time / committed return / reply time, shown as HH:MM
  // ({time}) and MM-DD ({date}) local; unset: "".
  std::optional<TimePoint> time;
  Duration utc_offset = hours(8);
  // The policy's follow-up time: a new request's reply lies within it ({reply_hours}, whole hours).
  Duration reply_within = hours(48);
};

struct FollowUpScript {
  std::string language;
  std::vector<std::string> steps;       // the numbered steps to say, in order
  std::vector<std::string> guardrails;  // shown beside the script
  // The answers the recorder chooses from, in order: satisfied, not
  // satisfied, new request, unreachable (in the script's language).
  std::vector<std::string> outcomes;
};

class FollowUpScriptTemplates {
 public:
  // Throws Error(kInvalidArgument, source, "<where>: <what>") on malformed
  // templates: not 7 steps, unknown placeholders, a missing or unknown outcome,
  // not 4 answers, no default language.
  static FollowUpScriptTemplates from_json(std::string_view text, std::string_view source);
  static FollowUpScriptTemplates load_file(const std::string& path);

  // Throws Error(kInvalidArgument, "language") for a language with no template
  // and Error(kInvalidArgument, "reason") for a reason with no outcome sentence.
  FollowUpScript render(const FollowUpScriptInput& in) const;
  const std::string& default_language() const { return default_language_; }

 private:
  struct Language {
    std::vector<std::string> steps;
    std::map<std::string, std::string, std::less<>> outcomes;  // reason -> sentence
    std::vector<std::string> guardrails;
    std::vector<std::string> answers;
  };
  std::string default_language_;
  std::map<std::string, Language, std::less<>> languages_;
};

}  // namespace linecrew
