#include "linecrew/core/phone.h"

#include <phonenumbers/phonenumberutil.h>

#include "linecrew/core/error.h"
#include "linecrew/core/text.h"

namespace linecrew {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Why text that did not parse as a number is refused.
const char* why_unparsed(PhoneNumberUtil::ErrorType error) {
  switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return "unknown country code";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return "too short";
    case PhoneNumberUtil::TOO_LONG_NSN:
      return "too long";
    default:
      return "not a phone number";
  }
}

// Why a parsed number is not valid.
const char* why_invalid(const PhoneNumberUtil& util, const PhoneNumber& number) {
  switch (util.IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:  // e.g. a fixed line without its area code
    case PhoneNumberUtil::TOO_SHORT:
      return "too short";
    case PhoneNumberUtil::TOO_LONG:
      return "too long";
    case PhoneNumberUtil::INVALID_LENGTH:
      return "no number there has that length";
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return "unknown country code";
    default:
      return "no such number range";  // a possible length, but no numbers in use start so
  }
}

}  // namespace

std::string normalise_phone(std::string_view raw, std::string_view region, const std::string& field) {
  if (raw.empty()) throw_invalid(field, "is required");
  // libphonenumber would read letters as a keypad's digits and "x" or "ext." as an extension: not here.
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    const bool ok = (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '(' || c == ')' || (c == '+' && i == 0);
    if (!ok) throw_invalid(field, quote_capped(raw) + " may hold only digits, spaces, - ( ) and a leading +");
  }
  const std::string where = raw.front() == '+' ? "" : " in " + std::string(region);
  const auto refuse = [&](const char* why) {
    throw_invalid(field, quote_capped(raw) + " is not a valid phone number" + where + " (" + why + ")");
  };
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  const auto parsed = util.Parse(std::string(raw), std::string(region), &number);
  if (parsed != PhoneNumberUtil::NO_PARSING_ERROR) refuse(why_unparsed(parsed));
  if (!util.IsValidNumber(number)) refuse(why_invalid(util, number));
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

bool known_phone_region(std::string_view region) {
  return PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(std::string(region)) != 0;
}

}  // namespace linecrew
